/**
 * Pixels of any size → the 28×28 digit MNIST models expect, as pure functions.
 *
 * Runs in Deno and the browser: the server feeds it decoded uploads, the page its
 * canvas. The steps copy how MNIST itself was made: grey (alpha over white) →
 * polarity (dark ink on light paper is inverted to light on dark) → crop to the ink
 * → longer side scaled to 20 px, aspect kept (strokes thicker than MNIST's thickest
 * for their box are thinned first: `stroke_width.ts`) → pasted into 28×28 with the
 * centre of mass in the middle. {@linkcode normalize} then applies the model's mean
 * and std.
 * @module
 */

import { NoDigitError } from "./errors.ts";
import { MAX_STROKE_RATIO, strokeWidth, THIN_BOX, thinToRatio } from "./stroke_width.ts";

/** Decoded image: `channels` bytes per pixel, row-major, no padding. */
export interface Pixels {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Side of the model's input image. */
export const SIDE = 28;

/** Values in one model input image (`SIDE × SIDE`, one channel). */
export const PIXELS: number = SIDE * SIDE;
/** Side of the box the digit is scaled into, as in MNIST. */
const BOX = 20;

/** Options of {@linkcode preprocess}. */
export interface PreprocessOptions {
  /** Ink (0–1, after background removal) above which a pixel counts as part of the digit. @default 0.2 */
  inkThreshold?: number;
  /**
   * Widest stroke kept, as a fraction of the ink box's longer side; wider strokes are
   * thinned to it before the box is scaled (`stroke_width.ts`). `Infinity` keeps them.
   * @default MAX_STROKE_RATIO (0.2)
   */
  maxStrokeRatio?: number;
}

/** Check that a pixel buffer matches its dimensions. */
function checkPixels({ width, height, channels, data }: Pixels): void {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`Image size must be positive integers, got ${width}×${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`Channels must be 1–4, got ${channels}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `Expected ${width * height * channels} bytes for ${width}×${height}×${channels}, got ${data.length}`,
    );
  }
}

/** Grey level (0 black … 1 white) of pixel `i`, alpha composited on white. */
function greyReader({ channels: ch, data }: Pixels): (i: number) => number {
  const k = 1 / 255;
  return (i) => {
    const j = i * ch;
    if (ch === 1) return data[j] * k;
    if (ch === 2) return data[j] * k * (data[j + 1] * k) + (1 - data[j + 1] * k);
    const lum = (0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2]) * k;
    return ch === 3 ? lum : (data[j + 3] * k) * lum + (1 - data[j + 3] * k);
  };
}

/**
 * Median of the border's grey levels: the paper. A histogram rather than a sort, as the
 * border of a 280×280 upload holds over a thousand pixels.
 */
function paperLevel(grey: ArrayLike<number>, w: number, h: number): number {
  const hist = new Uint32Array(256);
  // Top and bottom rows (the same row twice when h is 1), then the sides in between.
  for (let x = 0; x < w; x++) hist[grey[x]]++, hist[grey[(h - 1) * w + x]]++;
  for (let y = 1; y < h - 1; y++) hist[grey[y * w]]++, hist[grey[y * w + w - 1]]++;
  const middle = (2 * w + 2 * Math.max(0, h - 2)) >> 1;
  let v = 0;
  for (let seen = hist[0]; seen <= middle; seen += hist[++v]);
  return v;
}

/**
 * The grey → ink mapping of an image: dark ink on light paper is inverted to MNIST's
 * light on dark, and an off-white or grey paper counts as no ink. Undefined when the
 * paper has no contrast left for ink.
 */
function inkScale(paper: number): ((g: number) => number) | undefined {
  const lightPaper = paper > 0.5;
  const range = lightPaper ? paper : 1 - paper;
  if (range < 1 / 255) return undefined; // paper as dark (or light) as ink can be
  const scale = 1 / range;
  return (g) => {
    const v = lightPaper ? (paper - g) * scale : (g - paper) * scale;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  };
}

