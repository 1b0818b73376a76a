/**
 * The binary tensor data codec (Triton's `extension_binary_data.md`): lengths checked
 * before any read, little-endian on the wire whatever the host's order.
 */
import assert from "node:assert/strict";
import {
  encodeBinary,
  fp32Bytes,
  jsonObjectEnd,
  readFp32,
  splitBody,
} from "../../../server/routes/v2_binary.ts";

const enc = new TextEncoder();

Deno.test("splitBody() cuts at Inference-Header-Content-Length and returns views", () => {
  const body = enc.encode('{"a":1}\x01\x02\x03');
  const { header, binary } = splitBody(body, "7");
  assert.equal(new TextDecoder().decode(header), '{"a":1}');
  assert.deepEqual([...binary], [1, 2, 3]);
  assert.equal(binary.buffer, body.buffer);
  assert.equal(splitBody(body, String(body.length)).binary.length, 0);
  assert.equal(splitBody(body, "0").header.length, 0);
});

Deno.test("splitBody() refuses a length past the body, negative, fractional or not decimal", () => {
  const body = enc.encode("{}");
  for (const v of ["3", "-1", "1.5", "0x2", "", "abc", "1e1", "99999999999999999999"]) {
    assert.throws(() => splitBody(body, v), RangeError, v);
  }
});

Deno.test("readFp32() reads little-endian values at any offset, on either host order", () => {
  // 1.0 = 0x3f800000 and -2.5 = 0xc0200000, little-endian, after one byte of padding (unaligned).
  const bytes = new Uint8Array([9, 0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]);
  assert.deepEqual([...readFp32(bytes.subarray(1), 0, 2)], [1, -2.5]);
  assert.deepEqual([...readFp32(bytes, 1, 2, true)], [1, -2.5]);
  assert.deepEqual([...readFp32(bytes, 1, 2, false)], [1, -2.5]);
});

Deno.test("readFp32() refuses a tensor that does not fit or a bad count", () => {
  const bytes = new Uint8Array(8);
  assert.throws(() => readFp32(bytes, 0, 3), RangeError);
  assert.throws(() => readFp32(bytes, 5, 1), RangeError);
  assert.throws(() => readFp32(bytes, -1, 1), RangeError);
  assert.throws(() => readFp32(bytes, 0, 1.5), RangeError);
  assert.throws(() => readFp32(bytes, 0, Number.MAX_SAFE_INTEGER), RangeError);
});

Deno.test("fp32Bytes() writes little-endian on either host order", () => {
  const data = new Float32Array([1, -2.5]);
  const wire = [0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0];
  assert.deepEqual([...fp32Bytes(data, true)], wire);
  assert.deepEqual([...fp32Bytes(data, false)], wire);
});

Deno.test("encodeBinary() is the JSON, then each tensor in order, and its length", () => {
  const { body, headerLength } = encodeBinary({ x: "é" }, [new Float32Array([1]), new Float32Array([2, 3])]);
  // The length is in bytes, not characters ("é" is two bytes).
  assert.equal(headerLength, enc.encode('{"x":"é"}').length);
  assert.equal(body.length, headerLength + 12);
  const { header, binary } = splitBody(body, String(headerLength));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(header)), { x: "é" });
  assert.deepEqual([...readFp32(binary, 0, 3)], [1, 2, 3]);
});

Deno.test("jsonObjectEnd() finds a leading object's end, braces in strings ignored", () => {
  assert.equal(jsonObjectEnd(enc.encode(' {"a":"}\\"{"}xyz')), 13);
  assert.equal(jsonObjectEnd(enc.encode('{"a":{"b":[1]}}')), 15);
  assert.equal(jsonObjectEnd(enc.encode('{"a":1')), undefined);
  assert.equal(jsonObjectEnd(enc.encode("[1]")), undefined);
  assert.equal(jsonObjectEnd(new Uint8Array()), undefined);
});
