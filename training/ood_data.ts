/**
 * Write the pre-processed training and calibration sets of the not-a-digit output: drawn
 * digits and drawn not-digits, each passed through `src/preprocess.ts`, so the model
 * learns on exactly the 28×28 images the server and the page feed it.
 *
 *     deno run -A training/ood_data.ts --split train --out /tmp/ood-data        # ~10 min
 *     deno run -A training/ood_data.ts --split cal --out /tmp/ood-data          # ~2 min
 *
 * Runs in Deno. Splits never share a digit, a drawing seed or (for the held-out
 * tests) a font:
 *
 * | split   | digits drawn                 | not-digits                          | seed     |
 * | ------- | ---------------------------- | ----------------------------------- | -------- |
 * | `train` | MNIST train 0–54,999         | 7,000 per kind; training fonts only | 1001+    |
 * | `cal`   | MNIST train 55,000–59,999    | 1,000 per kind; held-out fonts only | 2002+    |
 * | tests   | MNIST t10k                   | held-out fonts (`not_digit_test.ts`) | 20261203 |
 *
 * Each split writes `<split>-images-idx3-ubyte` (N×28×28, ink × 255 rounded),
 * `<split>-labels-idx1-ubyte` (0–9, or 10 for not a digit) and `<split>-kinds-idx1-ubyte`
 * (what the row is: {@linkcode ROW_KINDS}). The raw MNIST digits are not written: the
 * training script reads them from the IDX files itself. `--shard k/n` writes the k-th
 * of n slices (`<split>.k-…`), so two processes can share the work.
 * @module
 */

// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { NoDigitError, type Pixels, preprocess } from "../src/mod.ts";
import { drawDigit, mulberry32, randomStyle } from "../tests/model_validation/drawn_digits.ts";
import { drawKind, KINDS, loadLetters, type Sources } from "../tests/model_validation/not_digits.ts";
import { padDigit, tracesFaithfully } from "../tests/model_validation/pad_digits.ts";
import { loadMnist, type MnistSet } from "../tests/support/mnist_idx.ts";

/** Row kinds in the kinds file: 0 drawn from grey levels, 1 drawn with the pad's pen, 2 + k the k-th not-digit kind. */
export const ROW_KINDS = ["drawn", "pad", ...KINDS] as const;

/** The label of a not-a-digit row. */
export const NOT_DIGIT = 10;

const SPLITS = {
  train: { from: 0, to: 55000, drawn: 20000, pad: 20000, perKind: 7000, seed: 1001, trainFonts: true },
  cal: { from: 55000, to: 60000, drawn: 4000, pad: 4000, perKind: 1000, seed: 2002, trainFonts: false },
} as const;

/** A slice of a split: digits `from` … `to` - 1 only. */
function slice(set: MnistSet, from: number, to: number): MnistSet {
  return {
    count: to - from,
    rows: set.rows,
    cols: set.cols,
    images: set.images.subarray(from * 784, to * 784),
    labels: set.labels.subarray(from, to),
    image: (i) => set.image(from + i),
  };
}

/** Pad digit sizes: the page's range, small digits included (the issue's 7 spans 15 %). */
export const padSize = (rand: () => number) => 0.12 + rand() * 0.83;

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08, out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      split: { type: "string", default: "train" },
      out: { type: "string", default: "/tmp/ood-data" },
      shard: { type: "string", default: "0/1" },
    },
  });
  const split = SPLITS[values.split as keyof typeof SPLITS];
  if (!split) throw new RangeError(`--split must be one of ${Object.keys(SPLITS).join(", ")}`);
  const [k, n] = values.shard!.split("/").map(Number);
  const digits = slice(await loadMnist("train"), split.from, split.to);
  const letters = (await loadLetters()).filter((l) => l.trainFont === split.trainFonts);
  const sources: Sources = { digits, letters };

  // Every row of the split, in a fixed order; this shard takes every n-th from k.
  type Row = { kind: number; label: number };
  const rows: Row[] = [];
  for (let i = 0; i < split.drawn; i++) rows.push({ kind: 0, label: -1 });
  for (let i = 0; i < split.pad; i++) rows.push({ kind: 1, label: -1 });
  KINDS.forEach((_, j) => {
    for (let i = 0; i < split.perKind; i++) rows.push({ kind: 2 + j, label: NOT_DIGIT });
  });

  const images: Uint8Array[] = [], labels: number[] = [], kinds: number[] = [];
  const t0 = performance.now();
  let skipped = 0;
  for (let r = k; r < rows.length; r += n) {
    // One generator per row: a row is the same whatever the sharding.
    const rand = mulberry32(split.seed * 1_000_003 + r);
    const row = rows[r];
    let pixels: Pixels, label = row.label;
    if (row.kind < 2) {
      let i = Math.floor(rand() * digits.count);
      // Digits drawn with the pen: only tracings that keep the digit (pad_digits.ts).
      while (row.kind === 1 && !tracesFaithfully(digits.image(i))) i = Math.floor(rand() * digits.count);
      label = digits.labels[i];
      pixels = row.kind === 0
        ? drawDigit(digits.image(i), randomStyle(rand))
        : padDigit(digits.image(i), padSize(rand), rand(), rand());
    } else {
      pixels = drawKind(KINDS[row.kind - 2], rand, sources).pixels;
    }
    let input: Float32Array;
    try {
      input = preprocess(pixels);
    } catch (e) {
      if (!(e instanceof NoDigitError)) throw e;
      skipped++; // nothing the server would classify
      continue;
    }
    images.push(Uint8Array.from(input, (v) => Math.round(v * 255)));
    labels.push(label);
    kinds.push(row.kind);
    if (images.length % 2000 === 0) {
      console.error(
        `${values.split} ${k}/${n}: ${images.length} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
  const all = new Uint8Array(images.length * 784);
  images.forEach((img, i) => all.set(img, i * 784));
  const stem = `${values.out}/${values.split}${n > 1 ? `.${k}` : ""}`;
  await Deno.mkdir(values.out!, { recursive: true });
  await Deno.writeFile(`${stem}-images-idx3-ubyte`, idx([images.length, 28, 28], all));
  await Deno.writeFile(`${stem}-labels-idx1-ubyte`, idx([labels.length], Uint8Array.from(labels)));
  await Deno.writeFile(`${stem}-kinds-idx1-ubyte`, idx([kinds.length], Uint8Array.from(kinds)));
  console.error(
    `${stem}: ${images.length} rows (${skipped} without ink skipped) in ${
      ((performance.now() - t0) / 1000).toFixed(0)
    } s`,
  );
}
