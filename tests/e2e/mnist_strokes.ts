/**
 * MNIST test digits → pen strokes, so the e2e tests draw real handwriting with pointer
 * events instead of pasting pixels.
 *
 * Runs in Deno. The 28×28 image is thresholded and thinned to a one-pixel skeleton
 * (Zhang–Suen), and the skeleton is walked into ordered paths: from an end point when
 * there is one, preferring to keep the current direction at junctions, and closing
 * loops (0, 6, 8, 9) onto where they started. Points are pixel centres in unit
 * coordinates (0–1 across the pad), the format of `web/strokes.ts`.
 *
 * @example
 * ```ts
 * const test = await loadMnist("t10k");
 * const strokes = traceStrokes(test.image(0)); // a 7: one or two strokes
 * ```
 * @module
 */

import type { Point, Stroke } from "../../web/strokes.ts";

const SIDE = 28;
const NEIGHBOURS = [[0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1]] as const;

/** Zhang–Suen thinning of a binary image, in place. */
export function thin(bin: Uint8Array, w = SIDE, h = SIDE): Uint8Array {
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : bin[y * w + x]);
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove: number[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (!bin[y * w + x]) continue;
          const p = NEIGHBOURS.map(([dx, dy]) => at(x + dx, y + dy)); // P2…P9
          const b = p.reduce((s, v) => s + v, 0);
          let a = 0;
          for (let i = 0; i < 8; i++) if (!p[i] && p[(i + 1) % 8]) a++;
          const [p2, , p4, , p6, , p8] = p;
          const ok = pass === 0
            ? !(p2 && p4 && p6) && !(p4 && p6 && p8)
            : !(p2 && p4 && p8) && !(p2 && p6 && p8);
          if (b >= 2 && b <= 6 && a === 1 && ok) remove.push(y * w + x);
        }
      }
      for (const i of remove) bin[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return bin;
}

/**
 * Trace a digit's skeleton into strokes.
 *
 * @param image 784 bytes, 0 background … 255 ink (MNIST's layout).
 * @param threshold Ink level counted as part of the digit. @default 96
 * @returns Strokes in unit coordinates, longest first.
 */
export function traceStrokes(image: ArrayLike<number>, threshold = 96): Stroke[] {
  const bin = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < bin.length; i++) bin[i] = image[i] > threshold ? 1 : 0;
  thin(bin);
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < SIDE && y < SIDE && bin[y * SIDE + x] === 1;
  const seen = new Uint8Array(bin.length);
  const degree = (x: number, y: number) => NEIGHBOURS.filter(([dx, dy]) => on(x + dx, y + dy)).length;
  const paths: [number, number][][] = [];

  const walk = (x: number, y: number, from?: [number, number]) => {
    const path: [number, number][] = from ? [from, [x, y]] : [[x, y]];
    seen[y * SIDE + x] = 1;
    let dir: [number, number] | undefined = from ? [x - from[0], y - from[1]] : undefined;
    for (;;) {
      const next = NEIGHBOURS
        .filter(([dx, dy]) => on(x + dx, y + dy) && !seen[(y + dy) * SIDE + x + dx])
        .sort(([ax, ay], [bx, by]) =>
          // Keep going the same way; then prefer 4-neighbours, which skeletons follow.
          (dir ? (bx * dir[0] + by * dir[1]) - (ax * dir[0] + ay * dir[1]) : 0) ||
          (Math.abs(ax) + Math.abs(ay)) - (Math.abs(bx) + Math.abs(by))
        )[0];
      if (!next) break;
      dir = [next[0], next[1]];
      x += next[0], y += next[1];
      seen[y * SIDE + x] = 1;
      path.push([x, y]);
    }
    // A loop: join the end back onto an earlier point of this path if it touches one.
    const close = path.slice(0, -3).find(([px, py]) => Math.abs(px - x) <= 1 && Math.abs(py - y) <= 1);
    if (close) path.push(close);
    paths.push(path);
  };

  // End points first, then whatever is left (loops, and branches off drawn paths).
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) if (on(x, y) && !seen[y * SIDE + x] && degree(x, y) === 1) walk(x, y);
  }
  for (let left = true; left;) {
    left = false;
    for (let y = 0; y < SIDE && !left; y++) {
      for (let x = 0; x < SIDE && !left; x++) {
        if (!on(x, y) || seen[y * SIDE + x]) continue;
        left = true;
        const joined = NEIGHBOURS.map(([dx, dy]) => [x + dx, y + dy] as [number, number])
          .find(([nx, ny]) => on(nx, ny) && seen[ny * SIDE + nx]);
        walk(x, y, joined);
      }
    }
  }
  const unit = ([x, y]: [number, number]): Point => ({ x: (x + 0.5) / SIDE, y: (y + 0.5) / SIDE });
  // Two- or three-pixel paths are kinks of the 8-connected skeleton, already under the pen.
  return paths.filter((p) => p.length > 3 || paths.length === 1)
    .sort((a, b) => b.length - a.length)
    .map((p) => p.map(unit));
}
