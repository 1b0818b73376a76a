import assert from "node:assert/strict";
import { NoDigitError } from "../../../src/errors.ts";
import {
  centreOfMass,
  greyBytes,
  normalize,
  type Pixels,
  preprocess,
  resize,
} from "../../../src/preprocess.ts";
import { BLOB_RATIO, MAX_STROKE_RATIO, strokeWidth } from "../../../src/stroke_width.ts";
import { placeStrokes, rasterStrokes } from "../../support/pad_raster.ts";
import { inkBounds, referencePreprocess, toGrey, toInk } from "../../support/reference_preprocess.ts";
import { rectImage } from "../../support/rect_image.ts";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

const identity = new Float32Array(256).map((_, v) => v / 255);

Deno.test("resize() averages areas when shrinking and keeps the mean", () => {
  const src = new Uint8Array(16).map((_, i) => (i % 2 ? 255 : 0));
  const out = resize(src, identity, 4, 0, 0, 4, 4, 2, 2);
  assert.deepEqual(Array.from(out), [0.5, 0.5, 0.5, 0.5]);
  // Uneven ratios (7→3, 5→2) split the pixels on the edges between outputs: the mean stays.
  const bytes = new Uint8Array(35).map((_, i) => (i * 37) % 256);
  const mean = (a: ArrayLike<number>) => sum(a) / a.length;
  const shrunk = resize(bytes, identity, 7, 0, 0, 7, 5, 3, 2);
  assert.ok(Math.abs(mean(shrunk) - mean(bytes) / 255) < 1e-6);
});

Deno.test("resize() reads a region through the table", () => {
  // A 2×2 region at (1, 1) of a 4×4 image, enlarged: bilinear, ink table inverted.
  const src = new Uint8Array(16).fill(255);
  src[5] = 0;
  const inverted = identity.map((v) => 1 - v);
  const out = resize(src, inverted, 4, 1, 1, 2, 2, 4, 4);
  assert.equal(out[0], 1);
  assert.equal(out[15], 0);
});

Deno.test("centreOfMass() of a rectangle is its centre", () => {
  const ink = new Float32Array(100);
  for (let y = 2; y < 5; y++) for (let x = 6; x < 9; x++) ink[y * 10 + x] = 1;
  assert.deepEqual(centreOfMass(ink, 10, 10), { x: 7, y: 3 });
});

Deno.test("preprocess() scales the longer side to 20 px and keeps the aspect", () => {
  // A 40×80 bar, off-centre in a 280×280 canvas: 10×20 after scaling.
  // (A filled bar is all stroke, which the thinning would erode: it is off here.)
  const bar = rectImage(280, 280, { x0: 10, y0: 150, x1: 50, y1: 230 }, { channels: 4 });
  const out = preprocess(bar, { maxStrokeRatio: Infinity });
  const box = inkBounds(out, 28, 28, 0.5)!;
  assert.equal(box.y1 - box.y0, 20);
  assert.equal(box.x1 - box.x0, 10);
});

Deno.test("preprocess() centres the ink on its centre of mass", () => {
  const bar = rectImage(200, 100, { x0: 150, y0: 10, x1: 190, y1: 90 }, { channels: 3 });
  const out = preprocess(bar, { maxStrokeRatio: Infinity });
  const com = centreOfMass(out, 28, 28);
  assert.ok(Math.abs(com.x - 13.5) <= 0.5, `x ${com.x}`);
  assert.ok(Math.abs(com.y - 13.5) <= 0.5, `y ${com.y}`);
  // Ink is conserved up to the scale factor squared (area averaging).
  assert.ok(Math.abs(sum(out) - 10 * 20) < 1, `ink ${sum(out)}`);
});

Deno.test("preprocess() gives the same image for both polarities", () => {
  const box = { x0: 30, y0: 40, x1: 60, y1: 120 };
  const a = preprocess(rectImage(140, 140, box));
  const b = preprocess(rectImage(140, 140, box, { bg: 0, fg: 255 }));
  assert.deepEqual(Array.from(a), Array.from(b));
});

Deno.test("preprocess() reads a transparent background as paper", () => {
  // Black ink on fully transparent black pixels, as a canvas export gives.
  const p = rectImage(100, 100, { x0: 40, y0: 20, x1: 60, y1: 80 }, {
    channels: 4,
    bg: 0,
    fg: 0,
    alphaBg: 0,
  });
  const out = preprocess(p);
  assert.ok(sum(out) > 50);
  assert.equal(out[0], 0);
});

Deno.test("preprocess() reports an empty canvas as no digit", () => {
  const blank: Pixels = { width: 50, height: 50, channels: 4, data: new Uint8Array(50 * 50 * 4).fill(255) };
  assert.throws(() => preprocess(blank), NoDigitError);
  const transparent: Pixels = { width: 50, height: 50, channels: 4, data: new Uint8Array(50 * 50 * 4) };
  assert.throws(() => preprocess(transparent), NoDigitError);
});

Deno.test("preprocess() handles 1×1 and very wide images", () => {
  assert.throws(
    () => preprocess({ width: 1, height: 1, channels: 1, data: new Uint8Array([255]) }),
    NoDigitError,
  );
  const wide = preprocess(rectImage(2000, 10, { x0: 100, y0: 3, x1: 1900, y1: 7 }));
  const box = inkBounds(wide, 28, 28, 0.01)!;
  assert.equal(box.x1 - box.x0, 20);
  assert.equal(wide.length, 784);
  assert.ok(wide.every(Number.isFinite));
});

