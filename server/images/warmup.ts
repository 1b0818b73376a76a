/**
 * Tiny valid JPEG, GIF and BMP files made in code, and a warm-up that decodes each once.
 * A decode worker runs it before it takes uploads: the first decode of each format
 * compiles that decoder, which would otherwise count against the first upload's deadline.
 *
 * Runs in Deno (the decode worker).
 * @module
 */

import jpeg from "jpeg-js";
import { decodeImage } from "./decode.ts";

const SIDE = 8;

/** An 8×8 grey diagonal stroke on black, as RGBA. */
function strokeRgba(): Uint8Array {
  const data = new Uint8Array(SIDE * SIDE * 4);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = i % SIDE === Math.floor(i / SIDE) ? 255 : 0;
    data.set([v, v, v, 255], i * 4);
  }
  return data;
}

/** A baseline JPEG of the stroke, from jpeg-js's own encoder. */
export function sampleJpeg(): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: SIDE, height: SIDE, data: strokeRgba() }, 90).data);
}

/**
 * A GIF89a of the stroke: a black/white palette and LZW data made only of literal codes.
 * A clear code before every second literal keeps the table small, so every code stays
 * 3 bits wide and no decoder's code-width rule comes into play.
 */
export function sampleGif(): Uint8Array {
  const rgba = strokeRgba();
  const CLEAR = 4, END = 5, BITS = 3;
  const codes: number[] = [];
  for (let i = 0; i < SIDE * SIDE; i++) {
    if (i % 2 === 0) codes.push(CLEAR);
    codes.push(rgba[i * 4] ? 1 : 0);
  }
  codes.push(END);
  const lzw: number[] = [];
  let acc = 0, n = 0;
  for (const c of codes) {
    acc |= c << n;
    n += BITS;
    for (; n >= 8; n -= 8, acc >>= 8) lzw.push(acc & 0xff);
  }
  if (n > 0) lzw.push(acc & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < lzw.length; i += 255) {
    const part = lzw.slice(i, i + 255);
    blocks.push(part.length, ...part);
  }
  return new Uint8Array([
    ...new TextEncoder().encode("GIF89a"),
    SIDE,
    0,
    SIDE,
    0,
    0x80,
    0,
    0, // screen: global palette of 2 colours
    0,
    0,
    0,
    255,
    255,
    255, // palette: black, white
    0x2c,
    0,
    0,
    0,
    0,
    SIDE,
    0,
    SIDE,
    0,
    0, // image descriptor: whole screen, no local palette
    2,
    ...blocks,
    0, // LZW minimum code size, data, block terminator
    0x3b, // trailer
  ]);
}

/** A 24-bit bottom-up BMP of the stroke (BITMAPINFOHEADER, rows padded to 4 bytes). */
export function sampleBmp(): Uint8Array {
  const rgba = strokeRgba();
  const row = Math.ceil((SIDE * 3) / 4) * 4;
  const size = 54 + row * SIDE;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]); // "BM"
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true); // pixel data offset
  v.setUint32(14, 40, true); // info header size
  v.setInt32(18, SIDE, true);
  v.setInt32(22, SIDE, true); // positive height: bottom-up rows
  v.setUint16(26, 1, true); // planes
  v.setUint16(28, 24, true); // bits per pixel
  v.setUint32(34, row * SIDE, true);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const src = ((SIDE - 1 - y) * SIDE + x) * 4;
      b.set([rgba[src + 2], rgba[src + 1], rgba[src]], 54 + y * row + x * 3); // BGR
    }
  }
  return b;
}

/**
 * Decode one sample of each format the decode worker handles.
 *
 * @returns Milliseconds each decode took, by format.
 * @throws {CorruptImageError} When a sample does not decode (a decoder changed under us).
 * @example
 * ```ts
 * const ms = warmUpDecoders(); // { jpeg: 20.1, gif: 1.2, bmp: 9.8 }
 * ```
 */
export function warmUpDecoders(): Record<"jpeg" | "gif" | "bmp", number> {
  const samples = { jpeg: sampleJpeg(), gif: sampleGif(), bmp: sampleBmp() };
  const ms = { jpeg: 0, gif: 0, bmp: 0 };
  for (const [format, bytes] of Object.entries(samples) as [keyof typeof samples, Uint8Array][]) {
    const t = performance.now();
    decodeImage(bytes, { maxPixels: SIDE * SIDE });
    ms[format] = performance.now() - t;
  }
  return ms;
}
