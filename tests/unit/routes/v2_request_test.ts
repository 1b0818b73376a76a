/**
 * `parseInferRequest()`: the protocol's JSON request, the binary extension and its raw
 * form, and a 400 that names each fault.
 */
import assert from "node:assert/strict";
import { HttpError } from "../../../server/http/errors.ts";
import { encodeBinary } from "../../../server/routes/v2_binary.ts";
import { parseInferRequest } from "../../../server/routes/v2_request.ts";

const SIG = { input: "input", outputs: ["logits", "probabilities"], maxBatch: 4 };
const enc = new TextEncoder();
const image = (v: number) => new Array(784).fill(v);
const tensor = (n: number, extra: Record<string, unknown> = {}) => ({
  name: "input",
  shape: [n, 1, 28, 28],
  datatype: "FP32",
  ...extra,
});
const jsonBody = (body: unknown) => enc.encode(JSON.stringify(body));

/** The 400 `parseInferRequest` throws, with its detail matched. */
function refuses(body: Uint8Array, header: string | null, detail: RegExp) {
  assert.throws(() => parseInferRequest(body, header, SIG), (e) => {
    assert.ok(e instanceof HttpError, String(e));
    assert.equal(e.status, 400);
    assert.match(e.detail, detail);
    return true;
  });
}

Deno.test("parseInferRequest() reads a JSON tensor, flat or nested, and defaults to every output as JSON", () => {
  const flat = parseInferRequest(
    jsonBody({ id: "a", inputs: [tensor(2, { data: [...image(0.5), ...image(1)] })] }),
    null,
    SIG,
  );
  assert.equal(flat.id, "a");
  assert.equal(flat.n, 2);
  assert.equal(flat.data[783], 0.5);
  assert.equal(flat.data[784], 1);
  assert.deepEqual(flat.outputs, [{ name: "logits", binary: false }, {
    name: "probabilities",
    binary: false,
  }]);
  const rows = Array.from({ length: 28 }, () => new Array(28).fill(0.25));
  const nested = parseInferRequest(jsonBody({ inputs: [tensor(1, { data: [[rows]] })] }), null, SIG);
  assert.equal(nested.id, undefined);
  assert.equal(nested.data.length, 784);
});

Deno.test("parseInferRequest() keeps the requested outputs' order and binary flags", () => {
  const req = parseInferRequest(
    jsonBody({
      parameters: { binary_data_output: true },
      inputs: [tensor(1, { data: image(0) })],
      outputs: [{ name: "probabilities", parameters: { binary_data: false } }, { name: "logits" }],
    }),
    null,
    SIG,
  );
  assert.deepEqual(req.outputs, [{ name: "probabilities", binary: false }, { name: "logits", binary: true }]);
});

Deno.test("parseInferRequest() reads binary inputs after the JSON header", () => {
  const data = new Float32Array(784 * 2).map((_, i) => i / 1000);
  const { body, headerLength } = encodeBinary(
    { inputs: [tensor(2, { parameters: { binary_data_size: data.byteLength } })] },
    [data],
  );
  const req = parseInferRequest(body, String(headerLength), SIG);
  assert.equal(req.n, 2);
  assert.deepEqual(req.data, data);
});

Deno.test("parseInferRequest() reads the raw binary form as batch 1 with binary outputs", () => {
  const data = new Float32Array(784).fill(0.5);
  const req = parseInferRequest(new Uint8Array(data.buffer), "0", SIG);
  assert.equal(req.n, 1);
  assert.deepEqual(req.data, data);
  assert.ok(req.outputs.every((o) => o.binary));
  refuses(new Uint8Array(784 * 4 * 2), "0", /raw binary request .* 3136 bytes, got 6272/);
});

Deno.test("parseInferRequest() names what it does not support in a binary body without the header", () => {
  const data = new Float32Array(784);
  const { body } = encodeBinary({ inputs: [tensor(1, { parameters: { binary_data_size: 3136 } })] }, [data]);
  refuses(body, null, /3136 bytes after its JSON object.*Inference-Header-Content-Length/);
  // The JSON alone, declaring binary data, without the header.
  refuses(
    jsonBody({ inputs: [tensor(1, { parameters: { binary_data_size: 3136 } })] }),
    null,
    /no Inference-Header-Content-Length header/,
  );
  // Plain malformed JSON keeps its parser's message.
  refuses(enc.encode('{"inputs": ['), null, /^Malformed JSON: /);
  refuses(enc.encode("{'a': 1}x"), null, /^Malformed JSON: /);
});

