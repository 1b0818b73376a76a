import assert from "node:assert/strict";
import { BACKENDS, loadModel, type OrtModule } from "../../../src/backend.ts";
import { createClassifier, NoBackendError, parseMetadata } from "../../../src/mod.ts";
import { webgpuLogits } from "../../support/webgpu_child.ts";

const SEED = new URL("../../testdata/seed/", import.meta.url);
const onnx = await Deno.readFile(new URL("convnet.onnx", SEED));
const meta = parseMetadata(JSON.parse(await Deno.readTextFile(new URL("convnet.json", SEED))));

/** Deterministic pseudo-random inputs (normalised range). */
function inputs(n: number, seed = 7): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * 784 }, () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return (s / 0x7fffffff) * 3 - 0.4;
  });
}

/** A fake onnxruntime build whose sessions answer `output` and count concurrent runs. */
function fakeOrt(output: () => Float32Array, stats = { active: 0, max: 0 }): OrtModule {
  class Tensor {
    constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {}
  }
  const session = {
    async run() {
      stats.active++;
      stats.max = Math.max(stats.max, stats.active);
      await new Promise((r) => setTimeout(r, 2));
      stats.active--;
      return { logits: { data: output() } };
    },
    release: () => Promise.resolve(),
  };
  return {
    env: { wasm: {} },
    Tensor,
    InferenceSession: { create: () => Promise.resolve(session) },
  } as unknown as OrtModule;
}

/** A fake build that logs the steps of a load: session creation (20 ms, or a failure), then the smoke run. */
function loggedOrt(log: string[], label: string, options: { failCreate?: boolean } = {}): OrtModule {
  const base = fakeOrt(() => new Float32Array(10));
  const create = async () => {
    log.push(`${label}: create`);
    await new Promise((r) => setTimeout(r, 20));
    if (options.failCreate) {
      log.push(`${label}: failed`);
      throw new Error(`${label} broke`);
    }
    const session = await base.InferenceSession.create(new Uint8Array());
    return {
      async run(feeds: Record<string, unknown>) {
        // deno-lint-ignore no-explicit-any
        const out = await session.run(feeds as any);
        log.push(`${label}: smoke`);
        return out;
      },
      release: () => session.release(),
    };
  };
  return { ...base, InferenceSession: { create } } as unknown as OrtModule;
}

Deno.test({
  name: "loadModel() runs the model on WASM in Deno",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await loadModel(onnx, { backend: "wasm" });
    assert.equal(m.backend, "wasm");
    assert.deepEqual(m.attempts.map((a) => a.status), ["chosen"]);
    const out = await m.run(inputs(3), 3);
    assert.equal(out.length, 30);
    assert.ok(out.every(Number.isFinite));
    await m.release();
  },
});

Deno.test("the seed model runs on WebGPU in Deno (a child process) and agrees with WASM within 1e-4", async () => {
  const x = inputs(16, 11);
  const gpu = await webgpuLogits(SEED.pathname, "convnet.json", x, 16);
  assert.ok("backend" in gpu, JSON.stringify(gpu));
  assert.equal(gpu.backend, "webgpu");
  const cpu = await loadModel(onnx, { backend: "wasm" });
  const b = await cpu.run(x, 16);
  await cpu.release();
  assert.equal(gpu.logits.length, b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(gpu.logits[i] - b[i]));
  assert.ok(worst < 1e-4, `max |webgpu - wasm| = ${worst}`);
});

Deno.test({
  name: "loadModel() tries WebGPU, WebGL, WASM in order and says why each was skipped",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await loadModel(onnx, {
      loaders: { webgpu: () => Promise.reject(new Error("adapter lost")) },
    });
    assert.equal(m.backend, "wasm");
    assert.deepEqual(m.attempts.map((a) => [a.backend, a.status]), [
      ["webgpu", "failed to create"],
      ["webgl", "not available"],
      ["wasm", "chosen"],
    ]);
    assert.match(m.attempts[0].reason!, /adapter lost/);
    assert.match(m.attempts[1].reason!, /WebGL does not exist in deno/);
    await m.release();
  },
});

Deno.test({
  name: "loadModel() skips a backend whose smoke inference is not finite",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await loadModel(onnx, {
      order: ["webgpu", "wasm"],
      loaders: { webgpu: () => Promise.resolve(fakeOrt(() => new Float32Array(10).fill(NaN))) },
    });
    assert.equal(m.backend, "wasm");
    assert.equal(m.attempts[0].status, "failed smoke test");
    assert.match(m.attempts[0].reason!, /NaN/);
    await m.release();
  },
});

