/**
 * Faults from issue 8 that lifecycle_test.ts does not cover: a model directory the
 * process may not read, clients that stall or vanish mid-body, and overload.
 */
import assert from "node:assert/strict";
import { exitWithin, postPredict, ROOT, startServer, startTaskArgs } from "../support/test_utils.ts";
import { rawRequest } from "../support/raw_http.ts";
import jpeg from "jpeg-js";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PNG = await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`);
const JPEG = await Deno.readFile(`${ROOT}tests/testdata/images/5_canvas.jpg`);
const enc = new TextEncoder();

/** Noise at 1800×1800: jpeg-js takes about a second on it, far past a 300 ms DECODE_TIMEOUT_MS. */
function slowJpeg(): Uint8Array<ArrayBuffer> {
  const w = 1800, h = 1800;
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 2654435761) >>> 24);
  const slow = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 40).data);
  assert.ok(slow.length < 5 << 20, `${slow.length} bytes: under the upload limit`);
  return slow;
}

/** Open a connection and send a request head plus the first `sent` body bytes of `declared`. */
async function partialUpload(port: number, declared: number, first: Uint8Array) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode(
    `POST /api/v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n` +
      `Content-Length: ${declared}\r\n\r\n`,
  ));
  await conn.write(first);
  return conn;
}

async function readAll(conn: Deno.Conn, ms: number): Promise<string> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      if (/\r\n\r\n/.test(text) && /content-length: (\d+)/i.test(text)) {
        const len = Number(text.match(/content-length: (\d+)/i)![1]);
        if (text.length - text.indexOf("\r\n\r\n") - 4 >= len) break;
      }
    }
  } catch {
    /* closed by the timer */
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  return text;
}

Deno.test({
  name: "start-up: a model directory the process may not read gives a clear message and exit 1",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mnist-unreadable-" });
    for (const f of ["convnet.onnx", "convnet.json"]) {
      await Deno.copyFile(`${ROOT}models/${f}`, `${dir}/${f}`);
    }
    try {
      // Readable on disk, but outside the start task's --allow-read (tests run as root, so chmod cannot deny).
      const srv = await startServer({ MODEL_DIR: dir }, { args: startTaskArgs(), waitReady: false });
      const code = await exitWithin(srv);
      assert.equal(code, 1);
      const text = srv.logs.join("\n");
      assert.match(text, new RegExp(`${dir}/convnet\\.json`));
      assert.match(text, /MODEL_DIR/);
      assert.match(text, /--allow-read/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "start-up: MODEL_DIR naming a file, not a directory, gives a clear message and exit 1",
  ...opts,
  async fn() {
    const file = `${ROOT}models/convnet.json`;
    const srv = await startServer({ MODEL_DIR: file }, { waitReady: false });
    const code = await Promise.race([
      srv.exited,
      new Promise<number>((r) => setTimeout(() => r(-1), 20_000)),
    ]);
    await srv.stop("SIGKILL");
    assert.equal(code, 1);
    assert.match(srv.logs.join("\n"), /MODEL_DIR/);
  },
});

Deno.test({
  name:
    "slow client: a body sent 1 byte a second is cut off after BODY_TIMEOUT_MS; others are served meanwhile",
  ...opts,
  async fn() {
    const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false", BODY_TIMEOUT_MS: "1500" });
    try {
      const slow = await partialUpload(srv.port, PNG.length, PNG.subarray(0, 1));
      let sent = 1;
      let open = true;
      const dribble = (async () => {
        while (open && sent < 30) {
          await new Promise((r) => setTimeout(r, 1000));
          await slow.write(PNG.subarray(sent, sent + 1)).catch(() => (open = false));
          sent++;
        }
      })();
      const answer = readAll(slow, 30_000).then((t) => {
        open = false;
        return { text: t, sentAtAnswer: sent };
      });
      // One worker: if the slow body held it, these would wait for the cut-off.
      const others: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await rawRequest(srv.port, {
          method: "POST",
          target: "/api/v1/predict",
          headers: [["Content-Type", "image/png"]],
          body: PNG,
        });
        others.push(r.status);
      }
      const othersDoneBeforeCut = sent <= 2;
      const { text, sentAtAnswer } = await answer;
      await dribble;
      assert.deepEqual(others, [200, 200, 200, 200, 200]);
      assert.ok(
        othersDoneBeforeCut,
        "the other clients were answered while the slow body was still arriving",
      );
      assert.match(text, /^HTTP\/1\.1 408/, text.slice(0, 200));
      assert.match(text, /application\/problem\+json/);
      assert.match(text, /"detail":"Request body not received within 1500 ms"/);
      // Cut off near the timeout, long before the 7,702-byte body could arrive at 1 byte/s.
      assert.ok(sentAtAnswer <= 5, `answered after ${sentAtAnswer} bytes`);
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});

Deno.test({
  name: "a client that disconnects mid-body leaves no unhandled error or 500 behind",
  ...opts,
  async fn() {
    const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false" });
    try {
      for (let i = 0; i < 5; i++) {
        const conn = await partialUpload(srv.port, PNG.length, PNG.subarray(0, 1000));
        await new Promise((r) => setTimeout(r, 100));
        conn.close();
      }
      // Wait until the server has answered all five (a 400 no one reads), not for a fixed time:
      // an error it logs later would otherwise go unseen.
      let metrics = "";
      let counted = 0;
      for (const end = Date.now() + 20_000; Date.now() < end;) {
        metrics = await (await fetch(`${srv.url}/metrics`)).text();
        counted = [
          ...metrics.matchAll(/^http_requests_total\{[^}]*route="\/api\/v1\/predict"[^}]*\} (\d+)$/gm),
        ]
          .reduce((n, m) => n + Number(m[1]), 0);
        if (counted >= 5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(counted, 5, "the five uploads were answered");
      const errors = srv.logs.filter((l) => /unhandled error|"status":5\d\d/.test(l));
      assert.deepEqual(errors.map((l) => l.slice(0, 300)), []);
      assert.ok(!/http_requests_total\{[^}]*status="5\d\d"/.test(metrics), "no 5xx counted");
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});

Deno.test({
  name: "overload: far more connections than MAX_INFLIGHT get 503 with Retry-After at once, not a queue",
  ...opts,
  async fn() {
    // cores × 16 × 4 connections against a limit of 2 held requests.
    const conns = navigator.hardwareConcurrency * 16 * 4;
    const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false", MAX_INFLIGHT: "2" });
    try {
      // Each request holds its slot while its body is incomplete.
      const held = await Promise.all(
        Array.from({ length: conns }, () => partialUpload(srv.port, PNG.length, PNG.subarray(0, 100))),
      );
      const answers = held.map((c) => readAll(c, 20_000));
      // Those shed are answered before any body is complete; the two held ones wait for theirs.
      const shed = await Promise.all(
        answers.map((a) => Promise.race([a, new Promise<string>((r) => setTimeout(() => r(""), 5000))])),
      );
      const n503 = shed.filter((t) => /^HTTP\/1\.1 503/.test(t));
      assert.equal(n503.length, conns - 2, `${n503.length} of ${conns} shed`);
      for (const t of n503) {
        assert.match(t, /retry-after: 1/i);
        assert.match(t, /application\/problem\+json/);
      }
      // The two admitted requests complete once their bodies arrive.
      const pending = held.filter((_, i) => shed[i] === "");
      assert.equal(pending.length, 2);
      await Promise.all(pending.map((c) => c.write(PNG.subarray(100))));
      const done = await Promise.all(answers.filter((_, i) => shed[i] === ""));
      for (const t of done) assert.match(t, /^HTTP\/1\.1 200/);
      const ready = await fetch(`${srv.url}/ready`);
      await ready.body?.cancel();
      assert.equal(ready.status, 200);
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});

Deno.test({
  name: "a decode over DECODE_TIMEOUT_MS is a 400, counted in /metrics, and the server serves on",
  ...opts,
  async fn() {
    const slow = slowJpeg();
    const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false", DECODE_TIMEOUT_MS: "300" });
    try {
      const post = (body: Uint8Array<ArrayBuffer>, type: string) =>
        fetch(`${srv.url}/api/v1/predict`, { method: "POST", headers: { "content-type": type }, body });
      const res = await post(slow, "image/jpeg");
      assert.equal(res.status, 400);
      assert.match((await res.json()).detail, /within 300 ms/);
      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(metrics, /^image_decode_timeouts_total 1$/m);
      // The server goes on: PNGs decode inline, without the decode worker being replaced.
      assert.equal((await (await post(PNG, "image/png")).json()).predicted_class, 7);
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});

/**
 * A JPEG that passes the header check (so it goes to the decode worker) and that the worker
 * refuses at once: a frame with no tables and no scan data.
 */
const INSTANT_FAILURE_JPEG = new Uint8Array([
  ...[0xff, 0xd8], // SOI
  ...[0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00], // SOF0 8×8, 1 component
  ...[0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00], // SOS naming a table that is not there
  ...[0xff, 0xd9], // EOI
]);

Deno.test({
  name:
    "with DECODE_TIMEOUT_MS=300, a fresh decode worker serves JPEGs, also the one replacing a timed-out worker",
  ...opts,
  async fn() {
    // A cold decode worker once took 0.5–1.1 s over its first JPEG: with a 300 ms deadline
    // that timed out, and every replacement worker timed out the same way.
    const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false", DECODE_TIMEOUT_MS: "300" });
    try {
      const upload = async (bytes: Uint8Array<ArrayBuffer>, name: string) => {
        const res = await postPredict(srv.url, bytes, name, "image/jpeg");
        const body = await res.json();
        return { status: res.status, digit: body.predicted_class, detail: body.detail };
      };
      // Starts a decode worker and waits for it: the upload's deadline begins when the worker,
      // started and warm, takes it. This one fails to decode at once, so its answer tells which
      // was timed (a timeout would mean the start counted), and once it is in, the worker is
      // ready: the JPEGs after it do not race its start.
      const ready = async (which: string) => {
        const probe = await upload(INSTANT_FAILURE_JPEG.slice(), "bad.jpg");
        assert.equal(probe.status, 400, which);
        assert.match(probe.detail, /Cannot decode JPEG/, `${which}: only the decode was timed`);
      };
      const served = { status: 200, digit: 5, detail: undefined };
      await ready("the worker started with the server");
      const first = [];
      for (let i = 0; i < 3; i++) first.push(await upload(JPEG, "5.jpg"));
      assert.deepEqual(first, [served, served, served], "the worker started with the server");
      const timedOut = await upload(slowJpeg(), "noise.jpg");
      assert.equal(timedOut.status, 400);
      assert.match(timedOut.detail, /within 300 ms/);
      await ready("the replacement worker");
      const after = [];
      for (let i = 0; i < 5; i++) after.push(await upload(JPEG, "5.jpg"));
      assert.deepEqual(after, [served, served, served, served, served], "the replacement worker");
      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(metrics, /^image_decode_timeouts_total 1$/m, "only the noise JPEG timed out");
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});
