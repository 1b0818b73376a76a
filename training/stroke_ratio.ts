/**
 * Measure stroke width over box side where `src/stroke_width.ts` takes its two
 * constants from: `MAX_STROKE_RATIO` (how thick MNIST's own strokes get) and
 * `BLOB_RATIO` (where a digit drawn small with the pad's pen meets a dab of the pen).
 *
 *     deno run -A training/stroke_ratio.ts            # ~1 min
 *
 * Runs in Deno. Every drawing's ink box is resampled so the longer side is 80 px, as the
 * pre-processing measures it, and `strokeWidth()` is divided by 80. The sets: 5,000
 * MNIST training digits drawn at 10× with the pen cut at mid-grey (`drawn_digits.ts`,
 * no dilation or erosion: MNIST's strokes as they are); 1,000 of them traced and drawn
 * with the pad's pen across 15 % of the pad (`pad_digits.ts`, the small 7); and
 * 1,000 dabs and specks (`not_digits.ts`, kind `tiny`). Prints the percentiles.
 * @module
 */

// deno-lint-ignore-file no-console
import { greyBytes, resize } from "../src/preprocess.ts";
import { strokeWidth, THIN_BOX } from "../src/stroke_width.ts";
import type { Pixels } from "../src/mod.ts";
import { drawDigit, mulberry32 } from "../tests/model_validation/drawn_digits.ts";
import { drawKind, loadLetters } from "../tests/model_validation/not_digits.ts";
import { padDigit } from "../tests/model_validation/pad_digits.ts";
import { loadMnist } from "../tests/support/mnist_idx.ts";

const train = await loadMnist("train");
const table = Float32Array.from({ length: 256 }, (_, v) => 1 - v / 255); // black on white

/** Stroke width over the longer side of the ink box, at 80 px. */
function ratio(p: Pixels): number {
  const grey = greyBytes(p);
  let x0 = p.width, y0 = p.height, x1 = -1, y1 = -1;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (table[grey[y * p.width + x]] <= 0.2) continue;
      x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
    }
  }
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, s = THIN_BOX / Math.max(bw, bh);
  const dw = Math.max(1, Math.round(bw * s)), dh = Math.max(1, Math.round(bh * s));
  return strokeWidth(resize(grey, table, p.width, x0, y0, bw, bh, dw, dh), dw, dh) / THIN_BOX;
}

function report(name: string, ratios: number[]) {
  ratios.sort((a, b) => a - b);
  const q = (f: number) => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))].toFixed(3);
  console.log(
    `${name}: stroke width / box, p5 ${q(0.05)}, median ${q(0.5)}, p90 ${q(0.9)}, p95 ${q(0.95)}, p99 ${
      q(0.99)
    }`,
  );
}

const style = { scale: 10, x: 0.5, y: 0.5, cut: 0.5, stroke: 0, pen: [0, 0, 0] as const, transparent: false };
report(
  "5,000 MNIST training digits",
  Array.from({ length: 5000 }, (_, i) => ratio(drawDigit(train.image(i), style))),
);
const rand = mulberry32(15);
report(
  "1,000 of them drawn across 15 % of the pad",
  Array.from({ length: 1000 }, (_, i) => ratio(padDigit(train.image(i), 0.15, rand(), rand()))),
);
const sources = { digits: train, letters: await loadLetters() };
report(
  "1,000 dabs and specks",
  Array.from({ length: 1000 }, () => ratio(drawKind("tiny", rand, sources).pixels)),
);