/**
 * Grey level of every pixel as a byte, 0 black … 255 white: grey images as they are,
 * others composited on white and rounded. {@linkcode preprocess} works on these bytes
 * through a 256-entry ink table, a quarter of the memory of floats and no per-pixel maths.
 *
 * @param p The image.
 * @returns `width * height` bytes (the image's own buffer when it is grey).
 * @throws {RangeError} When the dimensions or the buffer length are wrong.
 */
export function greyBytes(p: Pixels): Uint8Array | Uint8ClampedArray {
  checkPixels(p);
  if (p.channels === 1) return p.data;
  const grey = greyReader(p);
  const out = new Uint8Array(p.width * p.height);
  for (let i = 0; i < out.length; i++) out[i] = grey(i) * 255 + 0.5; // stored truncated: rounds
  return out;
}

/**
 * Ink (0–1) of each grey byte of an image whose paper is the byte `paper`; undefined when
 * that paper leaves no contrast for ink. `tests/support/reference_preprocess.ts` computes
 * the same values on floats.
 */
function inkTable(paper: number): Float32Array | undefined {
  const k = 1 / 255;
  const ink = inkScale(paper * k);
  if (!ink) return undefined;
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = ink(v * k);
  return table;
}

/**
 * Bounding box of the grey bytes above `threshold` ink. Ink falls with the grey level on
 * light paper and rises on dark, so "ink" is one comparison: `(v ^ flip) < cut`. Rows are
 * searched from the top and the bottom, columns only up to the box found so far: most
 * of a canvas is never read.
 */
