/**
 * What the server relies on from any production model: the metadata's sha256, batches
 * that give the same answers as single runs, finite outputs on any input, and the
 * same logits on WebGPU as on WASM.
 * @module
 */

import assert from "node:assert/strict";
import { sha256Hex } from "../../src/metadata.ts";
import { webgpuLogits } from "../support/webgpu_child.ts";
import { loadMnist } from "../support/mnist_idx.ts";
import {
  maxAbsDiff,
  PIXELS,
  productionModelDir,
  range,
  readModel,
  toTensor,
  wasmClassifier,
} from "./model_files.ts";

const BATCH = 64;
const MAX_BATCH_DIFF = 1e-5;
const MAX_BACKEND_DIFF = 1e-4;

Deno.test("production model's metadata sha256 matches its ONNX file", async () => {
  const model = await readModel(productionModelDir());
  assert.equal(await sha256Hex(model.bytes), model.metadata.sha256);
});

Deno.test("production model gives a batch of 64 the logits of 64 single runs", async () => {
  const [model, test] = await Promise.all([readModel(productionModelDir()), loadMnist("t10k")]);
  const c = await wasmClassifier(model);
  const classes = model.metadata.labels.length;
  // Spread over the test set so every class is in the batch.
  const indices = range(BATCH).map((i) => i * Math.floor(test.count / BATCH));
  const input = toTensor(test, indices, model.metadata.normalization);
  const batched = await c.logits(input, BATCH);
  const single = new Float32Array(BATCH * classes);
  for (let i = 0; i < BATCH; i++) {
    single.set(await c.logits(input.slice(i * PIXELS, (i + 1) * PIXELS), 1), i * classes);
  }
  await c.release();
  assert.equal(batched.length, BATCH * classes);
  const diff = maxAbsDiff(batched, single);
  assert.ok(diff <= MAX_BATCH_DIFF, `largest difference ${diff}`);
});

Deno.test("production model returns finite probabilities on extreme inputs", async () => {
  const model = await readModel(productionModelDir());
  const c = await wasmClassifier(model);
  const { mean, std } = model.metadata.normalization;
  const cases: Record<string, Float32Array> = {
    "all 0": new Float32Array(PIXELS).fill((0 - mean) / std),
    "all 1": new Float32Array(PIXELS).fill((1 - mean) / std),
    "all +1e6": new Float32Array(PIXELS).fill(1e6),
    "all -1e6": new Float32Array(PIXELS).fill(-1e6),
    "alternating ±1e6": Float32Array.from({ length: PIXELS }, (_, i) => (i % 2 ? 1e6 : -1e6)),
  };
  const names = Object.keys(cases);
  const input = new Float32Array(names.length * PIXELS);
  names.forEach((name, i) => input.set(cases[name], i * PIXELS));
  const predictions = await c.classifyTensor(input, names.length);
  const logits = await c.logits(input, names.length);
  await c.release();
  assert.ok(logits.every(Number.isFinite), `non-finite logits: ${logits}`);
  predictions.forEach((p, i) => {
    assert.ok(p.probabilities.every(Number.isFinite), `${names[i]}: ${p.probabilities}`);
    const sum = p.probabilities.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `${names[i]}: probabilities sum to ${sum}`);
  });
});

Deno.test("production model gives the same logits on WebGPU (a child process) as on WASM", async (t) => {
  const [model, test] = await Promise.all([readModel(productionModelDir()), loadMnist("t10k")]);
  const indices = range(BATCH).map((i) => i * 37);
  const input = toTensor(test, indices, model.metadata.normalization);
  const gpu = await webgpuLogits(productionModelDir(), "convnet.json", input, BATCH);
  if ("unavailable" in gpu) {
    // No adapter on this machine (Deno's WebGPU needs Vulkan, e.g. Mesa lavapipe): nothing to compare.
    // A WebGPU that exists but cannot run the model still fails: the child throws.
    await t.step({ name: `skipped: ${gpu.unavailable}`, ignore: true, fn: () => {} });
    return;
  }
  assert.equal(gpu.backend, "webgpu");
  const wasm = await wasmClassifier(model);
  const a = await wasm.outputs(input, BATCH);
  await wasm.release();
  const diff = maxAbsDiff(a, gpu.logits);
  assert.ok(diff <= MAX_BACKEND_DIFF, `largest difference ${diff}`);
});
