/**
 * The float reference of `src/preprocess.ts`: the same steps spelled out on 0–1 floats,
 * as first written, for tests that check the byte path and the decoders against it.
 *
 * Runs anywhere (pure functions); tests only. `src/preprocess.ts` works on grey bytes
 * through a 256-entry ink table and never builds these full-size float images. The
 * grey and ink formulas are repeated here rather than imported, so a mistake in
 * `src/` shows up as a difference instead of being copied into the reference, and the
 * MNIST sizes (20 px box, 28×28) are written out for the same reason.
 *
 * @example
 * ```ts
 * const ink = toInk(toGrey(pixels), pixels.width, pixels.height);
 * const box = inkBounds(ink, pixels.width, pixels.height);
 * const digit = referencePreprocess(pixels, 0.21); // compare with preprocess()
 * ```
 * @module
 */

import { centreOfMass, type Pixels } from "../../src/preprocess.ts";

/**
 * Grey level of every pixel, 0 black … 1 white; alpha is composited on white.
 *
 * @param p The image.
 * @returns `width * height` values in 0–1.
 * @throws {RangeError} When the dimensions or the buffer length are wrong.
 */
export function toGrey({ width, height, channels: ch, data }: Pixels): Float32Array {
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`Image size must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== width * height * ch) {
    throw new RangeError(
      `Expected ${width * height * ch} bytes for ${width}×${height}×${ch}, got ${data.length}`,
    );
  }
  const k = 1 / 255;
  return Float32Array.from({ length: width * height }, (_, i) => {
    const j = i * ch;
    if (ch === 1) return data[j] * k;
    if (ch === 2) return data[j] * k * (data[j + 1] * k) + (1 - data[j + 1] * k);
    const lum = (0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2]) * k;
    return ch === 3 ? lum : (data[j + 3] * k) * lum + (1 - data[j + 3] * k);
  });
}

/** Median grey level (0–1) of the border of a 0–1 grey image. */
function paperOf(grey: Float32Array, w: number, h: number): number {
  const border = new Float64Array(2 * w + 2 * Math.max(0, h - 2));
  let n = 0;
  for (let x = 0; x < w; x++) border[n++] = grey[x], border[n++] = grey[(h - 1) * w + x];
  for (let y = 1; y < h - 1; y++) border[n++] = grey[y * w], border[n++] = grey[y * w + w - 1];
  return border.sort()[n >> 1];
}

/**
 * Ink map of a grey image: 0 is paper, 1 full ink, whatever the polarity. The paper's
 * level is the median of the border pixels, so an off-white or grey paper is no ink.
 *
 * @param grey Grey levels from {@linkcode toGrey}.
 * @param width Image width.
 * @param height Image height.
 * @returns Ink in 0–1, same layout (all 0 when the paper leaves no contrast for ink).
 */
export function toInk(grey: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(grey.length);
  const paper = paperOf(grey, width, height);
  const lightPaper = paper > 0.5;
  const range = lightPaper ? paper : 1 - paper;
  if (range < 1 / 255) return out; // paper as dark (or light) as ink can be
  const scale = 1 / range;
  for (let i = 0; i < grey.length; i++) {
    const v = (lightPaper ? paper - grey[i] : grey[i] - paper) * scale;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

/**
 * Bounding box of ink above a threshold.
 *
 * @param ink Ink in 0–1, from {@linkcode toInk} or a pre-processed 28×28 digit.
 * @param width Image width.
 * @param height Image height.
 * @param threshold Ink above which a pixel counts. @default 0.2
 * @returns The box (end exclusive), or undefined when there is no ink.
 */
export function inkBounds(
  ink: Float32Array,
  width: number,
  height: number,
  threshold = 0.2,
): { x0: number; y0: number; x1: number; y1: number } | undefined {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * `preprocess()` on floats: grey → ink → crop → area-averaged to 20 px → centre of mass
 * on the centre of 28×28.
 *
 * @param p The image; it must hold ink above `threshold`.
 * @param threshold Ink above which a pixel belongs to the crop.
 * @returns 784 values in 0–1, row-major.
 * @throws {RangeError} When the image has no ink (or a wrong buffer).
 */
export function referencePreprocess(p: Pixels, threshold: number): Float32Array {
  const { width: w, height: h } = p;
  const ink = toInk(toGrey(p), w, h);
  const box = inkBounds(ink, w, h, threshold);
  if (!box) throw new RangeError("The image has no ink above the threshold");
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = 20 / Math.max(bw, bh);
  const dw = Math.max(1, Math.round(bw * scale)), dh = Math.max(1, Math.round(bh * scale));
  const fx = bw / dw, fy = bh / dh;
  const digit = new Float32Array(dw * dh);
  for (let oy = 0; oy < dh; oy++) {
    for (let ox = 0; ox < dw; ox++) {
      let s = 0;
      for (let y = Math.floor(oy * fy); y < (oy + 1) * fy && y < bh; y++) {
        const wy = Math.min((oy + 1) * fy, y + 1) - Math.max(oy * fy, y);
        for (let x = Math.floor(ox * fx); x < (ox + 1) * fx && x < bw; x++) {
          const wx = Math.min((ox + 1) * fx, x + 1) - Math.max(ox * fx, x);
          s += ink[(box.y0 + y) * w + box.x0 + x] * wx * wy;
        }
      }
      digit[oy * dw + ox] = s / (fx * fy);
    }
  }
  const com = centreOfMass(digit, dw, dh);
  const ox = Math.round(13.5 - com.x), oy = Math.round(13.5 - com.y);
  const out = new Float32Array(784);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      if (y + oy >= 0 && y + oy < 28 && x + ox >= 0 && x + ox < 28) {
        out[(y + oy) * 28 + x + ox] = digit[y * dw + x];
      }
    }
  }
  return out;
}
