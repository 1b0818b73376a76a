/**
 * What is known of an upload before its pixels are decoded: its format from the magic
 * bytes, its declared size from the header (decompression bombs are refused here),
 * and the fast PNG path. Our own bounded code, light to import: server workers use
 * this module; the third-party decoders (`decode.ts`) load only in the decode worker.
 *
 * Runs in Deno.
 * @module
 */

import { CorruptImageError, ImageTooLargeError, type Pixels, UnsupportedImageError } from "../../src/mod.ts";
import { decodePngFast } from "./png.ts";

/** Formats the server decodes. */
export type ImageFormat = "png" | "jpeg" | "gif" | "bmp";

/** MIME type of each format. */
export const IMAGE_MIME: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: "image/png",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
});

/**
 * The format named by the first bytes, or undefined.
 *
 * @param b File bytes.
 * @returns The format, when it is one of {@linkcode ImageFormat}.
 */
export function sniffFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return "gif";
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return "bmp";
  return undefined;
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * Width and height declared in an image header, without decoding pixels.
 *
 * @param b File bytes.
 * @param format Its format, from {@linkcode sniffFormat}.
 * @returns The declared size.
 * @throws {CorruptImageError} When the header is truncated or names no size.
 */
function readDimensions(
  b: Uint8Array,
  format: ImageFormat,
): { width: number; height: number; frameOutside?: boolean } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const corrupt = (why: string): never => {
    throw new CorruptImageError(`Corrupt ${format.toUpperCase()}: ${why}`);
  };
  if (format === "png") {
    if (b.length < 24 || String.fromCharCode(...b.subarray(12, 16)) !== "IHDR") corrupt("no IHDR header");
    // pngjs decodes a truncated stream into partly blank pixels without a word: insist on IEND.
    if (b.length < 45 || String.fromCharCode(...b.subarray(b.length - 8, b.length - 4)) !== "IEND") {
      corrupt("truncated (no IEND chunk at the end)");
    }
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (format === "gif") {
    if (b.length < 13) corrupt("truncated header");
    const width = v.getUint16(6, true), height = v.getUint16(8, true);
    // The first frame may declare more than the screen: check it too (decoders allocate for it).
    let p = 13 + (b[10] & 0x80 ? 3 * (1 << ((b[10] & 7) + 1)) : 0);
    while (p < b.length && b[p] === 0x21) {
      p += 2;
      while (p < b.length && b[p] !== 0) p += b[p] + 1;
      p++;
    }
    if (p + 10 > b.length || b[p] !== 0x2c) corrupt("no image descriptor");
    const fx = v.getUint16(p + 1, true), fy = v.getUint16(p + 3, true);
    const fw = v.getUint16(p + 5, true), fh = v.getUint16(p + 7, true);
    if (fw === 0 || fh === 0) corrupt(`first frame is ${fw}×${fh}`);
    if (fx + fw > width || fy + fh > height) {
      // Report the extent the decoder would have to cover: checkHeader refuses it (413 or 400).
      return { width: Math.max(width, fx + fw), height: Math.max(height, fy + fh), frameOutside: true };
    }
    return { width, height };
  }
  if (format === "bmp") {
    return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  }
  // JPEG: walk the marker segments to the first start-of-frame.
  let i = 2;
  while (i + 12 < b.length) {
    if (b[i] !== 0xff) corrupt(`no marker at byte ${i}`);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (SOF.has(marker)) {
      const components = b[i + 9];
      if (components !== 1 && components !== 3 && components !== 4) {
        corrupt(`${components} colour components`);
      }
      for (let c = 0; c < components; c++) {
        const sampling = b[i + 11 + 3 * c] ?? 0;
        const h = sampling >> 4, vv = sampling & 15;
        if (h < 1 || h > 4 || vv < 1 || vv > 4) corrupt("invalid sampling factors");
      }
      return { width: v.getUint16(i + 7), height: v.getUint16(i + 5) };
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame
    i += 2 + v.getUint16(i + 2);
  }
  return corrupt("no frame header");
}

/** Options of {@linkcode decodeImage}. */
export interface DecodeOptions {
  /** Most pixels (width × height) an image may declare. @default 4_000_000 */
  maxPixels?: number;
}

/**
 * Check what the header says before any pixel is decoded.
 *
 * @param bytes File bytes.
 * @param maxPixels Most pixels allowed.
 * @returns The format and declared size.
 * @throws {UnsupportedImageError} When the bytes are no supported image.
 * @throws {ImageTooLargeError} When the header declares more than `maxPixels`.
 * @throws {CorruptImageError} When the header is malformed.
 */
export function checkHeader(
  bytes: Uint8Array,
  maxPixels: number,
): { format: ImageFormat; width: number; height: number } {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new UnsupportedImageError("Unsupported image format: send a PNG, JPEG, GIF or BMP file");
  }
  const { width, height, frameOutside } = readDimensions(bytes, format);
  if (width === 0 || height === 0) throw new CorruptImageError(`Image declares a size of ${width}×${height}`);
  if (width * height > maxPixels) {
    throw new ImageTooLargeError(
      `Image declares ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
    );
  }
  if (frameOutside) throw new CorruptImageError("Corrupt GIF: the first frame lies outside the screen");
  return { format, width, height };
}

/**
 * The header checks and the fast PNG path: the part of decoding that is our own,
 * bounded code and may run on the request's thread.
 *
 * @param bytes File bytes.
 * @param maxPixels Most pixels allowed.
 * @returns The format, and the pixels when the fast path applies.
 * @throws {UnsupportedImageError} Not a supported image; {ImageTooLargeError} too many pixels; {CorruptImageError} malformed.
 */
export function decodeInline(bytes: Uint8Array, maxPixels: number): { format: ImageFormat; pixels?: Pixels } {
  const { format } = checkHeader(bytes, maxPixels);
  if (format !== "png") return { format };
  try {
    return { format, pixels: decodePngFast(bytes) };
  } catch (e) {
    throw new CorruptImageError(`Cannot decode PNG: ${e instanceof Error ? e.message : e}`);
  }
}
