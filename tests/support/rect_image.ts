/**
 * A synthetic test image: plain paper with one filled rectangle, in any channel layout.
 *
 * Runs anywhere (pure); tests only.
 *
 * @example
 * ```ts
 * const bar = rectImage(280, 280, { x0: 10, y0: 150, x1: 50, y1: 230 }, { channels: 4 });
 * ```
 * @module
 */

import type { Pixels } from "../../src/preprocess.ts";

/**
 * A `w`×`h` image of `channels`, paper `bg`, with a filled rectangle of `fg`.
 *
 * @param w Width.
 * @param h Height.
 * @param box The rectangle, end exclusive.
 * @param opts Layout and levels: `channels` @default 1, `bg` @default 255, `fg` @default 0,
 *   and `alphaBg`, the paper's alpha in layouts with alpha (the rectangle is opaque) @default 255.
 * @returns The image.
 */
export function rectImage(
  w: number,
  h: number,
  box: { x0: number; y0: number; x1: number; y1: number },
  opts: { channels?: 1 | 2 | 3 | 4; bg?: number; fg?: number; alphaBg?: number } = {},
): Pixels {
  const channels = opts.channels ?? 1;
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
      const v = inside ? opts.fg ?? 0 : opts.bg ?? 255;
      const i = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) data[i + c] = v;
      if (channels === 4) data[i + 3] = inside ? 255 : opts.alphaBg ?? 255;
      if (channels === 2) data[i + 1] = inside ? 255 : opts.alphaBg ?? 255;
    }
  }
  return { width: w, height: h, channels, data };
}
