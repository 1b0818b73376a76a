import assert from "node:assert/strict";
import type { Prediction } from "../../../src/mod.ts";
import { createBatcher } from "../../../server/model/batcher.ts";

/** A runner that records batch sizes and answers each image's first value as its class. */
function recorder() {
  const sizes: number[] = [];
  const run = async (images: Float32Array[]): Promise<Prediction[]> => {
    sizes.push(images.length);
    await new Promise((r) => setTimeout(r, 5));
    return images.map((img) => ({
      predictedClass: img[0],
      confidence: 1,
      probabilities: [],
      isDigit: true,
      digitScore: 1,
    }));
  };
  return { sizes, run };
}

const img = (v: number) => new Float32Array([v]);

Deno.test("createBatcher() runs requests that queue while busy as one batch, answers in order", async () => {
  const r = recorder();
  const b = createBatcher(() => r.run);
  const answers = await Promise.all([1, 2, 3, 4, 5].map((v) => b.submit([img(v), img(v + 10)])));
  assert.deepEqual(answers.map((a) => a.map((p) => p.predictedClass)), [[1, 11], [2, 12], [3, 13], [4, 14], [
    5,
    15,
  ]]);
  assert.deepEqual(r.sizes, [2, 8]);
});

Deno.test("createBatcher() keeps batches within the limit", async () => {
  const r = recorder();
  const b = createBatcher(() => r.run, 4);
  await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit([img(i)])));
  assert.deepEqual(r.sizes, [1, 4, 4, 1]);
});

Deno.test("createBatcher() rejects every caller of a failed batch and keeps serving", async () => {
  let fail = true;
  const b = createBatcher(() => async (images) => {
    await Promise.resolve();
    if (fail) throw new Error("boom");
    return images.map(() => ({
      predictedClass: 0,
      confidence: 1,
      probabilities: [],
      isDigit: true,
      digitScore: 1,
    }));
  });
  const results = await Promise.allSettled([b.submit([img(1)]), b.submit([img(2)])]);
  assert.ok(results.every((r) => r.status === "rejected"));
  fail = false;
  assert.equal((await b.submit([img(3)])).length, 1);
});
