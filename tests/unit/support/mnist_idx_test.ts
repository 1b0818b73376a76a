import assert from "node:assert/strict";
import { loadMnist, parseIdx } from "../../support/mnist_idx.ts";

/** An IDX file of unsigned bytes with the given dimensions and values. */
function idx(dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

Deno.test("parseIdx() reads big-endian dimensions and the values after them", () => {
  const { dims, data } = parseIdx(idx([2, 3, 256], Array.from({ length: 1536 }, (_, i) => i % 251)));
  assert.deepEqual(dims, [2, 3, 256]);
  assert.equal(data.length, 1536);
  assert.equal(data[0], 0);
  assert.equal(data[1535], 1535 % 251);
});

Deno.test("parseIdx() rejects other types, bad magic and lengths that disagree with the header", () => {
  const good = idx([4], [1, 2, 3, 4]);
  const float = good.slice();
  float[2] = 0x0d;
  assert.throws(() => parseIdx(float), SyntaxError);
  const magic = good.slice();
  magic[0] = 1;
  assert.throws(() => parseIdx(magic), SyntaxError);
  assert.throws(() => parseIdx(good.subarray(0, 6)), SyntaxError);
  assert.throws(() => parseIdx(good.subarray(0, good.length - 1)), RangeError);
  assert.throws(() => parseIdx(new Uint8Array([...good, 0])), RangeError);
});

Deno.test("loadMnist() gives the test split's images and labels, one image per label", async () => {
  const test = await loadMnist("t10k");
  assert.equal(test.labels.length, test.count);
  assert.equal(test.images.length, test.count * test.rows * test.cols);
  assert.deepEqual([test.rows, test.cols], [28, 28]);
  assert.ok(test.labels.every((l) => l <= 9));
  assert.equal(new Set(test.labels).size, 10);
  const last = test.image(test.count - 1);
  assert.equal(last.length, 784);
  assert.equal(last.byteOffset - test.images.byteOffset, (test.count - 1) * 784);
  assert.throws(() => test.image(test.count), RangeError);
  assert.throws(() => test.image(-1), RangeError);
});
