/**
 * The production model on the full 10k MNIST test set, fed as normalised 28×28 tensors
 * through `src/` on WASM: accuracy, agreement with its metadata, per-class accuracy
 * and calibration.
 * @module
 */

import assert from "node:assert/strict";
import { softmax } from "../../src/mod.ts";
import { loadMnist } from "../support/mnist_idx.ts";
import {
  accuracy,
  allLogits,
  argmaxRows,
  productionModelDir,
  readModel,
  wasmClassifier,
} from "./model_files.ts";

const MIN_ACCURACY = 0.994;
const MIN_CLASS_ACCURACY = 0.985;
/** Largest gap to the accuracy training measured in PyTorch and wrote to the metadata. */
const METADATA_TOLERANCE = 0.001;
/** The same for one class (about 1000 digits each, so 5 digits). */
const CLASS_METADATA_TOLERANCE = 0.005;
const MAX_ECE = 0.02;
const ECE_BINS = 15;

/**
 * Expected calibration error: the gap between confidence and accuracy, averaged over
 * equal-width confidence bins weighted by their size.
 */
function expectedCalibrationError(
  probs: Float32Array,
  labels: Uint8Array,
  classes: number,
  bins: number,
): number {
  const count = new Float64Array(bins), conf = new Float64Array(bins), hits = new Float64Array(bins);
  const predicted = argmaxRows(probs, classes);
  for (let r = 0; r < labels.length; r++) {
    const p = probs[r * classes + predicted[r]];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    conf[b] += p;
    if (predicted[r] === labels[r]) hits[b]++;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(hits[b] - conf[b]) / labels.length;
  return ece;
}

Deno.test("production model classifies the 10k MNIST test digits on WASM as its metadata says", async (t) => {
  const [model, test] = await Promise.all([readModel(productionModelDir()), loadMnist("t10k")]);
  const c = await wasmClassifier(model);
  const classes = model.metadata.labels.length;
  const logits = await allLogits(c, test);
  await c.release();
  const predicted = argmaxRows(logits, classes);
  const acc = accuracy(predicted, test.labels);

  await t.step(`accuracy is at least ${MIN_ACCURACY * 100} %`, () => {
    assert.ok(acc >= MIN_ACCURACY, `accuracy ${(acc * 100).toFixed(2)} %`);
  });

  await t.step("accuracy matches the metadata within 0.1 point", () => {
    const claimed = model.metadata.test?.accuracy;
    assert.equal(typeof claimed, "number", "metadata has no test.accuracy");
    assert.equal(model.metadata.test?.samples, test.count, "metadata was measured on another test set");
    assert.ok(
      Math.abs(acc - claimed!) <= METADATA_TOLERANCE,
      `ONNX on WASM ${(acc * 100).toFixed(2)} %, metadata ${(claimed! * 100).toFixed(2)} %`,
    );
  });

  await t.step(`every class is at least ${MIN_CLASS_ACCURACY * 100} % and matches the metadata`, () => {
    for (let k = 0; k < classes; k++) {
      let n = 0, ok = 0;
      for (let i = 0; i < test.count; i++) {
        if (test.labels[i] !== k) continue;
        n++;
        if (predicted[i] === k) ok++;
      }
      assert.ok(n > 0, `no test digit of class ${k}`);
      const classAcc = ok / n;
      assert.ok(classAcc >= MIN_CLASS_ACCURACY, `class ${k}: ${(classAcc * 100).toFixed(2)} % of ${n}`);
      const claimed = model.metadata.test?.per_class_accuracy?.[String(k)];
      if (claimed !== undefined) {
        assert.ok(
          Math.abs(classAcc - claimed) <= CLASS_METADATA_TOLERANCE,
          `class ${k}: ${classAcc} on WASM vs ${claimed} in the metadata`,
        );
      }
    }
  });

  await t.step(`expected calibration error is at most ${MAX_ECE * 100} %`, () => {
    const ece = expectedCalibrationError(softmax(logits, classes), test.labels, classes, ECE_BINS);
    assert.ok(Number.isFinite(ece) && ece <= MAX_ECE, `ECE ${(ece * 100).toFixed(3)} %`);
  });
});
