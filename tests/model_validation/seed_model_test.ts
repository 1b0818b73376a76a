/**
 * The kedro pipeline's checkpoint, converted by `training/export_onnx.py`, served by
 * `src/` like any model: it must keep its accuracy and PyTorch's logits, which proves
 * the permutation is baked into the graph correctly.
 * @module
 */

import assert from "node:assert/strict";
import { sha256Hex } from "../../src/metadata.ts";
import { loadMnist } from "../support/mnist_idx.ts";
import {
  accuracy,
  allLogits,
  argmaxRows,
  maxAbsDiff,
  readModel,
  SEED_DIR,
  toTensor,
  wasmClassifier,
} from "./model_files.ts";

/** What the old service scored on the test set, and how far the converted model may stray. */
const SEED_ACCURACY = 0.936;
const SEED_TOLERANCE = 0.002;
const MAX_LOGIT_DIFF = 1e-4;

/** `reference_logits.json`, written by `export_onnx.py --fixture` from the original checkpoint. */
interface ReferenceLogits {
  checkpoint_sha256: string;
  onnx_sha256: string;
  normalization: { mean: number; std: number };
  indices: number[];
  labels: number[];
  logits: number[][];
}

Deno.test("converted kedro checkpoint scores 93.6 % on the 10k test digits through src/", async () => {
  const [model, test] = await Promise.all([readModel(SEED_DIR), loadMnist("t10k")]);
  const c = await wasmClassifier(model);
  const logits = await allLogits(c, test);
  await c.release();
  const acc = accuracy(argmaxRows(logits, model.metadata.labels.length), test.labels);
  assert.ok(
    Math.abs(acc - SEED_ACCURACY) <= SEED_TOLERANCE,
    `accuracy ${(acc * 100).toFixed(2)} %, expected ${SEED_ACCURACY * 100} ± ${SEED_TOLERANCE * 100}`,
  );
});

Deno.test("converted kedro checkpoint matches PyTorch's logits within 1e-4", async () => {
  const [model, test] = await Promise.all([readModel(SEED_DIR), loadMnist("t10k")]);
  const ref: ReferenceLogits = JSON.parse(await Deno.readTextFile(`${SEED_DIR}reference_logits.json`));
  assert.equal(ref.onnx_sha256, model.metadata.sha256, "fixture was written for another export");
  assert.equal(
    ref.checkpoint_sha256,
    await sha256Hex(await Deno.readFile(`${SEED_DIR}convnet.pt`)),
    "fixture was written from another checkpoint",
  );
  assert.deepEqual(ref.normalization, model.metadata.normalization);
  assert.ok(ref.indices.length >= 32, `only ${ref.indices.length} reference images`);
  assert.deepEqual(ref.labels, ref.indices.map((i) => test.labels[i]), "labels do not match the test set");

  const c = await wasmClassifier(model);
  const logits = await c.logits(
    toTensor(test, ref.indices, model.metadata.normalization),
    ref.indices.length,
  );
  await c.release();
  const diff = maxAbsDiff(logits, ref.logits.flat());
  assert.ok(diff <= MAX_LOGIT_DIFF, `largest logit difference ${diff}`);
});

Deno.test("converted kedro checkpoint's metadata describes its ONNX file", async () => {
  const model = await readModel(SEED_DIR);
  assert.equal(await sha256Hex(model.bytes), model.metadata.sha256);
  assert.equal(model.metadata.input.name, "input");
  assert.equal(model.metadata.output.name, "logits");
});
