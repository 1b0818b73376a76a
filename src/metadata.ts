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
  created?: string;
  [key: string]: unknown;
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
  return v;
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
