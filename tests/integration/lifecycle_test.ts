/**
 * Model hot swap, graceful shutdown and start-up failures of the real server process.
 */
import assert from "node:assert/strict";
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

Deno.test({
  name: "hot swap: bad models are rejected, a good one goes live, no request fails",
  ...opts,
  async fn() {
    const dir = await copyModelDir();
    const srv = await startServer({ MODEL_DIR: dir, WORKERS: "2" });
    const before = (await info(srv.url)).model_info.sha256;
    const traffic = load(srv.url, 4);
    try {
      // 1. Garbage in place of the ONNX file.
      await Deno.writeFile(`${dir}/convnet.onnx`, crypto.getRandomValues(new Uint8Array(5000)));
      await waitFor(async () => (await info(srv.url)).model_reloads.some((r: { ok: boolean }) => !r.ok));
      assert.equal((await info(srv.url)).model_info.sha256, before);
      // 2. A truncated copy of the real model.
      const real = await Deno.readFile(`${ROOT}models/convnet.onnx`);
      await Deno.writeFile(`${dir}/convnet.onnx`, real.subarray(0, real.length >> 1));
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await info(srv.url)).model_info.sha256, before);
      // 3. A model of the wrong shape: metadata that declares a 3-channel input.
      const meta = JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`));
      await Deno.writeFile(`${dir}/convnet.onnx`, real);
      await Deno.writeTextFile(
        `${dir}/convnet.json`,
        JSON.stringify({ ...meta, input: { ...meta.input, shape: ["batch", 3, 28, 28] } }),
      );
      await new Promise((r) => setTimeout(r, 800));
      assert.equal((await info(srv.url)).model_info.sha256, before);
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
    assert.ok(srv.logs.some((l) => l.includes("model rejected")), "rejections are logged");
  },
});

Deno.test({
  name: "SIGTERM: readiness turns 503, accepted requests complete, the process exits 0",
  ...opts,
  async fn() {
    const dir = await copyModelDir();
    const srv = await startServer({ MODEL_DIR: dir, WORKERS: "1", DRAIN_TIMEOUT_MS: "5000" });
    try {
      // Slow uploads: the body arrives after the signal, so these are surely in flight.
      const inflight = Array.from({ length: 8 }, () => {
        const { promise: gate, resolve: open } = Promise.withResolvers<void>();
        const body = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(PNG.subarray(0, 100));
            await gate;
            c.enqueue(PNG.subarray(100));
            c.close();
          },
        });
        const res = fetch(`${srv.url}/api/v1/predict`, {
          method: "POST",
          headers: { "content-type": "image/png" },
          body,
        });
        return { res, open };
      });
      await new Promise((r) => setTimeout(r, 300));
      srv.process.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 100));
      const ready = await fetch(`${srv.url}/ready`);
      await ready.body?.cancel();
      assert.equal(ready.status, 503);
      const started = Date.now();
      for (const r of inflight) r.open();
      const results = await Promise.all(inflight.map(async (r) => {
        const res = await r.res;
        return [res.status, (await res.json()).predicted_class];
      }));
      assert.deepEqual(results, Array(8).fill([200, 7]));
      const code = await srv.stop("SIGTERM");
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 7000);
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
