import assert from "node:assert/strict";
import { notDigitRule, softmax, topK, toPredictions } from "../../../src/postprocess.ts";

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

Deno.test("toPredictions() reads the 'not a digit' logit into isDigit and digitScore", () => {
  // Row 0: a confident 3; row 1: the not-a-digit logit wins; row 2: even odds.
  const logits = new Float32Array(33);
  logits[3] = 8;
  logits[11 + 5] = 2, logits[11 + 10] = 9;
  logits[22 + 10] = Math.log(10); // ten digit logits of 0: Σ exp = 10, as much as exp(log 10)
  const [digit, scribble, even] = toPredictions(logits, 10, { outputIndex: 10, threshold: 0.4 });
  assert.equal(digit.isDigit, true);
  assert.ok(digit.digitScore > 0.99);
  assert.equal(digit.predictedClass, 3);
  assert.equal(scribble.isDigit, false);
  assert.ok(scribble.digitScore < 0.01, `${scribble.digitScore}`);
  // The closest digit and probabilities over the ten digits only are still given.
  assert.equal(scribble.predictedClass, 5);
  assert.equal(scribble.probabilities.length, 10);
  assert.ok(Math.abs(scribble.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.ok(Math.abs(even.digitScore - 0.5) < 1e-6, `${even.digitScore}`); // log 10 rounded to float32
  assert.equal(even.isDigit, true); // 0.5 ≥ 0.4
});

Deno.test("toPredictions() gives probabilities over the digits equal to a 10-logit model's", () => {
  const digits = Float32Array.from({ length: 10 }, (_, i) => Math.sin(i) * 3);
  const withNd = Float32Array.from([...digits, 1.5]);
  const [a] = toPredictions(digits);
  const [b] = toPredictions(withNd, 10, { outputIndex: 10, threshold: 0 });
  assert.deepEqual(b.probabilities, a.probabilities);
  assert.equal(b.predictedClass, a.predictedClass);
  assert.equal(a.isDigit, true);
  assert.equal(a.digitScore, 1); // a model without the output: every image is a digit
});

Deno.test("toPredictions() rejects a rule whose logit is not after the classes, and a ragged batch", () => {
  assert.throws(
    () => toPredictions(new Float32Array(11), 10, { outputIndex: 3, threshold: 0.5 }),
    RangeError,
  );
  assert.throws(
    () => toPredictions(new Float32Array(20), 10, { outputIndex: 10, threshold: 0.5 }),
    RangeError,
  );
});

Deno.test("notDigitRule() reads the metadata's not_digit block, undefined without one", () => {
  assert.deepEqual(
    notDigitRule({ not_digit: { output_index: 10, score: "digit_probability", threshold: 0.03 } }),
    { outputIndex: 10, threshold: 0.03 },
  );
  assert.equal(notDigitRule({}), undefined);
});
