/**
 * An Open Inference Protocol inference request, read and checked: the JSON object of
 * `inference_rest.md` ("$inference_request"), or Triton's binary tensor data extension
 * (a JSON header, then raw FP32), or its raw binary form (`Inference-Header-Content-Length: 0`,
 * the tensor alone). Every fault is a 400 that names it.
 *
 * Runs in Deno.
 *
 * @example
 * ```ts
 * import { parseInferRequest } from "./v2_request.ts";
 * const body = new TextEncoder().encode(JSON.stringify({
 *   inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: new Array(784).fill(0) }],
 * }));
 * const req = parseInferRequest(body, null, { input: "input", outputs: ["logits"], maxBatch: 256 });
 * req.n; // 1
 * ```
 * @module
 */

import { PIXELS as IMAGE_VALUES } from "../../src/mod.ts";
import { HttpError } from "../http/errors.ts";
import { STATUS } from "../http/status.ts";
import { FP32_BYTES, jsonObjectEnd, readFp32, splitBody } from "./v2_binary.ts";

/** What the model takes and gives. */
export interface ModelSignature {
  /** The one input's name. */
  input: string;
  /** Output names, in the order they are returned by default. */
  outputs: readonly string[];
  /** Most images per request. */
  maxBatch: number;
}

/** One output to return, and how. */
export interface WantedOutput {
  name: string;
  /** As raw bytes after the JSON (binary extension) rather than a JSON `data` array. */
  binary: boolean;
}

/** A checked inference request. */
export interface InferRequest {
  /** The request's `id`, when it gave one. */
  id?: string;
  /** Images in the batch. */
  n: number;
  /** `n × 784` normalised values, row-major. */
  data: Float32Array;
  /** The outputs to return, in order. */
  outputs: WantedOutput[];
}

const bad = (detail: string) => new HttpError(STATUS.BadRequest, detail);

/** Whether every value is finite (a loop: `every` with a callback is slower on 50k values). */
function allFinite(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A `parameters` object (or none), and one boolean in it. */
function flag(owner: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const params = owner.parameters;
  if (params === undefined) return undefined;
  if (!isObject(params)) throw bad(`${where} "parameters" must be an object`);
  const v = params[key];
  if (v !== undefined && typeof v !== "boolean") throw bad(`${where} parameter "${key}" must be a boolean`);
  return v as boolean | undefined;
}

function parses(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(bytes));
    return true;
  } catch {
    return false;
  }
}

/** The body's JSON object, or a 400 that says why it is not one. */
function parseJson(bytes: Uint8Array, binaryHeader: boolean): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    const end = binaryHeader ? undefined : jsonObjectEnd(bytes);
    if (end !== undefined && end < bytes.length && parses(bytes.subarray(0, end))) {
      throw bad(
        `The body has ${bytes.length - end} bytes after its JSON object. Binary tensor data is read only ` +
          `with an Inference-Header-Content-Length header giving the JSON's length in bytes (Triton's ` +
          `binary tensor data extension); without it the body must be JSON alone`,
      );
    }
    throw bad(`Malformed JSON${binaryHeader ? " header" : ""}: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw bad("The inference request must be a JSON object");
  return value;
}

/** The requested outputs, checked against the model's, or all of them. */
function wantedOutputs(
  body: Record<string, unknown>,
  sig: ModelSignature,
  allBinary: boolean,
): WantedOutput[] {
  const requested = body.outputs;
  if (requested === undefined) return sig.outputs.map((name) => ({ name, binary: allBinary }));
  if (!Array.isArray(requested)) throw bad(`"outputs" must be an array of {"name": ...}`);
  const seen = new Set<string>();
  return requested.map((o, i) => {
    if (!isObject(o) || typeof o.name !== "string") throw bad(`outputs[${i}] must have a string "name"`);
    if (!sig.outputs.includes(o.name)) {
      throw bad(
        `Unknown output "${o.name}": this model's outputs are ${sig.outputs.map((n) => `"${n}"`).join(", ")}`,
      );
    }
    if (seen.has(o.name)) throw bad(`Output "${o.name}" is requested twice`);
    seen.add(o.name);
    return { name: o.name, binary: flag(o, "binary_data", `Output "${o.name}"`) ?? allBinary };
  });
}

/** The batch size from a checked `[N,1,28,28]` shape. */
function batchOf(shape: unknown, maxBatch: number): number {
  if (
    !Array.isArray(shape) || shape.length !== 4 || shape.slice(1).join() !== "1,28,28" ||
    !Number.isInteger(shape[0]) || shape[0] < 1 || shape[0] > maxBatch
  ) {
    throw bad(
      `Input shape must be [N,1,28,28] with 1 ≤ N ≤ ${maxBatch}, got ${JSON.stringify(shape)?.slice(0, 80)}`,
    );
  }
  return shape[0];
}

