import assert from "node:assert/strict";
import {
  centreOfMass,
  inkBounds,
  inkMap,
  NoDigitError,
  normalize,
  type Pixels,
  preprocess,
  resize,
  toGrey,
  toInk,
} from "../../src/mod.ts";

/** A `w`×`h` image of `channels`, paper `bg`, with a filled rectangle of `fg`. */
function rect(
  w: number,
  h: number,
  box: { x0: number; y0: number; x1: number; y1: number },
  opts: { channels?: 1 | 2 | 3 | 4; bg?: number; fg?: number; alphaBg?: number } = {},
): Pixels {
  const channels = opts.channels ?? 1;
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
      const v = inside ? opts.fg ?? 0 : opts.bg ?? 255;
      const i = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) data[i + c] = v;
      if (channels === 4) data[i + 3] = inside ? 255 : opts.alphaBg ?? 255;
      if (channels === 2) data[i + 1] = inside ? 255 : opts.alphaBg ?? 255;
    }
  }
  return { width: w, height: h, channels, data };
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

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
  const dark = toInk(toGrey(rect(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 })), 10, 10);
  const light = toInk(toGrey(rect(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 }, { bg: 0, fg: 255 })), 10, 10);
  assert.deepEqual(Array.from(dark), Array.from(light));
  assert.equal(dark[0], 0);
  assert.equal(dark[4 * 10 + 4], 1);
});

Deno.test("toInk() treats grey paper as no ink", () => {
  const ink = toInk(toGrey(rect(10, 10, { x0: 4, y0: 4, x1: 6, y1: 6 }, { bg: 200, fg: 20 })), 10, 10);
  assert.equal(ink[0], 0);
  assert.ok(Math.abs(ink[44] - 0.9) < 1e-6);
});

Deno.test("inkBounds() finds the ink's bounding box", () => {
  const ink = toInk(toGrey(rect(40, 30, { x0: 5, y0: 7, x1: 12, y1: 25 })), 40, 30);
  assert.deepEqual(inkBounds(ink, 40, 30), { x0: 5, y0: 7, x1: 12, y1: 25 });
});

Deno.test("resize() averages areas when shrinking and keeps the mean", () => {
  const src = new Float32Array(16).map((_, i) => (i % 2 ? 1 : 0));
  const out = resize(src, 4, 0, 0, 4, 4, 2, 2);
  assert.deepEqual(Array.from(out), [0.5, 0.5, 0.5, 0.5]);
});

Deno.test("centreOfMass() of a rectangle is its centre", () => {
  const ink = new Float32Array(100);
  for (let y = 2; y < 5; y++) for (let x = 6; x < 9; x++) ink[y * 10 + x] = 1;
  assert.deepEqual(centreOfMass(ink, 10, 10), { x: 7, y: 3 });
});

Deno.test("preprocess() scales the longer side to 20 px and keeps the aspect", () => {
  // A 40×80 bar, off-centre in a 280×280 canvas: 10×20 after scaling.
  const out = preprocess(rect(280, 280, { x0: 10, y0: 150, x1: 50, y1: 230 }, { channels: 4 }));
  const box = inkBounds(out, 28, 28, 0.5)!;
  assert.equal(box.y1 - box.y0, 20);
  assert.equal(box.x1 - box.x0, 10);
});

Deno.test("preprocess() centres the ink on its centre of mass", () => {
  const out = preprocess(rect(200, 100, { x0: 150, y0: 10, x1: 190, y1: 90 }, { channels: 3 }));
  const com = centreOfMass(out, 28, 28);
  assert.ok(Math.abs(com.x - 13.5) <= 0.5, `x ${com.x}`);
  assert.ok(Math.abs(com.y - 13.5) <= 0.5, `y ${com.y}`);
  // Ink is conserved up to the scale factor squared (area averaging).
  assert.ok(Math.abs(sum(out) - 10 * 20) < 1, `ink ${sum(out)}`);
});

Deno.test("preprocess() gives the same image for both polarities", () => {
  const box = { x0: 30, y0: 40, x1: 60, y1: 120 };
  const a = preprocess(rect(140, 140, box));
  const b = preprocess(rect(140, 140, box, { bg: 0, fg: 255 }));
  assert.deepEqual(Array.from(a), Array.from(b));
});

Deno.test("preprocess() reads a transparent background as paper", () => {
  // Black ink on fully transparent black pixels, as a canvas export gives.
  const p = rect(100, 100, { x0: 40, y0: 20, x1: 60, y1: 80 }, { channels: 4, bg: 0, fg: 0, alphaBg: 0 });
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
  const wide = preprocess(rect(2000, 10, { x0: 100, y0: 3, x1: 1900, y1: 7 }));
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

Deno.test("inkMap() equals toInk(toGrey()) for every channel layout", async () => {
  const dir = new URL("../testdata/images/", import.meta.url);
  const { decodeImage } = await import("../../server/decode.ts");
  const layouts = new Set<number>();
  for (const e of Deno.readDirSync(dir)) {
    const p = decodeImage(await Deno.readFile(new URL(e.name, dir)));
    layouts.add(p.channels);
    const a = inkMap(p), b = toInk(toGrey(p), p.width, p.height);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `${e.name} pixel ${i}`);
  }
  for (const ch of [3] as const) {
    const p = rect(30, 20, { x0: 3, y0: 4, x1: 9, y1: 15 }, { channels: ch, bg: 230, fg: 40 });
    assert.deepEqual(Array.from(inkMap(p)), Array.from(toInk(toGrey(p), 30, 20)));
  }
  assert.deepEqual([...layouts].sort(), [1, 2, 4]);
});
