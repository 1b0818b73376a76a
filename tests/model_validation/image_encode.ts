/**
 * RGBA pixels → real PNG or JPEG files, so the validation tests upload what a user
 * would: the bytes go through `server/images/decode.ts` like any upload.
 *
 * Runs in Deno. The encoders are pngjs and jpeg-js, the libraries image-decode uses
 * to decode, so the files are what those libraries expect from other programs.
 *
 * @example
 * ```ts
 * const png = encodePng({ width: 28, height: 28, channels: 4, data: rgba });
 * ```
 * @module
 */

// Pinned inline until deno.json maps "jpeg-js" and "pngjs" (both already locked, through image-decode);
// then these become bare specifiers and the ignores go.
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import type { Pixels } from "../../src/mod.ts";

function rgba(p: Pixels): Uint8Array {
  if (p.channels !== 4) throw new TypeError(`Expected RGBA pixels, got ${p.channels} channels`);
  if (p.data.length !== p.width * p.height * 4) {
    throw new RangeError(`Expected ${p.width * p.height * 4} bytes, got ${p.data.length}`);
  }
  return p.data instanceof Uint8Array
    ? p.data
    : new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length);
}

/**
 * Encode RGBA pixels as an 8-bit RGBA PNG.
 *
 * @param p The image.
 * @param level zlib level; 1 keeps tests fast (with no row filters, also for speed). @default 1
 * @returns The file's bytes.
 * @throws {TypeError} When the pixels are not RGBA.
 */
export function encodePng(p: Pixels, level = 1): Uint8Array {
  const png = pngjs.PNG.sync.write(
    { width: p.width, height: p.height, data: rgba(p) } as never,
    { deflateLevel: level, filterType: 0 },
  );
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Encode RGBA pixels as a baseline JPEG (alpha dropped).
 *
 * @param p The image.
 * @param quality 1–100. @default 80
 * @returns The file's bytes.
 * @throws {TypeError} When the pixels are not RGBA.
 */
export function encodeJpeg(p: Pixels, quality = 80): Uint8Array {
  const out = jpeg.encode({ width: p.width, height: p.height, data: rgba(p) }, quality);
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}
