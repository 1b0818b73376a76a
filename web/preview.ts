/**
 * The 28×28 preview: exactly the image the model was given.
 *
 * Runs in the browser. The pixels come from the shared pre-processing (the `input` of
 * a prediction from `src/`), never recomputed here; ink is painted light on dark, as
 * in MNIST. CSS scales the canvas up with `image-rendering: pixelated`. With no image
 * the canvas is left transparent and marked `data-empty`, which the CSS draws as a
 * dashed outline rather than a black square that looks like a (dark) result.
 * @module
 */

/// <reference lib="dom" />

import { SIDE } from "../src/mod.ts";

/**
 * Paint a 28×28 image (0 background … 1 ink) on a canvas, or empty it.
 *
 * @param canvas A canvas; it is resized to 28×28 (which also clears it).
 * @param input 784 values in 0–1, or undefined to leave it empty (`data-empty`).
 * @example
 * ```ts
 * showPreview(canvas, prediction.input);
 * ```
 */
export function showPreview(canvas: HTMLCanvasElement, input?: ArrayLike<number>): void {
  canvas.width = canvas.height = SIDE;
  canvas.toggleAttribute("data-empty", !input);
  const ctx = canvas.getContext("2d");
  if (!ctx || !input) return;
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(Math.min(1, Math.max(0, input[i] ?? 0)) * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}
