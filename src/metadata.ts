/**
 * The model's metadata file (`convnet.json`): what it says and how it is checked.
 *
 * Runs in Deno and the browser.
 * @module
 */

import { InvalidModelError } from "./errors.ts";

/** Contents of a model's metadata JSON, as written by `training/onnx_meta.py`. */
export interface ModelMetadata {
  name: string;
  /** Semantic version. */
  version: string;
  /** ONNX file name, in the same directory (no path). */
  file: string;
  /** Hex sha256 of the ONNX file. */
  sha256: string;
  input: { name: string; shape: (string | number)[]; dtype: string };
  output: { name: string; shape: (string | number)[]; dtype: string; kind?: string };
  normalization: { mean: number; std: number };
  labels: string[];
  parameters?: number;
  test?: {
    accuracy: number;
    loss?: number;
    per_class_accuracy?: Record<string, number>;
    samples?: number;
  };
  training?: Record<string, unknown>;
  /** The model's "not a digit" output, when it has one (see {@linkcode NotDigitMetadata}). */
  not_digit?: NotDigitMetadata;
  created?: string;
  [key: string]: unknown;
}

/**
 * A model's "not a digit" output: one logit after the digits' (`output_index`, equal to
 * the number of labels). The score is p(digit) = 1 − softmax(logits)[output_index]; an
 * image is a digit when it is at least `threshold`, chosen on held-out data by
 * `training/train_ood.py` (`calibration` says how, and what it measured).
 */
export interface NotDigitMetadata {
  output_index: number;
  score: "digit_probability";
  /** Smallest p(digit) still answered as a digit, 0–1. */
  threshold: number;
  calibration?: Record<string, unknown>;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Check parsed JSON against what the server and page rely on.
 *
 * @param value Parsed JSON.
 * @returns The same value, typed.
 * @throws {InvalidModelError} Naming the first field that is missing or wrong.
 */
export function parseMetadata(value: unknown): ModelMetadata {
  const fail = (what: string): never => {
    throw new InvalidModelError(`Invalid model metadata: ${what}`);
  };
  if (!isObj(value)) return fail("not a JSON object");
  for (const key of ["name", "version", "file", "sha256"]) {
    if (typeof value[key] !== "string" || value[key] === "") fail(`"${key}" must be a non-empty string`);
  }
  const v = value as ModelMetadata;
  if (!/^[0-9a-f]{64}$/.test(v.sha256)) fail(`"sha256" must be 64 hex digits`);
  if (/[\\/]|^\.\.?$/.test(v.file) || !v.file.endsWith(".onnx")) {
    fail(`"file" must be a plain .onnx file name in the model directory, got "${v.file}"`);
  }
  if (!isObj(v.input) || typeof v.input.name !== "string") fail(`"input.name" is missing`);
  if (!isObj(v.output) || typeof v.output.name !== "string") fail(`"output.name" is missing`);
  const shape = v.input.shape;
  if (!Array.isArray(shape) || shape.length !== 4 || shape.slice(1).join() !== "1,28,28") {
    fail(`"input.shape" must be [batch, 1, 28, 28], got ${JSON.stringify(shape)}`);
  }
  const n = v.normalization;
  if (!isObj(n) || !Number.isFinite(n.mean) || !(Number(n.std) > 0)) {
    fail(`"normalization" needs a mean and a std > 0`);
  }
  if (!Array.isArray(v.labels) || v.labels.length < 2) fail(`"labels" must list the classes`);
  const nd = v.not_digit;
  if (nd !== undefined) {
    if (!isObj(nd) || nd.output_index !== v.labels.length) {
      fail(`"not_digit.output_index" must be ${v.labels.length}, the logit after the labels'`);
    }
    if (nd.score !== "digit_probability") fail(`"not_digit.score" must be "digit_probability"`);
    if (!(typeof nd.threshold === "number" && nd.threshold >= 0 && nd.threshold <= 1)) {
      fail(`"not_digit.threshold" must be a number from 0 to 1`);
    }
  }
  const columns = v.output.shape?.[1];
  if (typeof columns === "number" && columns !== outputColumns(v)) {
    fail(
      `"output.shape" has ${columns} logits, but the labels${nd ? " and not_digit" : ""} need ${
        outputColumns(v)
      }`,
    );
  }
  return v;
}

/**
 * Logits per image the model returns: one per label, plus the "not a digit" one.
 *
 * @param metadata Checked metadata.
 * @returns The width of a row of `logits`.
 * @example
 * ```ts
 * const rows = logits.length / outputColumns(metadata);
 * ```
 */
export function outputColumns(metadata: ModelMetadata): number {
  return metadata.labels.length + (metadata.not_digit ? 1 : 0);
}

/**
 * Hex sha256 of some bytes, with Web Crypto (Deno and secure browser contexts).
 *
 * @param bytes The data.
 * @returns 64 lowercase hex digits.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
