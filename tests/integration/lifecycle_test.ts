/**
 * Model hot swap, graceful shutdown and start-up failures of the real server process.
 */
import assert from "node:assert/strict";
import { serialise } from "../support/raw_http.ts";
import { copyModelDir, exitWithin, postPredict, ROOT, startServer } from "../support/test_utils.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PNG = await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`);

async function predict(url: string): Promise<{ status: number; version?: string }> {
  const res = await postPredict(url, PNG, "digit.png");
  const body = await res.json();
  return { status: res.status, version: body.model_version };
}

/** Keep `n` clients posting until `stop` resolves; return every status seen. */
function load(url: string, n: number) {
  let running = true;
  const statuses: number[] = [];
  const versions = new Set<string>();
  const clients = Array.from({ length: n }, async () => {
    while (running) {
      const r = await predict(url).catch(() => ({ status: 0, version: undefined }));
      statuses.push(r.status);
      if (r.version) versions.add(r.version);
    }
  });
  return {
    statuses,
    versions,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

async function info(url: string) {
  return await (await fetch(`${url}/api/info`)).json();
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}

/** "model rejected" log lines of each server worker so far. */
function rejections(logs: readonly string[], workers: number): number[] {
  const counts = Array<number>(workers).fill(0);
  for (const line of logs) {
    if (!line.includes('"model rejected')) continue;
    const w = JSON.parse(line).worker;
    if (typeof w === "number" && w < workers) counts[w]++;
  }
  return counts;
}

Deno.test({
  name: "hot swap: bad models are rejected, a good one goes live, no request fails",
  ...opts,
  async fn() {
    const dir = await copyModelDir();
    const workers = 2;
    const srv = await startServer({ MODEL_DIR: dir, WORKERS: String(workers) });
    const before = (await info(srv.url)).model_info.sha256;
    const traffic = load(srv.url, 4);
    /** Make a change, then wait until every worker has rejected it (not a fixed sleep: reloads take what they take). */
    const rejectedByAll = async (change: () => Promise<void>) => {
      const seen = rejections(srv.logs, workers);
      await change();
      await waitFor(() => Promise.resolve(rejections(srv.logs, workers).every((n, w) => n > seen[w])));
      assert.equal((await info(srv.url)).model_info.sha256, before);
    };
    try {
      // 1. Garbage in place of the ONNX file.
      await rejectedByAll(() =>
        Deno.writeFile(`${dir}/convnet.onnx`, crypto.getRandomValues(new Uint8Array(5000)))
      );
      // 2. A truncated copy of the real model.
      const real = await Deno.readFile(`${ROOT}models/convnet.onnx`);
      await rejectedByAll(() => Deno.writeFile(`${dir}/convnet.onnx`, real.subarray(0, real.length >> 1)));
      // 3. A model of the wrong shape: metadata that declares a 3-channel input. The real ONNX
      //    file goes back first; with the old metadata it is the model already serving.
      const meta = JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`));
      await rejectedByAll(async () => {
        await Deno.writeFile(`${dir}/convnet.onnx`, real);
        await Deno.writeTextFile(
          `${dir}/convnet.json`,
          JSON.stringify({ ...meta, input: { ...meta.input, shape: ["batch", 3, 28, 28] } }),
        );
      });
      // 4. A valid, different model (the imported kedro checkpoint).
      const seed = `${ROOT}tests/testdata/seed/`;
      await Deno.copyFile(`${seed}convnet.onnx`, `${dir}/convnet.onnx`);
      await Deno.copyFile(`${seed}convnet.json`, `${dir}/convnet.json`);
      const seedSha = JSON.parse(await Deno.readTextFile(`${seed}convnet.json`)).sha256;
      await waitFor(async () => (await info(srv.url)).model_info.sha256 === seedSha);
      await waitFor(async () => (await predict(srv.url)).version === "1.0.0");
    } finally {
      await traffic.stop();
      assert.equal(await srv.stop(), 0);
      await Deno.remove(dir, { recursive: true });
    }
    const failed = traffic.statuses.filter((s) => s !== 200);
    assert.ok(traffic.statuses.length > 20, `only ${traffic.statuses.length} requests`);
    assert.deepEqual(failed, [], `${failed.length} of ${traffic.statuses.length} requests failed`);
    assert.ok(traffic.versions.has("1.0.0"), "the new model answered");
  },
});

Deno.test({
  name: "SIGTERM: readiness turns 503, accepted requests complete, the process exits 0",
  ...opts,
  async fn() {
    const dir = await copyModelDir();
    const delayMs = 1000, timeoutMs = 5000;
    const srv = await startServer({
      MODEL_DIR: dir,
      WORKERS: "1",
      DRAIN_DELAY_MS: String(delayMs),
      DRAIN_TIMEOUT_MS: String(timeoutMs),
    });
    const uploads: Deno.Conn[] = [];
    try {
      // Slow uploads: the head and 100 bytes now, the rest of the body after the signal.
      const request = serialise(
        { method: "POST", target: "/api/v1/predict", headers: [["Content-Type", "image/png"]], body: PNG },
        "127.0.0.1",
      );
      const rest = request.length - PNG.length + 100;
      for (let i = 0; i < 8; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
        await conn.write(request.subarray(0, rest));
        uploads.push(conn);
      }
      // One worker: once it has answered this, it has read the eight heads sent before.
      await (await fetch(`${srv.url}/health`)).body?.cancel();
      const started = Date.now();
      srv.process.kill("SIGTERM");
      await waitFor(async () => {
        const r = await fetch(`${srv.url}/ready`);
        await r.body?.cancel();
        return r.status === 503;
      });
      const results = await Promise.all(uploads.map(async (conn) => {
        await conn.write(request.subarray(rest));
        const text = await new Response(conn.readable).text();
        return [
          Number(text.split(" ")[1]),
          JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)).predicted_class,
        ];
      }));
      assert.deepEqual(results, Array(8).fill([200, 7]));
      const code = await srv.exited;
      assert.equal(code, 0);
      // DRAIN_TIMEOUT_MS counts from the end of DRAIN_DELAY_MS; main.ts allows 1 s more.
      assert.ok(Date.now() - started <= delayMs + timeoutMs + 1000);
    } finally {
      await srv.stop("SIGKILL").catch(() => undefined);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a missing model directory stops the start with a clear message and a non-zero exit",
  ...opts,
  async fn() {
    const srv = await startServer({ MODEL_DIR: "/nonexistent/models" }, { waitReady: false });
    assert.equal(await exitWithin(srv), 1);
    const text = srv.logs.join("\n");
    assert.match(text, /\/nonexistent\/models\/convnet\.json/);
    assert.match(text, /MODEL_DIR/);
  },
});
