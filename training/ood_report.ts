/**
 * Print the "not a digit" table of docs/model.md for a model: digits rejected and read
 * right on every held-out digit set, not-digits caught per kind, on the sets
 * `tests/model_validation/` asserts on (same seeds, same order, so the same numbers).
 *
 *     deno run -A training/ood_report.ts models                  # ~1 min
 *     deno run -A training/ood_report.ts /tmp/old --no-thinning  # another model, pre-processing without the fix
 *
 * Runs in Deno, on WASM with one thread, as the server runs the model.
 * @module
 */

// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { createClassifier, NoDigitError, type Pixels, type Prediction, preprocess } from "../src/mod.ts";
import { decodeImage } from "../server/images/decode.ts";
import { drawDigit, mulberry32, randomStyle } from "../tests/model_validation/drawn_digits.ts";
import { encodeJpeg, encodePng } from "../tests/model_validation/image_encode.ts";
import { range, readModel, toTensor } from "../tests/model_validation/model_files.ts";
import { HELD_OUT_SEED, KINDS, loadLetters, notDigitSet } from "../tests/model_validation/not_digits.ts";
import { padSet } from "../tests/model_validation/pad_digits.ts";
import { loadMnist } from "../tests/support/mnist_idx.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { "no-thinning": { type: "boolean", default: false } },
});
const dir = positionals[0] ?? "models";
const opts = values["no-thinning"] ? { maxStrokeRatio: Infinity } : {};
const model = await readModel(dir);
const c = await createClassifier(model.bytes, model.metadata, {
  backend: "wasm",
  numThreads: 1,
  preprocess: opts,
});
const [test, letters] = await Promise.all([loadMnist("t10k"), loadLetters()]);

/** Predictions of images, undefined for one without ink. */
async function classify(images: Pixels[]): Promise<(Prediction | undefined)[]> {
  const out: (Prediction | undefined)[] = [];
  for (let i = 0; i < images.length; i += 100) {
    for (const p of images.slice(i, i + 100)) {
      try {
        out.push((await c.classifyImages([preprocess(p, opts)]))[0]);
      } catch (e) {
        if (!(e instanceof NoDigitError)) throw e;
        out.push(undefined);
      }
    }
  }
  return out;
}

const pct = (n: number, of: number) => `${(100 * n / of).toFixed(2)} %`;
const rows: string[] = [];
/** Digit scores of every set, for the threshold sweep (no ink: score 0). */
const sweep: { name: string; digits: boolean; scores: number[] }[] = [];
function digitRow(name: string, out: (Prediction | undefined)[], labels: ArrayLike<number>) {
  sweep.push({ name, digits: true, scores: out.map((p) => p?.digitScore ?? 0) });
  const rejected = out.filter((p) => !p?.isDigit).length;
  const right = out.filter((p, i) => p?.predictedClass === labels[i]).length;
  rows.push(
    `| ${name} | ${out.length} | ${rejected} (${pct(rejected, out.length)}) | ${pct(right, out.length)} |`,
  );
}

// The 10k test digits as tensors (test_set_test.ts, not_digit_test.ts), and as PNG files (pictures_test.ts).
const tensors: Prediction[] = [];
for (let from = 0; from < test.count; from += 500) {
  const idx = range(Math.min(test.count, from + 500), from);
  tensors.push(...await c.classifyTensor(toTensor(test, idx, model.metadata.normalization), idx.length));
}
digitRow("MNIST test, 28×28 tensors", tensors, test.labels);
const pictures: Pixels[] = [];
for (let i = 0; i < test.count; i++) {
  const img = test.image(i), data = new Uint8Array(784 * 4), invert = i % 2 === 1;
  for (let p = 0; p < 784; p++) {
    const v = invert ? 255 - img[p] : img[p];
    data.set([v, v, v, 255], p * 4);
  }
  pictures.push(decodeImage(encodePng({ width: 28, height: 28, channels: 4, data })));
}
digitRow("MNIST test as PNG files, pre-processed", await classify(pictures), test.labels);

