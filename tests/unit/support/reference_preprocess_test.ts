import assert from "node:assert/strict";
import type { Pixels } from "../../../src/preprocess.ts";
import { inkBounds, toGrey, toInk } from "../../support/reference_preprocess.ts";
import { rectImage } from "../../support/rect_image.ts";

Deno.test("toGrey() composites alpha on white", () => {
  const p: Pixels = { width: 2, height: 1, channels: 4, data: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 255]) };
  assert.deepEqual(Array.from(toGrey(p)), [1, 0]);
});

Deno.test("toGrey() weighs RGB as luminance", () => {
  const p: Pixels = { width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 0]) };
  assert.ok(Math.abs(toGrey(p)[0] - 0.299) < 1e-6);
});

Deno.test("toGrey() rejects a buffer that does not match its size", () => {
  assert.throws(() => toGrey({ width: 3, height: 3, channels: 1, data: new Uint8Array(8) }), RangeError);
  assert.throws(() => toGrey({ width: 0, height: 3, channels: 1, data: new Uint8Array(0) }), RangeError);
});

Deno.test("toInk() inverts dark ink on light paper and keeps light ink on dark", () => {
  const dark = toInk(toGrey(rectImage(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 })), 10, 10);
  const light = toInk(toGrey(rectImage(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 }, { bg: 0, fg: 255 })), 10, 10);
  assert.deepEqual(Array.from(dark), Array.from(light));
  assert.equal(dark[0], 0);
  assert.equal(dark[4 * 10 + 4], 1);
});

Deno.test("toInk() treats grey paper as no ink", () => {
  const ink = toInk(toGrey(rectImage(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 }, { bg: 200, fg: 20 })), 10, 10);
  assert.equal(ink[0], 0);
  assert.ok(Math.abs(ink[44] - 0.9) < 1e-6);
});

Deno.test("inkBounds() finds the ink's bounding box", () => {
  const ink = toInk(toGrey(rectImage(40, 30, { x0: 5, y0: 7, x1: 12, y1: 25 })), 40, 30);
  assert.deepEqual(inkBounds(ink, 40, 30), { x0: 5, y0: 7, x1: 12, y1: 25 });
});
