/**
 * The drawing pad's strokes painted without a browser: what `paintStrokes()` in
 * `web/strokes.ts` paints on the page's 280×280 classified canvas (black on white,
 * round caps and joins, a tap as a dot as wide as the pen, quadratic curves through
 * the midpoints of successive points), as RGBA `Pixels`.
 *
 * Runs in Deno and the browser (pure functions). Coverage is anti-aliased over one
 * pixel, as a canvas does: a pixel centre at distance `d` from the pen's path gets ink
 * `r + 0.5 - d`, clamped to 0–1. Only pixels within the pen's reach of a segment are
 * visited, so a stroke costs its own area, not the canvas's.
 *
 * @example
 * ```ts
 * const pixels = rasterStrokes([[{ x: 0.2, y: 0.2 }, { x: 0.8, y: 0.8 }]]);
 * ```
 * @module
 */

import type { Pixels } from "../../src/mod.ts";
import type { Point, Stroke } from "../../web/strokes.ts";

/** Side of the classified canvas, as `CLASSIFY_SIDE` in `web/drawing_pad.ts`. */
export const PAD = 280;
/** Pen width as a fraction of the pad, as `STROKE_WIDTH` in `web/strokes.ts`. */
export const PEN = 0.075;

/** Points along the quadratic smoothing `paintStrokes()` draws, in canvas pixels. */
function flatten(stroke: Stroke, side: number): [number, number][] {
  const p = (i: number): [number, number] => [stroke[i].x * side, stroke[i].y * side];
  const out: [number, number][] = [p(0)];
  let [cx, cy] = p(0);
  for (let i = 1; i < stroke.length - 1; i++) {
    const [x0, y0] = p(i), [x1, y1] = p(i + 1);
    const ex = (x0 + x1) / 2, ey = (y0 + y1) / 2;
    // A quadratic from (cx, cy) through control (x0, y0) to (ex, ey), in short chords.
    const n = Math.max(1, Math.ceil(Math.hypot(x0 - cx, y0 - cy) + Math.hypot(ex - x0, ey - y0)) >> 1);
    for (let k = 1; k <= n; k++) {
      const t = k / n, u = 1 - t;
      out.push([u * u * cx + 2 * u * t * x0 + t * t * ex, u * u * cy + 2 * u * t * y0 + t * t * ey]);
    }
    cx = ex, cy = ey;
  }
  if (stroke.length > 1) out.push(p(stroke.length - 1));
  return out;
}

/**
 * Paint strokes as the page does.
 *
 * @param strokes Strokes in unit coordinates (0–1 across the pad).
 * @param side Canvas side in pixels. @default PAD
 * @param pen Pen width as a fraction of the side. @default PEN
 * @returns Opaque RGBA pixels, black ink on white.
 */
export function rasterStrokes(strokes: readonly Stroke[], side = PAD, pen = PEN): Pixels {
  const ink = new Float32Array(side * side);
  const r = (pen * side) / 2;
  const reach = r + 0.5;
  const segment = (ax: number, ay: number, bx: number, by: number) => {
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const xa = Math.max(0, Math.floor(Math.min(ax, bx) - reach)),
      xb = Math.min(side - 1, Math.ceil(Math.max(ax, bx) + reach));
    const ya = Math.max(0, Math.floor(Math.min(ay, by) - reach)),
      yb = Math.min(side - 1, Math.ceil(Math.max(ay, by) + reach));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const px = x + 0.5 - ax, py = y + 0.5 - ay;
        const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
        const d = Math.hypot(px - t * dx, py - t * dy);
        const v = reach - d;
        if (v > ink[y * side + x]) ink[y * side + x] = v > 1 ? 1 : v;
      }
    }
  };
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    const pts = flatten(stroke, side);
    if (pts.length === 1) segment(pts[0][0], pts[0][1], pts[0][0], pts[0][1]);
    for (let i = 1; i < pts.length; i++) segment(pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1]);
  }
  const data = new Uint8Array(side * side * 4);
  for (let i = 0; i < ink.length; i++) {
    const v = Math.round(255 * (1 - ink[i]));
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  }
  return { width: side, height: side, channels: 4, data };
}

/**
 * Move and scale strokes: each point becomes `offset + point * scale` (unit coordinates).
 *
 * @param strokes The strokes.
 * @param scale Factor. @example 0.15 for a digit across 15 % of the pad
 * @param x Left offset.
 * @param y Top offset.
 * @returns New strokes.
 */
export function placeStrokes(strokes: readonly Stroke[], scale: number, x: number, y: number): Stroke[] {
  return strokes.map((s) => s.map((p: Point) => ({ x: x + p.x * scale, y: y + p.y * scale })));
}
