/**
 * Loads the models the validation tests check, and the MNIST test set as inputs for them.
 *
 * Runs in Deno. The production model is `models/convnet.json` with the ONNX file it
 * names; `MODEL_DIR` points the tests at another directory (a fresh training run,
 * say) without editing them. The imported kedro checkpoint lives in
 * `tests/testdata/seed/`.
 *
 * @example
 * ```ts
 * const model = await readModel(productionModelDir());
 * const c = await wasmClassifier(model);
 * ```
 * @module
 */

import { type Classifier, createClassifier, type ModelMetadata, parseMetadata } from "../../src/mod.ts";
import type { MnistSet } from "../support/mnist_idx.ts";

const ROOT = new URL("../../", import.meta.url);

/** Pixels per MNIST image. */
export const PIXELS = 28 * 28;

/** Directory of the seed model converted from the kedro checkpoint. */
export const SEED_DIR = new URL("tests/testdata/seed/", ROOT).pathname;

/** An ONNX file with its metadata. */
export interface ModelOnDisk {
  /** Path of the ONNX file. */
  path: string;
  bytes: Uint8Array;
  metadata: ModelMetadata;
}

/**
 * Directory of the model under test.
 *
 * @returns `$MODEL_DIR` when set, else the project's `models/`.
 */
export function productionModelDir(): string {
  return Deno.env.get("MODEL_DIR") ?? new URL("models/", ROOT).pathname;
}

/**
 * Read `convnet.json` in a directory and the ONNX file it names.
 *
 * @param dir The model directory.
 * @param json Metadata file name. @default "convnet.json"
 * @returns The bytes and the checked metadata.
 * @throws {Deno.errors.NotFound} When either file is missing.
 * @throws {InvalidModelError} When the metadata is malformed.
 */
export async function readModel(dir: string, json = "convnet.json"): Promise<ModelOnDisk> {
  const base = dir.replace(/\/?$/, "/");
  const metadata = parseMetadata(JSON.parse(await Deno.readTextFile(base + json)));
  const path = base + metadata.file;
  return { path, bytes: await Deno.readFile(path), metadata };
}

/**
 * A classifier on the WASM backend with one thread, as the server runs it.
 *
 * @param model The files from {@linkcode readModel}.
 * @returns The classifier; release it when done.
 */
export function wasmClassifier(model: ModelOnDisk): Promise<Classifier> {
  return createClassifier(model.bytes, model.metadata, { backend: "wasm", numThreads: 1 });
}

/**
 * Some MNIST images as one normalised `[n, 1, 28, 28]` tensor.
 *
 * @param set The split.
 * @param indices Which images, in order.
 * @param norm The model's mean and std.
 * @returns The tensor.
 */
export function toTensor(
  set: MnistSet,
  indices: readonly number[],
  norm: { mean: number; std: number },
): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  const k = 1 / 255, inv = 1 / norm.std;
  indices.forEach((idx, n) => {
    const img = set.image(idx);
    for (let i = 0; i < PIXELS; i++) out[n * PIXELS + i] = (img[i] * k - norm.mean) * inv;
  });
  return out;
}

/** `[0, 1, …, n - 1]`. */
export const range = (n: number, from = 0): number[] => Array.from({ length: n - from }, (_, i) => from + i);

/**
 * Logits of every image of a split, run in batches.
 *
 * @param c The classifier.
 * @param set The split.
 * @param batch Images per run. @default 500
 * @returns `count * classes` logits, row-major.
 */
export async function allLogits(c: Classifier, set: MnistSet, batch = 500): Promise<Float32Array> {
  const classes = c.metadata.labels.length;
  const out = new Float32Array(set.count * classes);
  for (let from = 0; from < set.count; from += batch) {
    const idx = range(Math.min(set.count, from + batch), from);
    out.set(await c.logits(toTensor(set, idx, c.metadata.normalization), idx.length), from * classes);
  }
  return out;
}

/**
 * Index of the largest value in each row.
 *
 * @param values Row-major values.
 * @param width Values per row.
 * @returns One index per row.
 */
export function argmaxRows(values: ArrayLike<number>, width: number): Int32Array {
  const out = new Int32Array(values.length / width);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let i = 1; i < width; i++) if (values[r * width + i] > values[r * width + best]) best = i;
    out[r] = best;
  }
  return out;
}

/**
 * Fraction of predictions equal to their labels.
 *
 * @param predicted One class per item.
 * @param labels The true classes.
 * @returns Accuracy in 0–1.
 */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) ok++;
  return ok / predicted.length;
}

/**
 * Largest absolute difference between two arrays of the same length.
 *
 * @throws {RangeError} When the lengths differ.
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`Lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}