Deno.test("normalize() applies mean and std into a slice", () => {
  const out = new Float32Array(4);
  normalize([0, 1], 0.5, 0.25, out.subarray(2));
  assert.deepEqual(Array.from(out), [0, 0, -2, 2]);
});

/** Between two grey bytes' ink levels: 0.2, the default, is exactly byte 204's on white paper. */
const THRESHOLD = 0.21;

Deno.test("preprocess() on grey bytes equals the float reference for every image and layout", async () => {
  const dir = new URL("../../testdata/images/", import.meta.url);
  const { decodeImage } = await import("../../../server/images/decode.ts");
  const layouts = new Set<number>();
  let compared = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = decodeImage(await Deno.readFile(new URL(e.name, dir)));
    if (!inkBounds(toInk(toGrey(p), p.width, p.height), p.width, p.height)) continue; // blank ones
    layouts.add(p.channels);
    // The reference has no stroke thinning: compared without it.
    const a = preprocess(p, { inkThreshold: THRESHOLD, maxStrokeRatio: Infinity });
    const b = referencePreprocess(p, THRESHOLD);
    // Up to rounding (colour layouts round grey to a byte); a wrong weight or an
    // off-by-one crop is off by 0.05 or more.
    for (let i = 0; i < 784; i++) {
      assert.ok(Math.abs(a[i] - b[i]) < 4e-3, `${e.name} pixel ${i}: ${a[i]} vs ${b[i]}`);
    }
    compared++;
  }
  assert.ok(compared >= 20, `${compared} images`);
  assert.deepEqual([...layouts].sort(), [1, 2, 4]);
  const rgb = rectImage(30, 20, { x0: 3, y0: 4, x1: 9, y1: 15 }, { channels: 3, bg: 230, fg: 40 });
  const a = preprocess(rgb, { inkThreshold: THRESHOLD, maxStrokeRatio: Infinity });
  const b = referencePreprocess(rgb, THRESHOLD);
  for (let i = 0; i < 784; i++) assert.ok(Math.abs(a[i] - b[i]) < 4e-3, `rgb pixel ${i}`);
});

Deno.test("greyBytes() keeps grey images and rounds composited ones", () => {
  const grey = rectImage(3, 3, { x0: 1, y0: 1, x1: 2, y1: 2 });
  assert.equal(greyBytes(grey), grey.data);
  const rgba: Pixels = { width: 2, height: 1, channels: 4, data: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 128]) };
  assert.deepEqual(Array.from(greyBytes(rgba)), [255, 127]);
});

Deno.test("greyBytes() rejects a buffer that does not match its size", () => {
  assert.throws(() => greyBytes({ width: 3, height: 3, channels: 1, data: new Uint8Array(8) }), RangeError);
  assert.throws(() => greyBytes({ width: 0, height: 3, channels: 1, data: new Uint8Array(0) }), RangeError);
});

/** The 7: a bar and a diagonal, in unit coordinates of its own box. */
const SEVEN = [[{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0.4, y: 1 }]];

/** Share of the pixels inked (> 0.5) in either image that are inked in both. */
function overlap(a: Float32Array, b: Float32Array): number {
  let both = 0, either = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > 0.5 && b[i] > 0.5) both++;
    if (a[i] > 0.5 || b[i] > 0.5) either++;
  }
  return both / either;
}

Deno.test("preprocess() thins the pen of a 7 drawn small in a corner of the pad to a large 7's strokes", () => {
  // The page's pen is 7.5 % of the pad: across 15 % of it, the 7's strokes are a third of its box.
  const small = rasterStrokes(placeStrokes(SEVEN, 0.15, 0.02, 0.02));
  // Across 35 % of the pad the pen is 0.18 of the box: the thickest a stroke stays unthinned.
  const larger = preprocess(rasterStrokes(placeStrokes(SEVEN, 0.35, 0.3, 0.4)));
  const thinned = preprocess(small), blob = preprocess(small, { maxStrokeRatio: Infinity });
  const width = (img: Float32Array) => strokeWidth(img, 28, 28);
  assert.ok(width(blob) > 6, `unthinned: strokes ${width(blob)} px wide`); // MNIST's are 2–4
  assert.ok(width(thinned) <= MAX_STROKE_RATIO * 20 + 1, `thinned: ${width(thinned)} px`);
  assert.ok(overlap(thinned, larger) > 0.6, `overlap with the larger 7 ${overlap(thinned, larger)}`);
  assert.ok(overlap(thinned, larger) > overlap(blob, larger) + 0.1, `unthinned ${overlap(blob, larger)}`);
});

Deno.test("preprocess() leaves a tap of the pen a blob", () => {
  const dot = preprocess(rasterStrokes([[{ x: 0.6, y: 0.3 }]]));
  assert.ok(strokeWidth(dot, 28, 28) / 20 > BLOB_RATIO, `${strokeWidth(dot, 28, 28)}`);
  assert.deepEqual(dot, preprocess(rasterStrokes([[{ x: 0.6, y: 0.3 }]]), { maxStrokeRatio: Infinity }));
});
