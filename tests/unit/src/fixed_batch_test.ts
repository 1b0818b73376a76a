/**
 * `src/fixed_batch.ts` on the real model: the rewritten graph loads, gives the same
 * outputs for one image, and refuses a batch of two (the batch is now fixed to 1).
 * Runs in Deno with the WASM backend; it lives beside the e2e tests because it tests
 * a `web/` module.
 * @module
 */

import assert from "node:assert/strict";
import { createClassifier, parseMetadata } from "../../../src/mod.ts";
import { fixBatchToOne } from "../../../src/fixed_batch.ts";

const MODELS = new URL("../../../models/", import.meta.url);

Deno.test({
  name: "fixBatchToOne() fixes the batch dimension and keeps the outputs",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const metadata = parseMetadata(JSON.parse(await Deno.readTextFile(new URL("convnet.json", MODELS))));
    const bytes = await Deno.readFile(new URL(metadata.file, MODELS));
    const fixed = fixBatchToOne(bytes);
    assert.notEqual(fixed, bytes);
    assert.equal(fixBatchToOne(fixed), fixed, "a model without named dimensions is returned as is");
    const a = await createClassifier(bytes, metadata, { backend: "wasm" });
    const b = await createClassifier(fixed, metadata, { backend: "wasm", verifySha256: false });
    try {
      const image = new Float32Array(784).map((
        _,
        i,
      ) => (i % 28 >= 12 && i % 28 <= 15 && i > 112 && i < 672 ? 1 : 0));
      const [pa] = await a.classifyImages([image]);
      const [pb] = await b.classifyImages([image]);
      assert.deepEqual(pb.probabilities, pa.probabilities);
      await assert.rejects(b.classifyImages([image, image]));
    } finally {
      await a.release();
      await b.release();
    }
  },
});

Deno.test("fixBatchToOne() refuses bytes that are not protobuf", () => {
  assert.throws(() => fixBatchToOne(new Uint8Array([0x3a, 0xff])), RangeError);
});
