/**
 * MNIST digits drawn the way the page draws them: the digit's skeleton traced into
 * pen strokes (`tests/e2e/mnist_strokes.ts`) and painted with the pad's round pen,
 * 7.5 % of the pad wide, at any size and place on the 280×280 pad.
 *
 * Runs in Deno (pure functions). The pen does not shrink with the digit, so a small
 * digit has strokes as wide as half its box: the case `stroke_width.ts` thins.
 *
 * The tracing loses a part of about one digit in twenty-five (a 6 whose loop is filled
 * traces as an L, a 4 loses its closed top): {@linkcode tracesFaithfully} keeps the
 * digits whose tracing has the digit's holes and passes within 3 px of 85 % of its ink
 * (96 % of the test digits; 88 % of the 8s, 92 % of the 6s, 95–99 % of the others), so a
 * set of drawn digits holds digits, not tracing accidents.
 *
 * @example
 * ```ts
 * const pixels = padDigit(test.image(0), 0.5, 0.1, 0.2); // half the pad, near the top left
 * ```
 * @module
 */

import type { Pixels } from "../../src/mod.ts";
import type { Stroke } from "../../web/strokes.ts";
import type { MnistSet } from "../support/mnist_idx.ts";
import { traceStrokes } from "../e2e/mnist_strokes.ts";
import { PAD, PEN, placeStrokes, rasterStrokes } from "../support/pad_raster.ts";

/** Holes (paper regions of 2 pixels or more not reaching the border, 4-connected) of a 28×28 mask. */
function holes(ink: (i: number) => boolean, side = 28): number {
  const seen = new Uint8Array(side * side);
  let count = 0;
  for (let s = 0; s < seen.length; s++) {
    if (seen[s] || ink(s)) continue;
    const stack = [s];
    seen[s] = 1;
    let size = 0, border = false;
    while (stack.length) {
      const i = stack.pop()!, x = i % side, y = (i - x) / side;
      size++;
      if (x === 0 || y === 0 || x === side - 1 || y === side - 1) border = true;
      for (const j of [x > 0 ? i - 1 : -1, x < side - 1 ? i + 1 : -1, i - side, i + side]) {
        if (j >= 0 && j < seen.length && !seen[j] && !ink(j)) seen[j] = 1, stack.push(j);
      }
    }
    if (!border && size >= 2) count++;
  }
  return count;
}

/** Share of a digit's ink pixels (> 128) within `reach` pixels of the strokes' paths. */
function coverage(digit: Uint8Array, strokes: readonly Stroke[], reach = 3): number {
  const paths = strokes.map((s) => s.map((p) => [p.x * 28, p.y * 28]));
  let n = 0, near = 0;
  for (let i = 0; i < digit.length; i++) {
    if (digit[i] <= 128) continue;
    n++;
    const px = (i % 28) + 0.5, py = Math.floor(i / 28) + 0.5;
    let best = Infinity;
    for (const path of paths) {
      for (let k = 0; k < path.length; k++) {
        const [ax, ay] = path[k], [bx, by] = path[Math.min(k + 1, path.length - 1)];
        const dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
        const t = l2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
        best = Math.min(best, Math.hypot(px - ax - t * dx, py - ay - t * dy));
      }
    }
    if (best <= reach) near++;
  }
  return n ? near / n : 0;
}

/**
 * Whether a digit's tracing is still that digit: the same holes as the digit (ink >
 * 96) when painted with the pad's pen at MNIST size, and within 3 px of 85 % of its ink.
 *
 * @param digit 784 bytes, MNIST's layout.
 * @returns True when the tracing keeps the digit's shape.
 */
export function tracesFaithfully(digit: Uint8Array): boolean {
  const strokes = traceStrokes(digit);
  if (strokes.length === 0) return false;
  const painted = rasterStrokes(strokes, 28);
  return holes((i) => digit[i] > 96) === holes((i) => painted.data[4 * i] < 128) &&
    coverage(digit, strokes) >= 0.85;
}

/** MNIST's ink box is 20 of its 28 pixels: a digit across `size` of the pad is traced at `size · 28/20`. */
const TRACE_SCALE = 28 / 20;

/**
 * Strokes of a 28×28 image placed so that its 20-px box spans `size` of the pad, its
 * box's top left at `x`, `y` of the room left (0–1).
 *
 * @param strokes Traced strokes (unit coordinates of the 28×28 image).
 * @param size Box side over the pad's.
 * @param x Where the box starts, as a fraction of the room left across.
 * @param y The same down.
 * @returns Strokes in pad coordinates.
 */
export function placeTraced(strokes: readonly Stroke[], size: number, x: number, y: number): Stroke[] {
  const s = size * TRACE_SCALE;
  // The 20-px box sits at 4–24 of 28; the pen adds half its width on each side.
  const room = Math.max(0, 1 - size - PEN);
  return placeStrokes(strokes, s, PEN / 2 + x * room - (4 / 28) * s, PEN / 2 + y * room - (4 / 28) * s);
}

/**
 * One MNIST digit drawn on the pad.
 *
 * @param digit 784 bytes, light ink on dark (MNIST's layout).
 * @param size Side of the digit's box over the pad's (0.15 is the small 7).
 * @param x Where the box starts, a fraction of the room left across (0–1).
 * @param y The same down.
 * @param side Canvas side; the pen is 7.5 % of it. @default PAD
 * @returns The pad's pixels: black on white RGBA, `side`×`side`.
 * @throws {RangeError} When the image has nothing to trace.
 */
export function padDigit(digit: Uint8Array, size: number, x: number, y: number, side = PAD): Pixels {
  const strokes = traceStrokes(digit);
  if (strokes.length === 0) throw new RangeError("Nothing to trace");
  return rasterStrokes(placeTraced(strokes, size, x, y), side);
}

/**
 * A set of digits drawn with the pad's pen: faithfully traced digits of `set`, at sizes
 * drawn uniformly from `lo`–`hi` of the pad, anywhere on it.
 *
 * @param set The digits (the test split for tests).
 * @param rand Generator from `mulberry32`.
 * @param lo Smallest size (box side over the pad's).
 * @param hi Largest size.
 * @param count How many.
 * @returns The drawings, their labels and sizes, in order.
 */
export function padSet(
  set: MnistSet,
  rand: () => number,
  lo: number,
  hi: number,
  count: number,
): { images: Pixels[]; labels: number[]; sizes: number[] } {
  const images: Pixels[] = [], labels: number[] = [], sizes: number[] = [];
  while (images.length < count) {
    const i = Math.floor(rand() * set.count);
    if (!tracesFaithfully(set.image(i))) continue;
    const size = lo + rand() * (hi - lo);
    labels.push(set.labels[i]);
    sizes.push(size);
    images.push(padDigit(set.image(i), size, rand(), rand()));
  }
  return { images, labels, sizes };
}
