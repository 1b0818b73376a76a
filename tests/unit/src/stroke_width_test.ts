import assert from "node:assert/strict";
import {
  BLOB_RATIO,
  distanceToPaper,
  MAX_STROKE_RATIO,
  strokeWidth,
  thinToRatio,
} from "../../../src/stroke_width.ts";

/** A `w`×`h` ink image with a vertical band of `width` pixels from `x0`, and optionally a horizontal one. */
function bands(w: number, h: number, width: number, x0: number, y0 = -1): Float32Array {
  const ink = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((x >= x0 && x < x0 + width) || (y0 >= 0 && y >= y0 && y < y0 + width)) ink[y * w + x] = 1;
    }
  }
  return ink;
}

Deno.test("distanceToPaper() counts pixels to the nearest paper, 1 on the edge", () => {
  const d = distanceToPaper(bands(9, 9, 5, 2), 9, 9);
  assert.deepEqual(Array.from(d.subarray(4 * 9, 5 * 9)), [0, 0, 1, 2, 3, 2, 1, 0, 0]);
});

Deno.test("strokeWidth() measures a band's width", () => {
  for (const width of [3, 6, 12]) {
    const est = strokeWidth(bands(80, 80, width, 30), 80, 80);
    assert.ok(Math.abs(est - width) <= 1, `band of ${width}: ${est}`);
  }
  assert.equal(strokeWidth(new Float32Array(16), 4, 4), 0);
});

Deno.test("thinToRatio() leaves thin strokes alone and erodes thick ones to the ratio", () => {
  assert.equal(thinToRatio(bands(80, 80, 10, 30, 10), 80, 80), undefined); // 0.125 of the box
  // An L of 28-pixel strokes in 80 (0.35): eroded by about 10 px each side.
  const thick = bands(80, 80, 28, 0, 52);
  const thin = thinToRatio(thick, 80, 80)!;
  assert.ok(thin, "not eroded");
  let x0 = 80, x1 = -1;
  for (let i = 0; i < thin.length; i++) {
    if (thin[i] > 0.5) x0 = Math.min(x0, i % 80), x1 = Math.max(x1, i % 80);
  }
  const side = x1 - x0 + 1, width = strokeWidth(thin, 80, 80);
  assert.ok(Math.abs(width / side - MAX_STROKE_RATIO) < 0.03, `width ${width} over box ${side}`);
});

Deno.test("thinToRatio() leaves a blob a blob", () => {
  const disc = Float32Array.from(
    { length: 80 * 80 },
    (_, i) => Math.hypot(i % 80 - 39.5, (i / 80 | 0) - 39.5) < 40 ? 1 : 0,
  );
  assert.ok(strokeWidth(disc, 80, 80) / 80 > BLOB_RATIO);
  assert.equal(thinToRatio(disc, 80, 80), undefined);
});
