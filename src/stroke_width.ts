/**
 * Stroke width of an ink image, and thinning a stroke that is too thick for its size.
 *
 * Runs in Deno and the browser (pure functions on ink arrays, 0 paper … 1 ink). Why:
 * the drawing page's pen is 7.5 % of the pad wide whatever the digit's size, so a 7
 * drawn across 15 % of the pad has strokes half as wide as its box. Scaled to MNIST's
 * 20-px box they are 7 px thick, where MNIST's are 2–4 px: the 7 becomes a blob the
 * model reads as a 9. {@linkcode thinToRatio} erodes such strokes until their width is
 * {@linkcode MAX_STROKE_RATIO} of the box, the thickest MNIST itself has, before the
 * box is scaled. Ink whose "strokes" are wider than {@linkcode BLOB_RATIO} of its box has no
 * strokes to thin (a dot, a dab, a digit too small for the pen) and is left a blob.
 *
 * @example
 * ```ts
 * const ratio = strokeWidth(ink, w, h) / Math.max(w, h); // about 0.12 for MNIST digits
 * ```
 * @module
 */

/**
 * Widest stroke kept as it is, as a fraction of the ink box's longer side.
 *
 * The 95th percentile of {@linkcode strokeWidth} over 5,000 MNIST training digits
 * drawn at 10× (cut at mid-grey, box resampled to 80 px): 0.196 (median 0.125, 99th
 * percentile 0.25), rounded. Measured by `training/stroke_ratio.ts`.
 */
export const MAX_STROKE_RATIO = 0.2;

/**
 * Stroke width over box side above which ink is a blob, not strokes: a tap, a dab, a
 * digit too small for the pen. It is left as it is (the model answers "not a digit" for
 * blobs) instead of being eroded into a thin stroke that could pass for a 1.
 *
 * The 95th percentile of the ratio of 1,000 digits drawn across 15 % of the pad with the
 * page's pen (the smallest the issue asks to read): 0.531, where 1,000 dabs and specks
 * start (5th percentile 0.535). Measured by `training/stroke_ratio.ts`.
 */
export const BLOB_RATIO = 0.53;

/** Side of the box where a thick stroke is measured and eroded: 4× MNIST's 20 px, so erosion stays sub-pixel there. */
export const THIN_BOX = 80;

/**
 * Distance of every ink pixel (ink > 0.5) to the nearest paper pixel, in pixels, with
 * the 3-4 chamfer (within 8 % of Euclidean); paper pixels and the outside are 0.
 *
 * @param ink Ink values, row-major.
 * @param w Width.
 * @param h Height.
 * @returns Distances, same layout (a boundary ink pixel is 1).
 */
export function distanceToPaper(ink: ArrayLike<number>, w: number, h: number): Float32Array {
  // Integer chamfer steps (3 across, 4 diagonal) on a grid with a one-pixel paper border,
  // so the two passes read neighbours without bounds checks.
  const W = w + 2, grid = new Int32Array(W * (h + 2)), far = 3 * (w + h);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (y + 1) * W + 1; x < w; x++, i++) if (ink[y * w + x] > 0.5) grid[i] = far;
  }
  for (let y = 1; y <= h; y++) {
    for (let i = y * W + 1, end = i + w; i < end; i++) {
      if (grid[i] === 0) continue;
      const up = i - W;
      grid[i] = Math.min(grid[i], grid[i - 1] + 3, grid[up] + 3, grid[up - 1] + 4, grid[up + 1] + 4);
    }
  }
  for (let y = h; y >= 1; y--) {
    for (let i = y * W + w, end = i - w; i > end; i--) {
      if (grid[i] === 0) continue;
      const down = i + W;
      grid[i] = Math.min(grid[i], grid[i + 1] + 3, grid[down] + 3, grid[down + 1] + 4, grid[down - 1] + 4);
    }
  }
  const d = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = (y + 1) * W + 1; x < w; x++, i++) d[y * w + x] = grid[i] / 3;
  }
  return d;
}

/**
 * Mean stroke width of an ink image, in its pixels. Across a band `w` pixels wide the
 * distances to paper run 1 … w/2 and back, so they average w/4 + 1/2: the width is
 * `4 · (mean distance − 1/2)`. Strokes that merge (a small digit drawn with a wide pen)
 * count as one wider stroke, which is what the model would see.
 *
 * @param ink Ink values, row-major.
 * @param w Width.
 * @param h Height.
 * @returns The width (0 when nothing is above half ink).
 */
export function strokeWidth(ink: ArrayLike<number>, w: number, h: number): number {
  const d = distanceToPaper(ink, w, h);
  let sum = 0, n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] > 0) sum += d[i], n++;
  return n === 0 ? 0 : Math.max(0, 4 * (sum / n - 0.5));
}

/**
 * Erode an ink image's strokes so their width is `ratio` of the box's longer side,
 * as measured after the erosion (erosion shrinks the box too). Strokes of that width or
 * less are left alone.
 *
 * @param ink Ink values, row-major (the ink box resampled, longer side {@linkcode THIN_BOX}).
 * @param w Width.
 * @param h Height.
 * @param ratio Largest stroke width over box side. @default MAX_STROKE_RATIO
 * @param blob Width over side from which the ink is a blob, left alone. @default BLOB_RATIO
 * @returns The eroded ink, or undefined when the strokes are thin enough already or the ink is a blob.
 */
export function thinToRatio(
  ink: ArrayLike<number>,
  w: number,
  h: number,
  ratio = MAX_STROKE_RATIO,
  blob = BLOB_RATIO,
): Float32Array | undefined {
  const side = Math.max(w, h);
  const d = distanceToPaper(ink, w, h);
  let sum = 0, n = 0;
  for (let i = 0; i < d.length; i++) if (d[i] > 0) sum += d[i], n++;
  const width = n === 0 ? 0 : 4 * (sum / n - 0.5);
  if (width <= ratio * side || width > blob * side) return undefined;
  // Eroding by e takes 2e off the width and (round pens) 2e off the box.
  const e = (width - ratio * side) / (2 * (1 - ratio));
  const out = new Float32Array(w * h);
  // A boundary pixel (distance 1) sits half a pixel inside the edge: ink = distance − e, clamped, keeps the edge soft.
  for (let i = 0; i < out.length; i++) out[i] = d[i] > 0 ? Math.min(1, Math.max(0, d[i] - e)) : 0;
  return out;
}
