import assert from "node:assert/strict";
import { createBatcher } from "../../../server/model/batcher.ts";

/** A runner that records batch sizes, answers each input doubled, and names the run. */
function recorder() {
  const sizes: number[] = [];
  let runs = 0;
  const run = async (inputs: number[]) => {
    sizes.push(inputs.length);
    await new Promise((r) => setTimeout(r, 5));
    return { items: inputs.map((v) => v * 2), meta: `run ${runs++}` };
  };
  return { sizes, run };
}

Deno.test("createBatcher() runs requests that queue while busy as one batch, answers in order", async () => {
  const r = recorder();
  const b = createBatcher(r.run);
  const answers = await Promise.all([1, 2, 3, 4, 5].map((v) => b.submit([v, v + 10])));
  assert.deepEqual(answers.map((a) => a.items), [[2, 22], [4, 24], [6, 26], [8, 28], [10, 30]]);
  assert.deepEqual(r.sizes, [2, 8]);
  // Each caller learns which run answered it: the first alone, the rest together.
  assert.deepEqual(answers.map((a) => a.meta), ["run 0", "run 1", "run 1", "run 1", "run 1"]);
});

Deno.test("createBatcher() keeps batches within the limit", async () => {
  const r = recorder();
  const b = createBatcher(r.run, 4);
  await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit([i])));
  assert.deepEqual(r.sizes, [1, 4, 4, 1]);
});

Deno.test("createBatcher() rejects every caller of a failed batch and keeps serving", async () => {
  let fail = true;
  const b = createBatcher(async (inputs: number[]) => {
    await Promise.resolve();
    if (fail) throw new Error("boom");
    return { items: inputs, meta: null };
  });
  const results = await Promise.allSettled([b.submit([1]), b.submit([2])]);
  assert.ok(results.every((r) => r.status === "rejected"));
  fail = false;
  assert.deepEqual((await b.submit([3])).items, [3]);
});
