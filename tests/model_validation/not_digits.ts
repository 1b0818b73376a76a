/**
 * Things that are not one digit, drawn as a user would on the 280×280 pad or upload:
 * scribbles, zig-zags, dots, strokes too small to read, letters from a font, two or
 * three digits side by side, and noise. Seeded, so a set is the same on every run.
 *
 * Runs in Deno (pure functions; the letters come from `tests/testdata/letters/`, made by
 * `training/render_letters.py`). Most strokes use the page's pen (7.5 % of the pad); a
 * third use another width, as an upload might. Letters and digits are drawn both ways
 * the digit sets are: traced and painted with the pen (`pad_digits.ts`), or their grey
 * levels upsampled and cut (`drawn_digits.ts`). `training/ood_data.ts` writes the
 * training and calibration sets from here; `not_digit_test.ts` draws a held-out one.
 *
 * @example
 * ```ts
 * const letters = await loadLetters();
 * const rand = mulberry32(1);
 * const { pixels, kind } = drawNotDigit(rand, { digits: test, letters });
 * ```
 * @module
 */

import type { Pixels } from "../../src/mod.ts";
import { decodeImage } from "../../server/images/decode.ts";
import type { Point, Stroke } from "../../web/strokes.ts";
import type { MnistSet } from "../support/mnist_idx.ts";
import { PAD, PEN, rasterStrokes } from "../support/pad_raster.ts";
import { drawDigit, randomStyle } from "./drawn_digits.ts";
import { padDigit } from "./pad_digits.ts";

/** Seed of the held-out sets the tests draw (training draws from 1001, calibration from 2002: `training/ood_data.ts`). */
export const HELD_OUT_SEED = 20261203;

/** The kinds of not-a-digit, in the order the tables report them. */
export const KINDS = ["scribble", "zigzag", "dots", "tiny", "letter", "digits", "noise"] as const;
/** One kind. */
export type NotDigitKind = typeof KINDS[number];

/**
 * Letters a hand draws like a digit (O 0, I l 1, Z 2, S 5, G b 6, B 8, g q 9, …): no
 * answer is wrong for them, so they are neither trained on nor counted.
 */
export const DIGIT_LIKE = "BDGIJOQSZbgijloqsz";

/** A letter's 28×28 tile (MNIST layout) and where it comes from. */
export interface Letter {
  char: string;
  font: string;
  /** Whether training draws this font: held-out sets use only the others. */
  trainFont: boolean;
  image: Uint8Array;
}

const LETTERS_DIR = new URL("../testdata/letters/", import.meta.url);

/**
 * The letter tiles, digit-like letters left out.
 *
 * @returns One tile per letter and font.
 */
export async function loadLetters(): Promise<Letter[]> {
  const index = JSON.parse(await Deno.readTextFile(new URL("letters.json", LETTERS_DIR)));
  const atlas = decodeImage(await Deno.readFile(new URL("letters.png", LETTERS_DIR)));
  const t: number = index.tile, chars: string = index.letters;
  const out: Letter[] = [];
  index.fonts.forEach((font: string, r: number) => {
    for (let c = 0; c < chars.length; c++) {
      if (DIGIT_LIKE.includes(chars[c])) continue;
      const image = new Uint8Array(t * t);
      for (let y = 0; y < t; y++) {
        for (let x = 0; x < t; x++) {
          image[y * t + x] = atlas.data[((r * t + y) * atlas.width + c * t + x) * atlas.channels];
        }
      }
      out.push({ char: chars[c], font, trainFont: r < index.train_fonts, image });
    }
  });
  return out;
}

/** Where a set's letters and digits come from. */
export interface Sources {
  /** Digits to put side by side (the training split for training, the test split for tests). */
  digits: MnistSet;
  /** Letters to draw. */
  letters: readonly Letter[];
}

/** One drawing. */
export interface NotDigit {
  kind: NotDigitKind;
  pixels: Pixels;
  /** What was drawn, for reports: the letter, the digits, the noise type. */
  detail: string;
}

