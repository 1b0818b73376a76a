/**
 * The first frame of a GIF as RGBA, with every loop bounded by the input's length or
 * the frame's declared size. It replaces omggif, which loops forever on some corrupt
 * LZW streams (found by the fuzz test). Transparency and interlacing are handled;
 * later frames of an animation are ignored.
 *
 * Runs in Deno.
 * @module
 */

import type { Pixels } from "../../src/mod.ts";

/** A GIF that cannot be decoded. */
export class GifError extends Error {
  override name = "GifError";
}

/**
 * Decode the first frame of a GIF onto its logical screen.
 *
 * @param b File bytes.
 * @returns RGBA pixels of the screen; what the frame does not cover is transparent.
 * @throws {GifError} When the file is malformed.
 */
export function decodeGif(b: Uint8Array): Pixels {
  const fail = (why: string): never => {
    throw new GifError(why);
  };
  if (b.length < 13 || String.fromCharCode(...b.subarray(0, 4)) !== "GIF8") fail("not a GIF");
  const u16 = (p: number) => b[p] | (b[p + 1] << 8);
  const width = u16(6), height = u16(8);
  let p = 13;
  let palette: Uint8Array | undefined;
  if (b[10] & 0x80) {
    const n = 3 * (1 << ((b[10] & 7) + 1));
    palette = b.subarray(p, p + n);
    p += n;
  }
  let transparent = -1;
  // Extensions before the first image: keep the graphic control's transparent index.
  while (p < b.length && b[p] === 0x21) {
    const label = b[p + 1];
    p += 2;
    if (label === 0xf9 && b[p] >= 4 && (b[p + 1] & 1)) transparent = b[p + 4];
    while (p < b.length && b[p] !== 0) p += b[p] + 1;
    p++;
  }
  if (p + 10 > b.length || b[p] !== 0x2c) fail("no image descriptor");
  const fx = u16(p + 1), fy = u16(p + 3), fw = u16(p + 5), fh = u16(p + 7), flags = b[p + 9];
  p += 10;
  if (fw === 0 || fh === 0 || fx + fw > width || fy + fh > height) fail("frame outside the screen");
  if (flags & 0x80) {
    const n = 3 * (1 << ((flags & 7) + 1));
    palette = b.subarray(p, p + n);
    p += n;
  }
  if (!palette) fail("no colour table");
  const minCode = b[p++];
  if (!(minCode >= 2 && minCode <= 8)) fail(`LZW minimum code size ${minCode}`);

  // Gather the data sub-blocks.
  const parts: Uint8Array[] = [];
  let size = 0;
  while (p < b.length && b[p] !== 0) {
    const n = b[p];
    parts.push(b.subarray(p + 1, Math.min(b.length, p + 1 + n)));
    size += n;
    p += n + 1;
  }
  const data = new Uint8Array(size);
  let o = 0;
  for (const part of parts) {
    data.set(part, o);
    o += part.length;
  }

  const indices = lzw(data, minCode, fw * fh, fail);
  const out = new Uint8Array(width * height * 4); // transparent black where no frame pixel lands
  const rows = (flags & 0x40) ? interlacedRows(fh) : null;
  const colours = palette!.length / 3;
  for (let r = 0; r < fh; r++) {
    const y = fy + (rows ? rows[r] : r);
    for (let x = 0; x < fw; x++) {
      const idx = indices[r * fw + x];
      if (idx === transparent || idx >= colours) continue;
      const q = (y * width + fx + x) * 4;
      out[q] = palette![idx * 3];
      out[q + 1] = palette![idx * 3 + 1];
      out[q + 2] = palette![idx * 3 + 2];
      out[q + 3] = 255;
    }
  }
  return { width, height, channels: 4, data: out };
}

/** Row order of an interlaced frame: the i-th stored row is image row rows[i]. */
function interlacedRows(h: number): Uint32Array {
  const rows = new Uint32Array(h);
  let i = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) {
    for (let y = start; y < h; y += step) rows[i++] = y;
  }
  return rows;
}

/** LZW-decode up to `count` colour indices; a stream that ends early leaves the rest 0. */
function lzw(data: Uint8Array, minCode: number, count: number, fail: (why: string) => never): Uint8Array {
  const out = new Uint8Array(count);
  const prefix = new Uint16Array(4096), suffix = new Uint8Array(4096), stack = new Uint8Array(4097);
  const clear = 1 << minCode, eoi = clear + 1;
  let codeSize = minCode + 1, next = eoi + 1, prev = -1, first = 0;
  let bitPos = 0, pos = 0;
  const totalBits = data.length * 8;
  while (pos < count && bitPos + codeSize <= totalBits) {
    let code = 0;
    for (let i = 0; i < codeSize; i++, bitPos++) code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << i;
    if (code === clear) {
      codeSize = minCode + 1;
      next = eoi + 1;
      prev = -1;
      continue;
    }
    if (code === eoi) break;
    if (prev === -1) {
      if (code >= clear) fail("LZW stream starts with a non-literal code");
      out[pos++] = first = code;
      prev = code;
      continue;
    }
    if (code > next) fail(`LZW code ${code} beyond the table (${next})`);
    const inCode = code;
    let sp = 0;
    if (code === next) {
      stack[sp++] = first;
      code = prev;
    }
    // Each table entry points to a lower one, so this walk is at most 4096 steps.
    while (code >= clear) {
      stack[sp++] = suffix[code];
      code = prefix[code];
    }
    first = code;
    stack[sp++] = first;
    while (sp > 0 && pos < count) out[pos++] = stack[--sp];
    if (next < 4096) {
      prefix[next] = prev;
      suffix[next] = first;
      next++;
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    prev = inCode;
  }
  return out;
}
