import assert from "node:assert/strict";
import { softmax, topK, toPredictions } from "../../../src/postprocess.ts";

Deno.test("softmax() sums to 1 per row and survives huge logits", () => {
  const p = softmax([1000, 1000, -1000, 0, 0, 0], 3);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
  assert.ok(Math.abs(p[0] - 0.5) < 1e-6);
  assert.ok(Math.abs(p[3] - 1 / 3) < 1e-6);
  assert.ok(p.every(Number.isFinite));
});

Deno.test("softmax() rejects a length that is not a multiple of the classes", () => {
  assert.throws(() => softmax([1, 2, 3], 2), RangeError);
});

Deno.test("topK() sorts by probability, ties by label", () => {
  assert.deepEqual(topK([0.1, 0.4, 0.4, 0.1], 3).map((t) => t.label), [1, 2, 0]);
  assert.equal(topK([0.5, 0.5], 0).length, 0);
});

Deno.test("toPredictions() returns one prediction per row of a batch", () => {
  const logits = new Float32Array(30);
  logits[3] = 5;
  logits[10 + 7] = 5;
  logits[20 + 0] = 5;
  const preds = toPredictions(logits);
  assert.deepEqual(preds.map((p) => p.predictedClass), [3, 7, 0]);
  for (const p of preds) {
    assert.equal(p.probabilities.length, 10);
    assert.equal(p.confidence, Math.max(...p.probabilities));
  }
});