const between = (rand: () => number, lo: number, hi: number) => lo + rand() * (hi - lo);
const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

/** The page's pen two times in three, else 2.5–11 % of the pad. */
const penWidth = (rand: () => number) => (rand() < 2 / 3 ? PEN : between(rand, 0.025, 0.11));

/** Points of a box `size` across, placed anywhere on the pad it fits (unit coordinates). */
function placer(rand: () => number, size: number, pen: number) {
  const room = Math.max(0, 1 - size - pen);
  const x0 = pen / 2 + rand() * room, y0 = pen / 2 + rand() * room;
  return (u: number, v: number): Point => ({ x: x0 + u * size, y: y0 + v * size });
}

/**
 * Longest path, in sides of the drawing's box, a scribble is not: 5.1 is the longest of
 * 5,000 MNIST training digits traced into strokes (p99 3.8, the 0s and 8s), so a tangle
 * at least 6 sides long is no digit's path.
 */
const SCRIBBLE_PATH = 6;

/** Length of the strokes' paths over the longer side of their box. */
function pathRatio(strokes: readonly Stroke[]): number {
  let len = 0, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of strokes) {
    s.forEach((p, k) => {
      x0 = Math.min(x0, p.x), x1 = Math.max(x1, p.x), y0 = Math.min(y0, p.y), y1 = Math.max(y1, p.y);
      if (k > 0) len += Math.hypot(p.x - s[k - 1].x, p.y - s[k - 1].y);
    });
  }
  return len / Math.max(x1 - x0, y1 - y0, 1e-9);
}

/**
 * A tangle: 1–3 random walks across 35–90 % of the pad, turning one way then the other,
 * drawn again until the path is {@linkcode SCRIBBLE_PATH} sides of its box long.
 */
function scribble(rand: () => number, pen: number): Stroke[] {
  const size = between(rand, 0.35, 0.9);
  const at = placer(rand, size, pen);
  for (;;) {
    const walks: { u: number; v: number }[][] = [];
    for (let s = Math.floor(between(rand, 1, 4)); s > 0; s--) {
      let u = rand(), v = rand(), dir = rand() * 2 * Math.PI, turn = between(rand, 0.5, 1.8);
      const walk = [{ u, v }];
      for (let n = Math.floor(between(rand, 14, 31)); n > 0; n--) {
        if (rand() < 0.25) turn = -turn;
        dir += turn * between(rand, 0.3, 1.3) + (rand() - 0.5);
        const step = between(rand, 0.1, 0.35);
        u = Math.min(1, Math.max(0, u + Math.cos(dir) * step));
        v = Math.min(1, Math.max(0, v + Math.sin(dir) * step));
        walk.push({ u, v });
      }
      walks.push(walk);
    }
    const strokes = walks.map((w) => w.map(({ u, v }) => at(u, v)));
    if (pathRatio(strokes) >= SCRIBBLE_PATH) return strokes;
  }
}

/** One stroke going back and forth 4–9 times, at any angle (the scribble). */
function zigzag(rand: () => number, pen: number): Stroke[] {
  const size = between(rand, 0.25, 0.9);
  const at = placer(rand, size, pen);
  const n = Math.floor(between(rand, 5, 11));
  const amp = between(rand, 0.25, 1), angle = rand() * Math.PI;
  const c = Math.cos(angle), s = Math.sin(angle);
  const stroke: Stroke = [];
  for (let i = 0; i < n; i++) {
    const a = (i / (n - 1) - 0.5) + (rand() - 0.5) * 0.05, b = ((i % 2) - 0.5) * amp + (rand() - 0.5) * 0.1;
    stroke.push(at(0.5 + (a * c - b * s) / 1.5, 0.5 + (a * s + b * c) / 1.5));
  }
  return [stroke];
}

/** 1–5 taps of the pen. */
function dots(rand: () => number): Stroke[] {
  const n = Math.floor(between(rand, 1, 6));
  return Array.from({ length: n }, () => [{ x: between(rand, 0.05, 0.95), y: between(rand, 0.05, 0.95) }]);
}

