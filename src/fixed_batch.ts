/**
 * Fix an ONNX model's symbolic dimensions (the batch) to 1, for onnxruntime-web's
 * WebGL backend.
 *
 * Runs anywhere (pure bytes in, bytes out). The WebGL backend of ORT 1.30 (the old
 * onnxjs engine) ignores `freeDimensionOverrides` and refuses any input whose graph
 * shape has a named dimension ("expected shape '[,1,28,28]' but got [1,1,28,28]"). So
 * the graph's inputs, outputs and value infos get `dim_value: 1` wherever they had a
 * `dim_param`. Only the few messages on that path are re-encoded; weights are copied.
 *
 * Protobuf path: ModelProto.graph (7) → GraphProto.input/output/value_info (11/12/13)
 * → ValueInfoProto.type (2) → TypeProto.tensor_type (1) → Tensor.shape (2) →
 * TensorShapeProto.dim (1) → Dimension { dim_value (1) | dim_param (2), denotation (3) }.
 * @module
 */

const LEN = 2;

function readVarint(b: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0, shift = 0;
  for (;;) {
    if (pos >= b.length) throw new RangeError("Truncated protobuf varint");
    const byte = b[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

interface Field {
  field: number;
  wire: number;
  /** The whole field, tag included. */
  start: number;
  end: number;
  /** The value of a length-delimited field. */
  value?: Uint8Array;
}

function* fields(b: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < b.length) {
    const start = pos;
    const [tag, p] = readVarint(b, pos);
    pos = p;
    const field = Math.floor(tag / 8), wire = tag & 7;
    let value: Uint8Array | undefined;
    if (wire === 0) pos = readVarint(b, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === LEN) {
      const [len, q] = readVarint(b, pos);
      value = b.subarray(q, q + len);
      pos = q + len;
    } else throw new SyntaxError(`Unsupported protobuf wire type ${wire}`);
    if (pos > b.length) throw new RangeError("Truncated protobuf field");
    yield { field, wire, start, end: pos, value };
  }
}

/** Re-encode `b`, passing the values of length-delimited `path[0]` fields down the path. */
function patch(b: Uint8Array, path: readonly number[][], leaf: (m: Uint8Array) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let changed = false;
  for (const f of fields(b)) {
    if (f.value && f.wire === LEN && path[0].includes(f.field)) {
      const value = path.length === 1 ? leaf(f.value) : patch(f.value, path.slice(1), leaf);
      if (value !== f.value) {
        changed = true;
        parts.push(new Uint8Array([...varint(f.field * 8 + LEN), ...varint(value.length)]), value);
        continue;
      }
    }
    parts.push(b.subarray(f.start, f.end));
  }
  if (!changed) return b;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/** A Dimension with a `dim_param` becomes `dim_value: 1` (its denotation kept). */
function fixDimension(dim: Uint8Array): Uint8Array {
  const all = [...fields(dim)];
  if (!all.some((f) => f.field === 2)) return dim;
  const kept = all.filter((f) => f.field === 3).map((f) => dim.subarray(f.start, f.end));
  return new Uint8Array([0x08, 0x01, ...kept.flatMap((k) => [...k])]);
}

/**
 * Give every named dimension of a model's graph inputs, outputs and value infos the size 1.
 *
 * @param model The ONNX file's bytes.
 * @returns New bytes (or the same array when nothing was named).
 * @throws {SyntaxError} When the bytes are not a protobuf message.
 * @example
 * ```ts
 * const webglBytes = fixBatchToOne(await (await fetch("model/convnet.onnx")).bytes());
 * ```
 */
export function fixBatchToOne(model: Uint8Array): Uint8Array {
  return patch(model, [[7], [11, 12, 13], [2], [1], [2], [1]], fixDimension);
}