/** A JSON `data` array (flat or nested) as FP32. */
function jsonData(data: unknown, n: number): Float32Array {
  const flat = Array.isArray(data) ? (data as unknown[]).flat(4) : [];
  if (flat.length !== n * IMAGE_VALUES || !flat.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw bad(`Input data must be ${n * IMAGE_VALUES} finite numbers`);
  }
  const fp32 = Float32Array.from(flat as number[]);
  // A finite double can still overflow FP32 (1e39 → Infinity): check what the model gets.
  if (!allFinite(fp32)) throw bad(`Input data must be ${n * IMAGE_VALUES} finite FP32 numbers`);
  return fp32;
}

/** FP32 from the binary part, with its declared size checked. */
function binaryData(input: Record<string, unknown>, binary: Uint8Array | undefined, n: number): Float32Array {
  const size = (input.parameters as Record<string, unknown>).binary_data_size;
  const expected = n * IMAGE_VALUES * FP32_BYTES;
  if (binary === undefined) {
    throw bad(
      `Input "${input.name}" has "binary_data_size" but the request has no Inference-Header-Content-Length ` +
        `header: binary tensor data needs it (the JSON's length in bytes)`,
    );
  }
  if (size !== expected) {
    throw bad(`Input "${input.name}" binary_data_size must be ${expected} (${n}×1×28×28 FP32), got ${size}`);
  }
  if (binary.length !== expected) {
    throw bad(
      `The binary part after the JSON header has ${binary.length} bytes; binary_data_size says ${expected}`,
    );
  }
  const data = readFp32(binary, 0, n * IMAGE_VALUES);
  if (!allFinite(data)) throw bad(`Input data must be ${n * IMAGE_VALUES} finite numbers`);
  return data;
}

/**
 * Read and check an inference request body.
 *
 * @param body The whole body.
 * @param headerLength The `Inference-Header-Content-Length` header, or null when absent (JSON alone).
 * @param sig The model's input, outputs and batch limit.
 * @returns The checked request.
 * @throws {HttpError} 400 naming the first fault found.
 */
export function parseInferRequest(
  body: Uint8Array,
  headerLength: string | null,
  sig: ModelSignature,
): InferRequest {
  let parts;
  try {
    parts = headerLength === null ? undefined : splitBody(body, headerLength);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (parts && parts.header.length === 0) return rawRequest(parts.binary, sig);
  const json = parseJson(parts ? parts.header : body, parts !== undefined);
  if (json.id !== undefined && typeof json.id !== "string") throw bad(`"id" must be a string`);
  const allBinary = flag(json, "binary_data_output", "The request's") ?? false;
  const inputs = json.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad(`"inputs" must hold one tensor`);
  if (inputs.length > 1) throw bad(`This model has one input ("${sig.input}"), got ${inputs.length}`);
  const input = inputs[0];
  if (!isObject(input)) throw bad(`"inputs" must hold one tensor`);
  if (input.name !== sig.input) {
    throw bad(
      `Unknown input ${JSON.stringify(input.name)?.slice(0, 80)}: this model's input is "${sig.input}"`,
    );
  }
  if (input.datatype !== "FP32") throw bad(`Input datatype must be "FP32"`);
  const n = batchOf(input.shape, sig.maxBatch);
  if (input.parameters !== undefined && !isObject(input.parameters)) {
    throw bad(`Input "${sig.input}" "parameters" must be an object`);
  }
  const binary = isObject(input.parameters) && input.parameters.binary_data_size !== undefined;
  if (binary && input.data !== undefined) {
    throw bad(`Input "${sig.input}" has both "data" and "binary_data_size": send one`);
  }
  if (!binary && parts && parts.binary.length > 0) {
    throw bad(`${parts.binary.length} bytes follow the JSON header but no input has "binary_data_size"`);
  }
  const data = binary ? binaryData(input, parts?.binary, n) : jsonData(input.data, n);
  return {
    ...(json.id !== undefined ? { id: json.id as string } : {}),
    n,
    data,
    outputs: wantedOutputs(json, sig, allBinary),
  };
}

/**
 * The raw binary form: no JSON at all, one [1,1,28,28] tensor (the extension treats it
 * as batch 1), every output returned as binary.
 */
function rawRequest(binary: Uint8Array, sig: ModelSignature): InferRequest {
  const expected = IMAGE_VALUES * FP32_BYTES;
  if (binary.length !== expected) {
    throw bad(
      `A raw binary request (Inference-Header-Content-Length: 0) is one [1,1,28,28] FP32 tensor of ` +
        `${expected} bytes, got ${binary.length}`,
    );
  }
  const data = readFp32(binary, 0, IMAGE_VALUES);
  if (!allFinite(data)) throw bad(`Input data must be ${IMAGE_VALUES} finite numbers`);
  return { n: 1, data, outputs: sig.outputs.map((name) => ({ name, binary: true })) };
}