/** A dab: a stroke shorter than the pen is wide, or a scribble a few pixels across. */
function tiny(rand: () => number, pen: number): Stroke[] {
  const size = rand() < 0.5 ? between(rand, 0.002, pen * 0.8) : between(rand, 0.01, 0.04);
  const at = placer(rand, size, pen);
  const n = Math.floor(between(rand, 2, 8));
  return [Array.from({ length: n }, () => at(rand(), rand()))];
}

/** A 28×28 image (MNIST layout) drawn on a `side` canvas: traced with the pen, or grey levels cut. */
function glyph(rand: () => number, image: Uint8Array, side: number, pad: boolean): Pixels {
  if (pad) {
    const size = between(rand, 0.3, 0.95);
    try {
      return padDigit(image, size, rand(), rand(), side);
    } catch {
      // A glyph too thin to trace: drawn from its grey levels instead.
    }
  }
  const style = randomStyle(rand);
  return drawDigit(image, { ...style, scale: between(rand, 0.6, 1) * side / 28, transparent: false }, side);
}

/** Opaque white pixels. */
function paper(side = PAD): Pixels {
  return { width: side, height: side, channels: 4, data: new Uint8Array(side * side * 4).fill(255) };
}

/** Darken `dst` with `src` (both opaque RGBA; src's alpha is its ink) at `x`, `y`. */
function paste(dst: Pixels, src: Pixels, x: number, y: number): void {
  for (let sy = 0; sy < src.height; sy++) {
    const ty = sy + y;
    if (ty < 0 || ty >= dst.height) continue;
    for (let sx = 0; sx < src.width; sx++) {
      const tx = sx + x;
      if (tx < 0 || tx >= dst.width) continue;
      const s = (sy * src.width + sx) * 4, d = (ty * dst.width + tx) * 4;
      const a = src.data[s + 3] / 255;
      for (let c = 0; c < 3; c++) {
        const v = 255 + (src.data[s + c] - 255) * a;
        if (v < dst.data[d + c]) dst.data[d + c] = v;
      }
    }
  }
}

/** Two or three digits side by side (or stacked), each in its own cell, drawn the same way. */
function severalDigits(rand: () => number, set: MnistSet): { pixels: Pixels; detail: string } {
  const n = rand() < 0.75 ? 2 : 3;
  const across = rand() < 0.8;
  const cell = Math.floor(between(rand, 0.7, 1) * PAD / n);
  const gap = Math.floor(between(rand, -0.1, 0.25) * cell);
  const pad = rand() < 0.5;
  const out = paper();
  const labels: number[] = [];
  const span = n * cell + (n - 1) * gap;
  const start = Math.floor(rand() * Math.max(0, PAD - span)), other = Math.floor(rand() * (PAD - cell));
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * set.count);
    labels.push(set.labels[i]);
    const tile = glyph(rand, set.image(i), cell, pad);
    const along = start + k * (cell + gap);
    paste(out, tile, across ? along : other, across ? other : along);
  }
  return { pixels: out, detail: labels.join("") };
}

