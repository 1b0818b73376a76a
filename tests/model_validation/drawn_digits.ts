/**
 * MNIST test digits re-drawn the way a user draws on the page: a 280×280 canvas,
 * dark pen on white (or on a transparent canvas), the digit small or large, anywhere
 * on the canvas, with a thin or thick pen and anti-aliased edges.
 *
 * Runs in Deno and the browser (pure functions). The stroke comes from the MNIST digit
 * itself: its grey levels are upsampled bilinearly and cut at a level (a low cut gives
 * a thick pen, a high one a thin pen), then dilated or eroded; the cut is softened over
 * about one canvas pixel, as a canvas anti-aliases its strokes.
 *
 * @example
 * ```ts
 * const rand = mulberry32(7);
 * const pixels = drawDigit(test.image(0), randomStyle(rand));
 * ```
 * @module
 */

import type { Pixels } from "../../src/mod.ts";

/** Side of the drawing canvas, as on the page. */
export const CANVAS = 280;
const SIDE = 28;

/** How one digit is drawn. */
export interface DrawStyle {
  /** Canvas pixels per MNIST pixel (the digit's ink is about 20 MNIST pixels tall); capped to fit. */
  scale: number;
  /** Where the digit's ink box starts, as a fraction (0–1) of the room left on the canvas. */
  x: number;
  y: number;
  /** Grey level (0–1) where the upsampled digit is cut: low = thick pen, high = thin pen. */
  cut: number;
  /** Pen radius added (dilation, > 0) or removed (erosion, < 0), in MNIST pixels. */
  stroke: number;
  /** Pen colour, RGB. */
  pen: readonly [number, number, number];
  /** Transparent canvas (ink only in alpha), as `canvas.toBlob()` gives before any fill. */
  transparent: boolean;
}

/**
 * A small seeded generator (mulberry32) so the drawn set is the same on every run.
 *
 * @param seed Any 32-bit integer.
 * @returns A function giving numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PENS: readonly (readonly [number, number, number])[] = [[0, 0, 0], [40, 40, 40], [20, 40, 150]];

/**
 * A random style covering the range of real drawings.
 *
 * @param rand Generator from {@linkcode mulberry32}.
 * @returns The style: scale 2.5–12 (ink about 50–240 px tall), any position, cut 0.1–0.55,
 * a quarter dilated by 0.3–1.2 MNIST pixels, a quarter eroded by 0.2–0.6, a third transparent.
 */
export function randomStyle(rand: () => number): DrawStyle {
  const pen = rand();
  return {
    scale: 2.5 + rand() * 9.5,
    x: rand(),
    y: rand(),
    cut: 0.1 + rand() * 0.45,
    stroke: pen < 0.25 ? 0.3 + rand() * 0.9 : pen < 0.5 ? -(0.2 + rand() * 0.4) : 0,
    pen: PENS[Math.floor(rand() * PENS.length)],
    transparent: rand() < 1 / 3,
  };
}

/** Bilinear sample of a 28×28 grey image (0–1) at MNIST pixel-centre coordinates; 0 outside. */
function sample(img: Float32Array, u: number, v: number): number {
  const x0 = Math.floor(u), y0 = Math.floor(v), tx = u - x0, ty = v - y0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= SIDE || y >= SIDE ? 0 : img[y * SIDE + x]);
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
    (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

/**
 * Draw one MNIST digit on a canvas.
 *
 * @param digit 784 bytes, light ink on dark, as in the IDX file.
 * @param style How to draw it.
 * @param canvas Canvas side. @default CANVAS
 * @returns RGBA pixels: white (or transparent) paper, the pen's colour for ink.
 * @throws {RangeError} When the digit has no ink.
 */
export function drawDigit(digit: Uint8Array, style: DrawStyle, canvas = CANVAS): Pixels {
  const img = Float32Array.from(digit, (v) => v / 255);
  let x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;
  for (let i = 0; i < img.length; i++) {
    if (img[i] <= 0) continue;
    const x = i % SIDE, y = Math.floor(i / SIDE);
    x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
  }
  if (x1 < 0) throw new RangeError("The digit has no ink");
  const { stroke, cut } = style;
  const grow = Math.max(0, stroke);
  // Ink box in canvas pixels, with room for the dilation and the soft edge; a digit too
  // large for the canvas is drawn as large as fits.
  const margin = 2 * (grow + 1);
  const f = Math.min(style.scale, canvas / (x1 - x0 + 1 + margin), canvas / (y1 - y0 + 1 + margin));
  const pad = (grow + 1) * f;
  const w = (x1 - x0 + 1) * f + 2 * pad, h = (y1 - y0 + 1) * f + 2 * pad;
  const left = style.x * (canvas - w), top = style.y * (canvas - h);
  // Canvas coordinate of MNIST pixel x0's left edge.
  const ox = left + pad - x0 * f, oy = top + pad - y0 * f;
  // The cut is softened over about 1.5 canvas pixels: the digit's grey changes ~0.4 per MNIST pixel.
  const soft = 0.6 / f;
  // Dilation takes the maximum over a ring of that radius, erosion the minimum.
  const radius = Math.abs(stroke), pick = stroke > 0 ? Math.max : Math.min;
  const ring = radius > 0
    ? Array.from(
      { length: 8 },
      (_, k) => [Math.cos(k * Math.PI / 4) * radius, Math.sin(k * Math.PI / 4) * radius],
    )
    : [];
  const data = new Uint8Array(canvas * canvas * 4);
  const [r, g, b] = style.pen;
  for (let py = 0; py < canvas; py++) {
    for (let px = 0; px < canvas; px++) {
      let ink = 0;
      if (px >= left && px < left + w && py >= top && py < top + h) {
        const u = (px + 0.5 - ox) / f - 0.5, v = (py + 0.5 - oy) / f - 0.5;
        let grey = sample(img, u, v);
        for (const [du, dv] of ring) grey = pick(grey, sample(img, u + du, v + dv));
        ink = Math.min(1, Math.max(0, (grey - cut) / soft + 0.5));
      }
      const o = (py * canvas + px) * 4;
      if (style.transparent) {
        data[o] = r, data[o + 1] = g, data[o + 2] = b, data[o + 3] = Math.round(ink * 255);
      } else {
        data[o] = Math.round(255 + (r - 255) * ink);
        data[o + 1] = Math.round(255 + (g - 255) * ink);
        data[o + 2] = Math.round(255 + (b - 255) * ink);
        data[o + 3] = 255;
      }
    }
  }
  return { width: canvas, height: canvas, channels: 4, data };
}
