/**
 * Uploaded bytes → {@linkcode Pixels}: the header checks of `header.ts`, then
 * the fast PNG path or the third-party decoders (jpeg-js, image-decode) and our GIF
 * decoder. The decode worker imports this module; server workers import only
 * `header.ts`, which keeps these decoders out of their start-up (about 100 ms).
 *
 * Runs in Deno (the page decodes uploads with the browser's own decoders).
 * @module
 */

import decodeImageBytes from "image-decode";
import jpeg from "jpeg-js";
import { CorruptImageError, type Pixels } from "../../src/mod.ts";
import { decodeGif } from "./gif.ts";
import { decodeInline, type DecodeOptions, IMAGE_MIME } from "./header.ts";

export * from "./header.ts";

/**
 * Decode an uploaded PNG, JPEG, GIF (first frame) or BMP into RGBA pixels.
 *
 * @param bytes File bytes.
 * @param options Pixel limit.
 * @returns The pixels: RGBA, or the PNG's own channels on the fast path.
 * @throws {UnsupportedImageError} When the bytes are no supported image.
 * @throws {ImageTooLargeError} When the header declares more than `maxPixels`.
 * @throws {CorruptImageError} When decoding fails.
 * @example
 * ```ts
 * const pixels = decodeImage(await Deno.readFile("digit.png"));
 * ```
 */
export function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Pixels {
  const maxPixels = options.maxPixels ?? 4_000_000;
  const { format, pixels } = decodeInline(bytes, maxPixels);
  if (pixels) return pixels;
  let decoded: { data: Uint8Array; width: number; height: number } | null;
  try {
    // jpeg-js 0.4 directly, with its resolution and memory limits: image-decode pins 0.3,
    // which loops forever on some malformed frames (CVE-2022-25851) and pads truncated data.
    decoded = format === "gif"
      ? decodeGif(bytes) as { data: Uint8Array; width: number; height: number }
      : format === "jpeg"
      ? jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: false,
        maxResolutionInMP: maxPixels / 1e6,
        maxMemoryUsageInMB: 256,
      })
      : decodeImageBytes(bytes, IMAGE_MIME[format]);
  } catch (e) {
    throw new CorruptImageError(
      `Cannot decode ${format.toUpperCase()}: ${e instanceof Error ? e.message : e}`,
    );
  }
  const w = decoded?.width ?? 0, h = decoded?.height ?? 0;
  if (!decoded?.data || w <= 0 || h <= 0 || w * h > maxPixels || decoded.data.length !== w * h * 4) {
    throw new CorruptImageError(`Cannot decode ${format.toUpperCase()}: no pixel data`);
  }
  return { width: w, height: h, channels: 4, data: decoded.data };
}
