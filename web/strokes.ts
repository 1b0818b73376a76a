/**
 * The drawing as data, and how it is painted.
 *
 * Runs in the browser. A drawing is a list of strokes, each a list of points in
 * unit coordinates (0–1 across the pad), so one drawing paints the same on the
 * high-DPI screen canvas and on the fixed-size canvas that is classified. Strokes are
 * smoothed with quadratic curves through the midpoints of successive points.
 * @module
 */

/// <reference lib="dom" />

/** A point in unit pad coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** One pen-down … pen-up path. */
export type Stroke = Point[];

/**
 * Stroke width as a fraction of the pad's side. With a digit drawn over most of the
 * pad, the pre-processing scales it by about 20/200, giving MNIST's 2–3 px strokes.
 */
export const STROKE_WIDTH = 0.075;

/** Colours to paint with. */
export interface Palette {
  ink: string;
  paper: string;
}

/**
 * Paint strokes on a square region of a 2D context.
 *
 * @param ctx The context.
 * @param strokes The strokes, in unit coordinates.
 * @param side Side of the square in canvas pixels.
 * @param ink Ink colour.
 * @example
 * ```ts
 * paintStrokes(ctx, [[{ x: 0.5, y: 0.2 }, { x: 0.5, y: 0.8 }]], 280, "#000");
 * ```
 */
export function paintStrokes(
  ctx: CanvasRenderingContext2D,
  strokes: readonly Stroke[],
  side: number,
  ink: string,
): void {
  ctx.save();
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineWidth = STROKE_WIDTH * side;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) {
    if (stroke.length === 0) continue;
    const p = (i: number) => [stroke[i].x * side, stroke[i].y * side] as const;
    if (stroke.length === 1) {
      // A tap: a dot as wide as a line.
      const [x, y] = p(0);
      ctx.beginPath();
      ctx.arc(x, y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(...p(0));
    for (let i = 1; i < stroke.length - 1; i++) {
      const [x0, y0] = p(i), [x1, y1] = p(i + 1);
      ctx.quadraticCurveTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2);
    }
    ctx.lineTo(...p(stroke.length - 1));
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * Paint an image scaled to fit (contained, centred) in a `width`×`height` area.
 *
 * @param ctx The context.
 * @param image The image.
 * @param width Area width in canvas pixels.
 * @param height Area height in canvas pixels.
 */
export function paintContained(
  ctx: CanvasRenderingContext2D,
  image: ImageBitmap,
  width: number,
  height: number,
): void {
  const scale = Math.min(width / image.width, height / image.height);
  const w = image.width * scale, h = image.height * scale;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(image, (width - w) / 2, (height - h) / 2, w, h);
}