function byteBounds(
  grey: Uint8Array | Uint8ClampedArray,
  table: Float32Array,
  threshold: number,
  w: number,
  h: number,
): { x0: number; y0: number; x1: number; y1: number } | undefined {
  const flip = table[0] >= table[255] ? 0 : 255;
  let cut = 0;
  while (cut < 256 && table[cut ^ flip] > threshold) cut++;
  const rowHasInk = (y: number) => {
    for (let i = y * w, end = i + w; i < end; i++) if ((grey[i] ^ flip) < cut) return true;
    return false;
  };
  let y0 = 0;
  while (y0 < h && !rowHasInk(y0)) y0++;
  if (y0 === h) return undefined;
  let y1 = h - 1;
  while (!rowHasInk(y1)) y1--;
  let x0 = w, x1 = -1;
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    for (let x = 0; x < x0; x++) if ((grey[row + x] ^ flip) < cut) x0 = x;
    for (let x = w - 1; x > x1; x--) if ((grey[row + x] ^ flip) < cut) x1 = x;
  }
  return { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Area-averaging weights from `n` source pixels to `m` ≤ `n` outputs: output `o` covers
 * source `[o·n/m, (o+1)·n/m)`, whole pixels with weight 1 and the two partial ends with
 * the part they overlap. Flat arrays, so the resize loops carry no maths.
 */
function spans(n: number, m: number) {
  const f = n / m;
  const start = new Int32Array(m), count = new Int32Array(m), offset = new Int32Array(m + 1);
  const weight = new Float32Array(n + 2 * m);
  let k = 0;
  for (let o = 0; o < m; o++) {
    const a = o * f, b = Math.min(a + f, n);
    const i0 = Math.floor(a), i1 = Math.min(Math.ceil(b), n);
    start[o] = i0, count[o] = i1 - i0, offset[o] = k;
    for (let i = i0; i < i1; i++) weight[k++] = Math.min(b, i + 1) - Math.max(a, i);
  }
  offset[m] = k;
  return { start, count, offset, weight };
}

/**
 * Resample a `sw`×`sh` region of grey bytes (starting at `sx`, `sy`, row stride
 * `stride`) to `dw`×`dh` ink values, reading each byte through `table` (the ink of each
 * grey level): area averaging when shrinking (anti-aliased, like MNIST's own scaling),
 * bilinear when enlarging.
 */
export function resize(
  grey: Uint8Array | Uint8ClampedArray,
  table: Float32Array,
  stride: number,
  sx: number,
  sy: number,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  const fx = sw / dw, fy = sh / dh;
  if (fx >= 1 && fy >= 1) {
    // Separable: each row to dw columns, then those columns to dh rows.
    const xs = spans(sw, dw), ys = spans(sh, dh);
    const rows = new Float32Array(sh * dw);
    for (let y = 0; y < sh; y++) {
      const row = (sy + y) * stride + sx;
      for (let o = 0; o < dw; o++) {
        const first = row + xs.start[o], k0 = xs.offset[o], n = xs.count[o];
        // Whole pixels inside weigh 1: only the two ends are partial.
        let sum = table[grey[first]] * xs.weight[k0];
        for (let k = 1; k < n - 1; k++) sum += table[grey[first + k]];
        if (n > 1) sum += table[grey[first + n - 1]] * xs.weight[k0 + n - 1];
        rows[y * dw + o] = sum;
      }
    }
    const norm = 1 / (fx * fy);
    for (let o = 0; o < dh; o++) {
      const k0 = ys.offset[o], n = ys.count[o], line = o * dw;
      for (let k = 0; k < n; k++) {
        const wy = ys.weight[k0 + k] * norm, from = (ys.start[o] + k) * dw;
        for (let x = 0; x < dw; x++) out[line + x] += rows[from + x] * wy;
      }
    }
    return out;
  }
  for (let oy = 0; oy < dh; oy++) {
    const y = Math.min(Math.max((oy + 0.5) * fy - 0.5, 0), sh - 1);
    const y0 = Math.floor(y), y1 = Math.min(y0 + 1, sh - 1), ty = y - y0;
    for (let ox = 0; ox < dw; ox++) {
      const x = Math.min(Math.max((ox + 0.5) * fx - 0.5, 0), sw - 1);
      const x0 = Math.floor(x), x1 = Math.min(x0 + 1, sw - 1), tx = x - x0;
      const r0 = (sy + y0) * stride + sx, r1 = (sy + y1) * stride + sx;
      const top = table[grey[r0 + x0]] * (1 - tx) + table[grey[r0 + x1]] * tx;
      const bottom = table[grey[r1 + x0]] * (1 - tx) + table[grey[r1 + x1]] * tx;
      out[oy * dw + ox] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** Centre of mass (x, y) of a `w`×`h` ink image, in pixel-centre coordinates. */
export function centreOfMass(ink: Float32Array, w: number, h: number): { x: number; y: number } {
  let sum = 0, sx = 0, sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = ink[y * w + x];
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : { x: (w - 1) / 2, y: (h - 1) / 2 };
}

type Box = { x0: number; y0: number; x1: number; y1: number };

/** The ink box of a grey image resampled so that its longer side is `side`, aspect kept. */
function toBox(
  grey: Uint8Array | Uint8ClampedArray,
  table: Float32Array,
  stride: number,
  box: Box,
  side: number,
) {
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = side / Math.max(bw, bh);
  const dw = Math.max(1, Math.round(bw * scale)), dh = Math.max(1, Math.round(bh * scale));
  return { digit: resize(grey, table, stride, box.x0, box.y0, bw, bh, dw, dh), dw, dh };
}

/**
 * A stroke wider than {@linkcode MAX_STROKE_RATIO} of its box can be, measured in the
 * 20-px box, which overestimates thick strokes a little: above this, {@linkcode thinned}
 * measures again at {@linkcode THIN_BOX} px. 0.8 of the ratio (0.16 in the 20-px box) missed
 * none of 600 thick and thin drawings and lets 55 % of them skip the second resampling.
 */
const THIN_TRIGGER = 0.8;

/** Ink of byte `v`: the table of bytes that already hold ink. */
const BYTE_INK = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * The ink box in 20 px with its strokes eroded to {@linkcode MAX_STROKE_RATIO} of the
 * box (see `stroke_width.ts`): the box is resampled to {@linkcode THIN_BOX} px, eroded
 * there, cropped to what ink is left and resampled to 20 px. Undefined when the strokes
 * are thin enough.
 */
function thinned(
  grey: Uint8Array | Uint8ClampedArray,
  table: Float32Array,
  stride: number,
  box: Box,
  threshold: number,
  ratio: number,
): { digit: Float32Array; dw: number; dh: number } | undefined {
  const big = toBox(grey, table, stride, box, THIN_BOX);
  const eroded = thinToRatio(big.digit, big.dw, big.dh, ratio);
  if (!eroded) return undefined;
  const bytes = new Uint8Array(eroded.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = eroded[i] * 255 + 0.5; // stored truncated: rounds
  const left = byteBounds(bytes, BYTE_INK, threshold, big.dw, big.dh);
  return left && toBox(bytes, BYTE_INK, big.dw, left, BOX);
}

/**
 * Turn any image into the 28×28 ink image the model sees (0 background, 1 ink).
 *
 * Works on grey bytes through a 256-entry ink table: no full-size float copy of the
 * upload is made, and only the ink's bounding box is resampled.
 *
 * @param pixels The decoded image or canvas.
 * @param options Ink threshold, stroke thinning.
 * @returns 784 values in 0–1, row-major: the preview a person can look at.
 * @throws {NoDigitError} When the image has no ink.
 * @throws {RangeError} When the pixel buffer does not match its dimensions.
 * @example
 * ```ts
 * const digit = preprocess({ width: 280, height: 280, channels: 4, data: rgba });
 * const input = normalize(digit, 0.1307, 0.3081);
 * ```
 */
export function preprocess(pixels: Pixels, options: PreprocessOptions = {}): Float32Array {
  const { width, height } = pixels;
  const grey = greyBytes(pixels);
  const table = inkTable(paperLevel(grey, width, height));
  if (!table) throw new NoDigitError();
  const threshold = options.inkThreshold ?? 0.2;
  const found = byteBounds(grey, table, threshold, width, height);
  if (!found) throw new NoDigitError();
  let { digit, dw, dh } = toBox(grey, table, width, found, BOX);
  const ratio = options.maxStrokeRatio ?? MAX_STROKE_RATIO;
  if (ratio < Infinity && strokeWidth(digit, dw, dh) > THIN_TRIGGER * ratio * BOX) {
    const thin = thinned(grey, table, width, found, threshold, ratio);
    if (thin) ({ digit, dw, dh } = thin);
  }
  const com = centreOfMass(digit, dw, dh);
  // Put the centre of mass on the image centre (13.5, 13.5 in pixel-centre terms).
  const ox = Math.round((SIDE - 1) / 2 - com.x), oy = Math.round((SIDE - 1) / 2 - com.y);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < dh; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= SIDE) continue;
    for (let x = 0; x < dw; x++) {
      const tx = x + ox;
      if (tx >= 0 && tx < SIDE) out[ty * SIDE + tx] = digit[y * dw + x];
    }
  }
  return out;
}

/**
 * Apply the model's normalisation: `(v - mean) / std`, into `out` when given.
 *
 * @param image Values in 0–1.
 * @param mean Mean from the model's metadata.
 * @param std Standard deviation from the model's metadata.
 * @param out Destination (a slice of a batch tensor, say). @default a new array
 * @returns The normalised values.
 */
export function normalize(
  image: ArrayLike<number>,
  mean: number,
  std: number,
  out: Float32Array = new Float32Array(image.length),
): Float32Array {
  const k = 1 / std;
  for (let i = 0; i < image.length; i++) out[i] = (image[i] - mean) * k;
  return out;
}