Deno.test("parseInferRequest() bounds every binary length", () => {
  const data = new Float32Array(784);
  const header = (size: unknown) => ({ inputs: [tensor(1, { parameters: { binary_data_size: size } })] });
  const send = (h: unknown, tensors: Float32Array[], extra = 0) => {
    const { body, headerLength } = encodeBinary(h, tensors);
    const padded = new Uint8Array(body.length + extra);
    padded.set(body);
    return [padded, String(headerLength)] as const;
  };
  refuses(...send(header(3136), []), /binary part after the JSON header has 0 bytes/);
  refuses(...send(header(3136), [data], 1), /has 3137 bytes/);
  refuses(...send(header(100), [data]), /binary_data_size must be 3136/);
  refuses(...send(header(-3136), [data]), /binary_data_size must be 3136/);
  refuses(...send(header("3136"), [data]), /binary_data_size must be 3136/);
  refuses(...send({ inputs: [tensor(1, { data: image(0) })] }, [data]), /3136 bytes follow the JSON header/);
  refuses(...send(header(3136), [new Float32Array(784).fill(NaN)]), /finite numbers/);
  refuses(new Uint8Array(10), "11", /at most the body's 10 bytes/);
  refuses(new Uint8Array(10), "-1", /Inference-Header-Content-Length/);
  refuses(enc.encode("not json"), "8", /^Malformed JSON header/);
  const both = header(3136);
  (both.inputs[0] as Record<string, unknown>).data = image(0);
  refuses(...send(both, [data]), /both "data" and "binary_data_size"/);
});

Deno.test("parseInferRequest() refuses the wrong inputs, outputs and parameters with 400", () => {
  const ok = tensor(1, { data: image(0) });
  const cases: [unknown, RegExp][] = [
    [[], /must be a JSON object/],
    [{}, /"inputs" must hold one tensor/],
    [{ inputs: [] }, /"inputs" must hold one tensor/],
    [{ inputs: [ok, ok] }, /one input \("input"\), got 2/],
    [{ inputs: [{ ...ok, name: "image" }] }, /Unknown input "image": this model's input is "input"/],
    [{ inputs: [{ ...ok, datatype: "INT8" }] }, /datatype must be "FP32"/],
    [{ inputs: [{ ...ok, shape: [5, 1, 28, 28] }] }, /1 ≤ N ≤ 4/],
    [{ inputs: [{ ...ok, shape: [1, 3, 28, 28] }] }, /\[N,1,28,28\]/],
    [{ inputs: [{ ...ok, data: image(0).slice(1) }] }, /784 finite numbers/],
    // Finite as a double, Infinity as FP32: refused, not answered with null outputs.
    [{ inputs: [{ ...ok, data: [1e39, ...image(0).slice(1)] }] }, /784 finite FP32 numbers/],
    [{ id: 7, inputs: [ok] }, /"id" must be a string/],
    [{ inputs: [ok], outputs: [{ name: "softmax" }] }, /Unknown output "softmax"/],
    [{ inputs: [ok], outputs: [{ name: "logits" }, { name: "logits" }] }, /requested twice/],
    [{ inputs: [ok], outputs: {} }, /"outputs" must be an array/],
    [{ inputs: [ok], outputs: [{}] }, /outputs\[0\] must have a string "name"/],
    [{ inputs: [ok], parameters: { binary_data_output: "yes" } }, /"binary_data_output" must be a boolean/],
    [{ inputs: [ok], parameters: [] }, /"parameters" must be an object/],
    [
      { inputs: [ok], outputs: [{ name: "logits", parameters: { binary_data: 1 } }] },
      /"binary_data" must be/,
    ],
    [{ inputs: [{ ...ok, parameters: 3 }] }, /"parameters" must be an object/],
  ];
  for (const [body, detail] of cases) refuses(jsonBody(body), null, detail);
});