/** Speckles, grey noise, blotches or hatching. */
function noise(rand: () => number): { pixels: Pixels; detail: string } {
  const type = pick(rand, ["speckle", "grey", "blotch", "hatch"] as const);
  if (type === "hatch") {
    const pen = between(rand, 0.01, 0.05);
    const strokes: Stroke[] = Array.from({ length: Math.floor(between(rand, 6, 30)) }, () => {
      const x = rand(), y = rand(), a = rand() * Math.PI, l = between(rand, 0.03, 0.3);
      return [{ x, y }, { x: x + Math.cos(a) * l, y: y + Math.sin(a) * l }];
    });
    return { pixels: rasterStrokes(strokes, PAD, pen), detail: type };
  }
  const out = paper();
  const ink = new Float32Array(PAD * PAD);
  if (type === "speckle") {
    const n = Math.floor(PAD * PAD * between(rand, 0.0005, 0.02));
    for (let k = 0; k < n; k++) {
      const r = Math.floor(between(rand, 1, 4)), x = Math.floor(rand() * PAD), y = Math.floor(rand() * PAD);
      for (let dy = 0; dy < r; dy++) {
        for (let dx = 0; dx < r; dx++) ink[Math.min(PAD - 1, y + dy) * PAD + Math.min(PAD - 1, x + dx)] = 1;
      }
    }
  } else if (type === "grey") {
    // Uniform noise over a random rectangle (or everything).
    const x0 = Math.floor(rand() * PAD * 0.5), y0 = Math.floor(rand() * PAD * 0.5);
    const x1 = x0 + Math.floor(between(rand, 0.3, 1) * (PAD - x0)),
      y1 = y0 + Math.floor(between(rand, 0.3, 1) * (PAD - y0));
    const level = between(rand, 0.3, 1);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * PAD + x] = rand() * level;
  } else {
    // A coarse random field, upsampled and cut: ink blotches.
    const g = Math.floor(between(rand, 3, 12));
    const field = Float32Array.from({ length: (g + 1) * (g + 1) }, () => rand());
    const cut = between(rand, 0.55, 0.85);
    for (let y = 0; y < PAD; y++) {
      for (let x = 0; x < PAD; x++) {
        const u = x / PAD * g, v = y / PAD * g, i = Math.floor(u), j = Math.floor(v), tu = u - i, tv = v - j;
        const f = (field[j * (g + 1) + i] * (1 - tu) + field[j * (g + 1) + i + 1] * tu) * (1 - tv) +
          (field[(j + 1) * (g + 1) + i] * (1 - tu) + field[(j + 1) * (g + 1) + i + 1] * tu) * tv;
        ink[y * PAD + x] = Math.min(1, Math.max(0, (f - cut) * 20));
      }
    }
  }
  for (let i = 0; i < ink.length; i++) {
    const v = Math.round(255 * (1 - ink[i]));
    out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = v;
  }
  return { pixels: out, detail: type };
}

/**
 * Draw one not-a-digit of a given kind.
 *
 * @param kind What to draw.
 * @param rand Generator from `mulberry32`.
 * @param sources Digits and letters to draw from.
 * @returns The drawing, 280×280 RGBA, with what it shows.
 */
export function drawKind(kind: NotDigitKind, rand: () => number, sources: Sources): NotDigit {
  const pen = penWidth(rand);
  switch (kind) {
    case "scribble":
      return { kind, pixels: rasterStrokes(scribble(rand, pen), PAD, pen), detail: "" };
    case "zigzag":
      return { kind, pixels: rasterStrokes(zigzag(rand, pen), PAD, pen), detail: "" };
    case "dots":
      return { kind, pixels: rasterStrokes(dots(rand), PAD, pen), detail: "" };
    case "tiny":
      return { kind, pixels: rasterStrokes(tiny(rand, pen), PAD, pen), detail: "" };
    case "letter": {
      const letter = pick(rand, sources.letters);
      return { kind, pixels: glyph(rand, letter.image, PAD, rand() < 0.5), detail: letter.char };
    }
    case "digits":
      return { kind, ...severalDigits(rand, sources.digits) };
    case "noise":
      return { kind, ...noise(rand) };
  }
}

/**
 * Draw one not-a-digit, its kind picked at random (each kind equally often).
 *
 * @param rand Generator from `mulberry32`.
 * @param sources Digits and letters to draw from.
 * @returns The drawing.
 */
export function drawNotDigit(rand: () => number, sources: Sources): NotDigit {
  return drawKind(pick(rand, KINDS), rand, sources);
}

/**
 * A set of not-digits: `perKind` of each kind, kind after kind in {@linkcode KINDS} order.
 *
 * @param rand Generator from `mulberry32`.
 * @param sources Digits and letters to draw from.
 * @param perKind Drawings per kind.
 * @returns The drawings.
 */
export function notDigitSet(rand: () => number, sources: Sources, perKind: number): NotDigit[] {
  return KINDS.flatMap((kind) => Array.from({ length: perKind }, () => drawKind(kind, rand, sources)));
}
