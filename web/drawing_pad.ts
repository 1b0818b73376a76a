/**
 * The drawing pad: strokes or an uploaded image, painted on screen, with undo and
 * clear, and the pixels that get classified.
 *
 * Runs in the browser. The screen canvas is sized to its CSS box times
 * `devicePixelRatio`, so it stays sharp, and takes its colours from the CSS custom
 * properties `--ink` and `--paper` (dark theme included). What is classified is a
 * separate, fixed 280×280 canvas painted black on white from the same strokes, so the
 * result depends neither on the screen nor on the theme, and the PNG sent to the
 * server holds exactly the pixels the page classified. An uploaded image is classified
 * at its own size (capped), never letterboxed: padding would change what the
 * pre-processing takes for paper.
 * @module
 */

/// <reference lib="dom" />

import type { Pixels } from "../src/mod.ts";
import { listenStrokes } from "./pointer_input.ts";
import { paintContained, paintStrokes, type Stroke } from "./strokes.ts";

/** Side of the classified canvas: 10× MNIST. */
export const CLASSIFY_SIDE = 280;
/** Longest side an uploaded image is classified at. */
export const MAX_IMAGE_SIDE = 560;

/** Why the drawing changed. */
export type PadChange = "stroke" | "end" | "edit";

/** See {@linkcode createDrawingPad}. */
export interface DrawingPad {
  /** Number of strokes (an uploaded image counts as one). */
  readonly size: number;
  /** Counts changes; in the screen canvas's `data-version` (and the size in `data-strokes`), for tests. */
  readonly version: number;
  /** Remove the last stroke, or the uploaded image. @returns Whether anything was removed. */
  undo(): boolean;
  /** Remove everything. */
  clear(): void;
  /** Replace the drawing with an image. */
  setImage(image: ImageBitmap): void;
  /** The pixels to classify: opaque RGBA. */
  pixels(): Pixels;
  /** A lossless PNG of the same pixels as {@linkcode DrawingPad.pixels}, taken now. */
  png(): Promise<Blob>;
  /** Repaint the screen canvas (after a theme or size change). */
  repaint(): void;
}

function context(canvas: HTMLCanvasElement, willReadFrequently = false): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d", { willReadFrequently });
  if (!ctx) throw new Error("Canvas 2D is not supported");
  return ctx;
}

/**
 * Turn a canvas into a drawing pad.
 *
 * @param screen The visible canvas.
 * @param onChange Called after each change: `"stroke"` while drawing, `"end"` when a
 *   stroke ends, `"edit"` on undo, clear or upload.
 * @returns The pad.
 * @example
 * ```ts
 * const pad = createDrawingPad(canvas, (why) => why === "end" && classify(pad.pixels()));
 * ```
 */
export function createDrawingPad(
  screen: HTMLCanvasElement,
  onChange: (why: PadChange) => void,
): DrawingPad {
  const strokes: Stroke[] = [];
  let image: ImageBitmap | undefined;
  const target = document.createElement("canvas");
  const targetCtx = context(target, true);
  const screenCtx = context(screen);
  let targetStale = true;
  let frame = 0;
  let version = 0;

  const paintTarget = () => {
    if (!targetStale) return;
    targetStale = false;
    if (image) {
      const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(image.width, image.height));
      target.width = Math.max(1, Math.round(image.width * scale));
      target.height = Math.max(1, Math.round(image.height * scale));
    } else {
      target.width = target.height = CLASSIFY_SIDE;
    }
    targetCtx.fillStyle = "#fff";
    targetCtx.fillRect(0, 0, target.width, target.height);
    if (image) targetCtx.drawImage(image, 0, 0, target.width, target.height);
    else paintStrokes(targetCtx, strokes, CLASSIFY_SIDE, "#000");
  };

  const paintScreen = () => {
    frame = 0;
    const dpr = globalThis.devicePixelRatio || 1;
    const side = Math.max(1, Math.round(screen.clientWidth * dpr));
    if (screen.width !== side || screen.height !== side) screen.width = screen.height = side;
    const style = getComputedStyle(screen);
    screenCtx.fillStyle = style.getPropertyValue("--paper").trim() || "#fff";
    screenCtx.fillRect(0, 0, side, side);
    if (image) paintContained(screenCtx, image, side, side);
    paintStrokes(screenCtx, strokes, side, style.getPropertyValue("--ink").trim() || "#000");
  };

  const changed = (why: PadChange) => {
    targetStale = true;
    screen.dataset.version = String(++version);
    screen.dataset.strokes = String(strokes.length + (image ? 1 : 0));
    frame ||= requestAnimationFrame(paintScreen);
    onChange(why);
  };

  listenStrokes(screen, {
    start(p) {
      // Drawing starts a new digit over an uploaded image rather than mixing the two.
      if (image) image = undefined, strokes.length = 0;
      strokes.push([p]);
      changed("stroke");
    },
    move(points) {
      strokes.at(-1)?.push(...points);
      changed("stroke");
    },
    end: () => changed("end"),
  });
  screen.dataset.version = "0";
  screen.dataset.strokes = "0";
  new ResizeObserver(() => paintScreen()).observe(screen);

  return {
    get size() {
      return strokes.length + (image ? 1 : 0);
    },
    get version() {
      return version;
    },
    undo() {
      if (strokes.length) strokes.pop();
      else if (image) image = undefined;
      else return false;
      changed("edit");
      return true;
    },
    clear() {
      strokes.length = 0;
      image = undefined;
      changed("edit");
    },
    setImage(bitmap) {
      strokes.length = 0;
      image = bitmap;
      changed("edit");
    },
    pixels() {
      paintTarget();
      const { data, width, height } = targetCtx.getImageData(0, 0, target.width, target.height);
      return { width, height, channels: 4, data };
    },
    png() {
      paintTarget();
      return new Promise((resolve, reject) =>
        target.toBlob((b) => b ? resolve(b) : reject(new Error("Could not encode the drawing")), "image/png")
      );
    },
    repaint: paintScreen,
  };
}
