/**
 * The 10k MNIST test digits uploaded as pictures: each is written to a real PNG,
 * decoded by `server/images/decode.ts` and pre-processed by `src/` (grey, polarity, crop,
 * 20 px box, centre of mass) before the production model sees it.
 * @module
 */

import assert from "node:assert/strict";
import type { Pixels } from "../../src/mod.ts";
import { decodeImage } from "../../server/images/decode.ts";
import { loadMnist, type MnistSet } from "../support/mnist_idx.ts";
import { encodePng } from "./image_encode.ts";
import { accuracy, PIXELS, productionModelDir, readModel, wasmClassifier } from "./model_files.ts";

const MIN_ACCURACY = 0.992;
/** Most digits answered "not a digit" (the bound, as for the tensors in not_digit_test.ts). */
const MAX_REJECTED = 0.005;
const BATCH = 500;

/** One test digit as RGBA; odd indices dark on white, as a scan or a drawing would be. */
function picture(set: MnistSet, i: number): Pixels {
  const img = set.image(i), data = new Uint8Array(PIXELS * 4);
  const invert = i % 2 === 1;
  for (let p = 0; p < PIXELS; p++) {
    const v = invert ? 255 - img[p] : img[p];
    data.set([v, v, v, 255], p * 4);
  }
  return { width: set.cols, height: set.rows, channels: 4, data };
}

Deno.test("production model classifies the 10k test digits sent as PNG files through the whole pipeline", async () => {
  const [model, test] = await Promise.all([readModel(productionModelDir()), loadMnist("t10k")]);
  const c = await wasmClassifier(model);
  const predicted = new Int32Array(test.count);
  let rejected = 0;
  for (let from = 0; from < test.count; from += BATCH) {
    const batch: Pixels[] = [];
    for (let i = from; i < Math.min(test.count, from + BATCH); i++) {
      batch.push(decodeImage(encodePng(picture(test, i))));
    }
    const out = await c.classifyPixels(batch);
    out.forEach((p, k) => predicted[from + k] = p.predictedClass);
    rejected += out.filter((p) => !p.isDigit).length;
  }
  await c.release();
  const acc = accuracy(predicted, test.labels);
  assert.ok(acc >= MIN_ACCURACY, `accuracy through the pipeline ${(acc * 100).toFixed(2)} %`);
  assert.ok(rejected / test.count <= MAX_REJECTED, `${rejected} answered "not a digit"`);
});