Deno.test("loadModel() skips a backend whose smoke output has the wrong shape", async () => {
  await assert.rejects(
    loadModel(onnx, {
      backend: "wasm",
      loaders: { wasm: () => Promise.resolve(fakeOrt(() => new Float32Array(3))) },
    }),
    (e: unknown) => e instanceof NoBackendError && /expected 10 outputs, got 3/.test(e.message),
  );
});

Deno.test("loadModel() throws NoBackendError listing every attempt when none works", async () => {
  const err = await loadModel(onnx, {
    order: ["webgl", "wasm"],
    loaders: { wasm: () => Promise.reject(new Error("no wasm today")) },
  }).catch((e) => e);
  assert.ok(err instanceof NoBackendError);
  assert.deepEqual(err.attempts.map((a: { status: string }) => a.status), [
    "not available",
    "failed to create",
  ]);
  assert.match(err.message, /no wasm today/);
});

Deno.test("loadModel() rejects an unknown backend and lists the valid ones", async () => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    loadModel(onnx, { backend: "cuda" as any }),
    (e: unknown) => e instanceof RangeError && e.message.includes(BACKENDS.join(", ")),
  );
});

Deno.test("run() queues concurrent calls on one session, never interleaving them", async () => {
  const stats = { active: 0, max: 0 };
  const m = await loadModel(onnx, {
    backend: "wasm",
    loaders: { wasm: () => Promise.resolve(fakeOrt(() => new Float32Array(10), stats)) },
  });
  await Promise.all(Array.from({ length: 20 }, () => m.run(new Float32Array(784), 1)));
  assert.equal(stats.max, 1);
});

Deno.test({
  name: "run() answers concurrent real inferences each with its own result",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await loadModel(onnx, { backend: "wasm" });
    const xs = Array.from({ length: 12 }, (_, i) => inputs(1, i + 1));
    const sequential = [];
    for (const x of xs) sequential.push(Array.from(await m.run(x, 1)));
    const concurrent = await Promise.all(xs.map((x) => m.run(x, 1)));
    assert.deepEqual(concurrent.map((c) => Array.from(c)), sequential);
    await m.release();
  },
});

Deno.test({
  name: "createClassifier() refuses a model whose sha256 does not match its metadata",
  async fn() {
    const tampered = onnx.slice();
    tampered[tampered.length - 1] ^= 1;
    await assert.rejects(createClassifier(tampered, meta, { backend: "wasm" }), /does not match metadata/);
  },
});

Deno.test("loadModel() queues concurrent loads: the second starts once the first has chosen", async () => {
  const log: string[] = [];
  const load = (label: string) =>
    loadModel(onnx, { backend: "wasm", loaders: { wasm: () => Promise.resolve(loggedOrt(log, label)) } });
  const [first, second] = await Promise.all([load("first"), load("second")]);
  assert.deepEqual(log, ["first: create", "first: smoke", "second: create", "second: smoke"]);
  await Promise.all([first.release(), second.release()]);
});

Deno.test("loadModel() does not let a failed load block the next one", async () => {
  const log: string[] = [];
  const failing = loadModel(onnx, {
    backend: "wasm",
    loaders: { wasm: () => Promise.resolve(loggedOrt(log, "failing", { failCreate: true })) },
  });
  const next = loadModel(onnx, {
    backend: "wasm",
    loaders: { wasm: () => Promise.resolve(loggedOrt(log, "next")) },
  });
  await assert.rejects(
    failing,
    (e: unknown) => e instanceof NoBackendError && /failing broke/.test(e.message),
  );
  const m = await next;
  assert.equal(m.backend, "wasm");
  assert.deepEqual(log, ["failing: create", "failing: failed", "next: create", "next: smoke"]);
  await m.release();
});

Deno.test("loadModel() asks a wasmPaths function for each backend's own paths", async () => {
  const builds = { webgpu: loggedOrt([], "webgpu", { failCreate: true }), wasm: loggedOrt([], "wasm") };
  const asked: string[] = [];
  const m = await loadModel(onnx, {
    order: ["webgpu", "webgl", "wasm"],
    loaders: { webgpu: () => Promise.resolve(builds.webgpu), wasm: () => Promise.resolve(builds.wasm) },
    wasmPaths: (backend) => {
      asked.push(backend);
      return { wasm: `https://example.test/${backend}.wasm` };
    },
  });
  assert.equal(m.backend, "wasm");
  assert.deepEqual(asked, ["webgpu", "wasm"]); // WebGL is not available in Deno: never configured
  assert.deepEqual(builds.webgpu.env.wasm.wasmPaths, { wasm: "https://example.test/webgpu.wasm" });
  assert.deepEqual(builds.wasm.env.wasm.wasmPaths, { wasm: "https://example.test/wasm.wasm" });
  await m.release();
});
