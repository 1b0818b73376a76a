/**
 * The codec of Triton's binary tensor data extension to the Open Inference Protocol
 * (`docs/protocol/extension_binary_data.md`): a body is a JSON object followed by raw
 * tensors, little-endian and row-major, and the `Inference-Header-Content-Length` header
 * gives the JSON's length in bytes. Every length is checked against the bytes at hand
 * before anything is read, so a hostile header or size cannot reach past the body.
 *
 * Runs in Deno (and anywhere with typed arrays).
 *
 * @example
 * ```ts
 * import { encodeBinary, readFp32, splitBody } from "./v2_binary.ts";
 * const { body, headerLength } = encodeBinary({ outputs: [] }, [new Float32Array([1, 2])]);
 * const { binary } = splitBody(body, String(headerLength));
 * readFp32(binary, 0, 2); // Float32Array [1, 2]
 * ```
 * @module
 */

/** Whether this machine stores numbers little-endian (the wire order): then bytes are copied as they are. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of one FP32 element. */
export const FP32_BYTES = 4;

/** A body split at the JSON header's end. */
export interface SplitBody {
  /** The JSON object's bytes. */
  header: Uint8Array;
  /** Everything after it: the tensors, in the order the JSON names them. */
  binary: Uint8Array;
}

/**
 * Split a body at the length an `Inference-Header-Content-Length` header gives.
 *
 * @param body The whole body.
 * @param headerLength The header's value, as received.
 * @returns The JSON part and the binary part (views into `body`).
 * @throws {RangeError} When the value is not a decimal byte count of at most the body's length.
 * @example
 * ```ts
 * splitBody(new TextEncoder().encode("{}abcd"), "2").binary.length; // 4
 * ```
 */
export function splitBody(body: Uint8Array, headerLength: string): SplitBody {
  const text = headerLength.trim();
  const n = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(n <= body.length)) {
    throw new RangeError(
      `Inference-Header-Content-Length must be the JSON header's length in bytes, at most the body's ` +
        `${body.length} bytes, got "${headerLength.slice(0, 40)}"`,
    );
  }
  return { header: body.subarray(0, n), binary: body.subarray(n) };
}

/**
 * Read `count` little-endian FP32 values at `offset`.
 *
 * @param bytes The binary part of a body.
 * @param offset Where the tensor starts.
 * @param count How many values it holds.
 * @param hostLittleEndian This machine's byte order (a parameter for tests). @default the host's
 * @returns A new array (never a view: `bytes` may be unaligned).
 * @throws {RangeError} When the tensor does not fit in `bytes`.
 * @example
 * ```ts
 * readFp32(new Uint8Array([0, 0, 128, 63]), 0, 1); // Float32Array [1]
 * ```
 */
export function readFp32(
  bytes: Uint8Array,
  offset: number,
  count: number,
  hostLittleEndian = HOST_LITTLE_ENDIAN,
): Float32Array {
  const size = count * FP32_BYTES;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(count) || offset < 0 || count < 0) {
    throw new RangeError(`A tensor's offset and length must be counts, got ${offset} and ${count}`);
  }
  if (offset + size > bytes.length) {
    throw new RangeError(`A tensor of ${size} bytes at byte ${offset} does not fit in ${bytes.length} bytes`);
  }
  const out = new Float32Array(count);
  if (hostLittleEndian) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + size));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * FP32_BYTES, true);
  }
  return out;
}

/**
 * The little-endian bytes of FP32 values.
 *
 * @param data The values.
 * @param hostLittleEndian This machine's byte order (a parameter for tests). @default the host's
 * @returns `data.length * 4` bytes.
 * @example
 * ```ts
 * fp32Bytes(new Float32Array([1])); // Uint8Array [0, 0, 128, 63]
 * ```
 */
export function fp32Bytes(data: Float32Array, hostLittleEndian = HOST_LITTLE_ENDIAN): Uint8Array {
  if (hostLittleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * FP32_BYTES);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * FP32_BYTES, data[i], true);
  return out;
}

/**
 * A binary-extension body: the JSON object, then each tensor's bytes in order.
 *
 * @param header The JSON object (it names the tensors and their `binary_data_size`).
 * @param tensors The tensors, in the order the header names them.
 * @returns The body, and the header's length for `Inference-Header-Content-Length`.
 * @example
 * ```ts
 * encodeBinary({ a: 1 }, [new Float32Array(2)]).body.length; // 7 + 8
 * ```
 */
export function encodeBinary(
  header: unknown,
  tensors: Float32Array[],
): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(json.length + tensors.reduce((s, t) => s + t.length * FP32_BYTES, 0));
  body.set(json);
  let at = json.length;
  for (const t of tensors) {
    body.set(fp32Bytes(t), at);
    at += t.length * FP32_BYTES;
  }
  return { body, headerLength: json.length };
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN = 0x7b, CLOSE = 0x7d;

/**
 * Where a leading JSON object ends, by counting braces outside strings: used only to
 * explain a body that is not JSON alone (binary data sent without the length header).
 *
 * @param bytes A body.
 * @returns The index just past the object's closing brace, or undefined when the body
 *   does not start with a complete object.
 * @example
 * ```ts
 * jsonObjectEnd(new TextEncoder().encode(' {"a":"}"}xyz')); // 10
 * ```
 */
export function jsonObjectEnd(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (
    i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
  ) {
    i++;
  }
  if (bytes[i] !== OPEN) return undefined;
  let depth = 0;
  let inString = false;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN) depth++;
    else if (b === CLOSE && --depth === 0) return i + 1;
  }
  return undefined;
}
