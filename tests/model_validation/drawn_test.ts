/**
 * Test digits re-drawn as a user draws them (280×280 canvas, dark pen on white or on
 * a transparent canvas, small or large, anywhere, thin or thick pen), saved as PNG or
 * JPEG, decoded by `server/images/decode.ts` and pre-processed by `src/`.
 * @module
 */

import assert from "node:assert/strict";
import type { Pixels } from "../../src/mod.ts";
import { decodeImage } from "../../server/images/decode.ts";
import { loadMnist } from "../support/mnist_idx.ts";
import { drawDigit, mulberry32, randomStyle } from "./drawn_digits.ts";
import { encodeJpeg, encodePng } from "./image_encode.ts";
import { accuracy, productionModelDir, readModel, wasmClassifier } from "./model_files.ts";

const MIN_ACCURACY = 0.98;
/** Most drawn digits answered "not a digit": the 0.5 %, 4 of 800. */
const MAX_REJECTED = 0.005;
/** Drawn digits: 0.5 point of standard error at 98 %; ~15 ms each here, JPEG encoding being the slowest. */
const COUNT = 800;
const BATCH = 100;
const SEED = 20261126;

Deno.test("production model classifies test digits drawn on a 280×280 canvas and uploaded", async () => {
  const [model, test] = await Promise.all([readModel(productionModelDir()), loadMnist("t10k")]);
  const c = await wasmClassifier(model);
  const rand = mulberry32(SEED);
  const stride = Math.floor(test.count / COUNT);
  const labels = new Uint8Array(COUNT), predicted = new Int32Array(COUNT);
  let jpegs = 0, rejected = 0;
  for (let from = 0; from < COUNT; from += BATCH) {
    const batch: Pixels[] = [];
    for (let k = from; k < Math.min(COUNT, from + BATCH); k++) {
      // Stride with a random offset: every part of the test set, no digit twice.
      const i = k * stride + Math.floor(rand() * stride);
      labels[k] = test.labels[i];
      const style = randomStyle(rand);
      const drawing = drawDigit(test.image(i), style);
      // A fifth as JPEG (JPEG has no alpha, so only drawings on white paper).
      const asJpeg = !style.transparent && rand() < 0.3;
      if (asJpeg) jpegs++;
      const bytes = asJpeg ? encodeJpeg(drawing, 60 + Math.floor(rand() * 35)) : encodePng(drawing);
      batch.push(decodeImage(bytes));
    }
    const out = await c.classifyPixels(batch);
    out.forEach((p, k) => predicted[from + k] = p.predictedClass);
    rejected += out.filter((p) => !p.isDigit).length;
  }
  await c.release();
  assert.ok(jpegs > COUNT / 10, `only ${jpegs} JPEG files`);
  const acc = accuracy(predicted, labels);
  assert.ok(acc >= MIN_ACCURACY, `accuracy on ${COUNT} drawn digits ${(acc * 100).toFixed(2)} %`);
  assert.ok(rejected / COUNT <= MAX_REJECTED, `${rejected} of ${COUNT} drawn digits answered "not a digit"`);
});