// drawn_test.ts: 800 drawings, seed 20261126, a fifth as JPEG.
{
  const rand = mulberry32(20261126), stride = Math.floor(test.count / 800);
  const images: Pixels[] = [], labels: number[] = [];
  for (let k = 0; k < 800; k++) {
    const i = k * stride + Math.floor(rand() * stride);
    labels.push(test.labels[i]);
    const style = randomStyle(rand);
    const drawing = drawDigit(test.image(i), style);
    const bytes = !style.transparent && rand() < 0.3
      ? encodeJpeg(drawing, 60 + Math.floor(rand() * 35))
      : encodePng(drawing);
    images.push(decodeImage(bytes));
  }
  digitRow("test digits drawn from grey levels (drawn_test.ts)", await classify(images), labels);
}

// not_digit_test.ts: pad digits, then not-digits.
{
  const rand = mulberry32(HELD_OUT_SEED);
  const big = padSet(test, rand, 0.25, 0.95, 1000), small = padSet(test, rand, 0.15, 0.25, 300);
  digitRow(
    "test digits drawn with the pad's pen, 25–95 % of the pad",
    await classify(big.images),
    big.labels,
  );
  digitRow("the same, 15–25 % of the pad", await classify(small.images), small.labels);
  // The size: exactly 15 % of the pad, and its 7s on their own.
  const at15 = padSet(test, mulberry32(HELD_OUT_SEED + 2), 0.15, 0.15, 1000);
  const out15 = await classify(at15.images);
  digitRow("the same, exactly 15 % of the pad", out15, at15.labels);
  const sevens = at15.labels.map((l, i) => [l, i]).filter(([l]) => l === 7);
  const right7 = sevens.filter(([, i]) => out15[i]?.predictedClass === 7).length;
  rows.push(`| of which 7s | ${sevens.length} | | ${right7} of ${sevens.length} |`);
}
console.log(
  `| digits | count | answered "not a digit" | read right |\n| --- | ---: | ---: | ---: |\n${
    rows.join("\n")
  }\n`,
);

const held = letters.filter((l) => !l.trainFont);
const drawings = notDigitSet(mulberry32(HELD_OUT_SEED + 1), { digits: test, letters: held }, 150);
const out = await classify(drawings.map((d) => d.pixels));
const caughtRows = KINDS.map((kind) => {
  const mine = out.filter((_, i) => drawings[i].kind === kind);
  const caught = mine.filter((p) => !p?.isDigit).length;
  const missed = drawings.filter((d, i) => d.kind === kind && out[i]?.isDigit).map((d, i) =>
    d.detail || String(i)
  );
  const note = ["letter", "digits", "noise"].includes(kind) ? missed.join(" ") : "";
  return `| ${kind} | ${mine.length} | ${pct(caught, mine.length)} | ${note} |`;
});
const all = out.filter((p) => !p?.isDigit).length;
for (const kind of KINDS) {
  sweep.push({
    name: kind,
    digits: false,
    scores: out.filter((_, i) => drawings[i].kind === kind).map((p) => p?.digitScore ?? 0),
  });
}
console.log(
  `| not a digit | count | caught | missed (letters, digit pairs, noise types) |\n| --- | ---: | ---: | --- |\n${
    caughtRows.join("\n")
  }\n| all | ${out.length} | ${pct(all, out.length)} | |`,
);
console.log(
  `\nthreshold ${model.metadata.not_digit?.threshold ?? "(none)"}; held-out fonts: ${
    [...new Set(held.map((l) => l.font))].join(", ")
  }`,
);

// What other thresholds would give: rejected (digit sets) or caught (not-digits), in %.
const chosen = model.metadata.not_digit?.threshold;
if (chosen !== undefined) {
  const thresholds = [0.005, 0.01, 0.02, chosen, 0.05, 0.1, 0.2, 0.5].sort((x, y) => x - y);
  const head = sweep.map((s) => s.name).join(" | "), rule = sweep.map(() => "---:").join(" | ");
  console.log(`\n| threshold | ${head} |\n| ---: | ${rule} |`);
  for (const t of thresholds) {
    const cells = sweep.map((s) => (100 * s.scores.filter((v) => v < t).length / s.scores.length).toFixed(2));
    console.log(`| ${t} | ${cells.join(" | ")} |`);
  }
}
await c.release();
