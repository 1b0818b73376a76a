/**
 * Open Inference Protocol conformance, over real HTTP against the real server: every v2
 * route of the REST spec, success and error, status and body field by field. Each
 * assertion quotes the rule it checks, from:
 *
 * - [OIP] kserve/open-inference-protocol `specification/protocol/inference_rest.md`
 *   (its paths also in `open_inference_rest.yaml`, [YAML]);
 * - [KS] KServe's `docs/predict-api/v2/required_api.md` and its data model
 *   (`python/kserve/kserve/protocol/rest/v2_datamodels.py`);
 * - [BIN] Triton's binary tensor data extension, `docs/protocol/extension_binary_data.md`.
 *
 * The binary requests are built here byte by byte (DataView, little-endian), not with the
 * server's codec, and parsed the way `tritonclient.http` does: the JSON header's length
 * from `Inference-Header-Content-Length`, then each output's `binary_data_size` in order.
 *
 * One deliberate difference: not ready is 503 (with `Retry-After`) where [KS] says "a 4xx
 * status code indicates false"; KServe's own server answers 503 too (ModelNotReady), and
 * Triton's client only tests for 200.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../support/app_harness.ts";
import { loadMnist } from "../support/mnist_idx.ts";
import { startServer } from "../support/test_utils.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const MEAN = 0.1307, STD = 0.3081;
const JSON_TYPE = { "content-type": "application/json" };

/** The protocol's error object, plus our `detail`, `status` and `request_id`. */
async function assertError(res: Response, status: number, message?: RegExp) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  // [OIP] "$inference_error_response = { "error": <error message string> }"
  // [OIP] "“error” : The descriptive message for the error."
  assert.equal(typeof body.error, "string");
  assert.ok(body.error.length > 0);
  if (message) assert.match(body.error, message);
  assert.equal(body.detail, body.error);
  assert.equal(body.status, status);
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

/** Float32 values as little-endian bytes, written one by one. */
function le(values: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

/** A binary-extension body: JSON header, then the bytes. */
function binaryBody(header: unknown, data: Uint8Array): { body: Uint8Array<ArrayBuffer>; length: number } {
  const json = enc.encode(JSON.stringify(header));
  const body = new Uint8Array(json.length + data.length);
  body.set(json);
  body.set(data, json.length);
  return { body, length: json.length };
}

/** A binary-extension response, read as tritonclient.http's InferResult does. */
async function readBinary(res: Response) {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const length = Number(res.headers.get("inference-header-content-length"));
  const header = JSON.parse(dec.decode(bytes.subarray(0, length)));
  const tensors: Record<string, Float32Array> = {};
  let at = length;
  const view = new DataView(bytes.buffer);
  for (const o of header.outputs) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    tensors[o.name] = Float32Array.from({ length: size / 4 }, (_, i) => view.getFloat32(at + i * 4, true));
    at += size;
  }
  return { bytes, length, header, tensors, end: at };
}

const argmaxRows = (data: ArrayLike<number>, classes: number) =>
  Array.from({ length: data.length / classes }, (_, r) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (data[r * classes + k] > data[r * classes + best]) best = k;
    return best;
  });

Deno.test({
  name: "the /v2 routes conform to the Open Inference Protocol's REST spec and Triton's binary extension",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const mnist = await loadMnist("t10k");
    const normalised = (from: number, n: number) =>
      Float32Array.from(mnist.images.subarray(from * 784, (from + n) * 784), (v) => (v / 255 - MEAN) / STD);
    const srv = await startServer({ WATCH_MODELS: "false" });
    const url = srv.url;
    const post = (path: string, body: BodyInit, headers: Record<string, string> = JSON_TYPE) =>
      fetch(url + path, { method: "POST", body, headers });
    const tensor = (n: number, from = 0) => ({
      name: "input",
      shape: [n, 1, 28, 28],
      datatype: "FP32",
      data: Array.from(normalised(from, n)),
    });
    try {
      await t.step("GET /v2/health/live", async () => {
        const res = await fetch(`${url}/v2/health/live`);
        // [KS] "A 200 status code indicates true"
        assert.equal(res.status, 200);
        // [OIP] "$live_server_response = { "live" : $bool }"
        assert.deepEqual(await res.json(), { live: true });
      });

      await t.step("GET /v2/health/ready", async () => {
        const res = await fetch(`${url}/v2/health/ready`);
        // [OIP] "The “server ready” health API indicates if all the models are ready for inferencing."
        // [KS] "A 200 status code indicates true"
        assert.equal(res.status, 200);
        // [KS] data model: "class ServerReadyResponse(BaseModel): ready: bool" ([OIP] misprints it "live")
        assert.deepEqual(await res.json(), { ready: true });
      });

      await t.step("GET /v2 and GET /v2/ (server metadata)", async () => {
        // [KS] "Server Metadata: GET v2"; [YAML] "/v2/: get: summary: Server Metadata"
        for (const path of ["/v2", "/v2/"]) {
          const res = await fetch(url + path);
          // [OIP] "A successful server metadata request is indicated by a 200 HTTP status code."
          assert.equal(res.status, 200);
          const body = await res.json();
          // [OIP] "$metadata_server_response = { "name" : $string, "version" : $string, "extensions" : [ $string, ... ] }"
          assert.deepEqual(Object.keys(body).sort(), ["extensions", "name", "version"]);
          assert.equal(body.name, "mnist-backend");
          assert.match(body.version, /^\d+\.\d+\.\d+$/);
          // [BIN] "Because this extension is supported, Triton reports “binary_tensor_data” in the
          // extensions field of its Server Metadata."
          assert.deepEqual(body.extensions, ["binary_tensor_data"]);
        }
      });

      let version = "";
      await t.step("GET /v2/models/{name}[/versions/{version}] (model metadata)", async () => {
        const res = await fetch(`${url}/v2/models/mnist`);
        // [OIP] "A successful model metadata request is indicated by a 200 HTTP status code."
        assert.equal(res.status, 200);
        const body = await res.json();
        // [OIP] "$metadata_model_response = { "name" : $string, "versions" : [ $string, ... ] #optional,
        // "platform" : $string, "inputs" : [ $metadata_tensor, ... ], "outputs" : [ $metadata_tensor, ... ] }"
        assert.deepEqual(Object.keys(body).sort(), ["inputs", "name", "outputs", "platform", "versions"]);
        // [OIP] "“name” : The name of the model."
        assert.equal(body.name, "mnist");
        // [OIP] "Platform names use the format “<project>_<format>”. The following platform names are
        // allowed: … onnx_onnxv1 : A ONNX model encoded for ONNX Runtime."
        assert.equal(body.platform, "onnx_onnxv1");
        // [OIP] "$metadata_tensor = { "name" : $string, "datatype" : $string, "shape" : [ $number, ... ] }"
        // [OIP] ""shape" : The shape of the tensor. Variable-size dimensions are specified as -1."
        assert.deepEqual(body.inputs, [{ name: "input", datatype: "FP32", shape: [-1, 1, 28, 28] }]);
        assert.deepEqual(body.outputs, [
          { name: "logits", datatype: "FP32", shape: [-1, 10] },
          { name: "probabilities", datatype: "FP32", shape: [-1, 10] },
        ]);
        // [OIP] ""versions" : The model versions that may be explicitly requested via the appropriate endpoint."
        assert.equal(body.versions.length, 1);
        version = body.versions[0];
        // [KS] "GET v2/models/${MODEL_NAME}[/versions/${MODEL_VERSION}]": the advertised version is addressable.
        const versioned = await fetch(`${url}/v2/models/mnist/versions/${version}`);
        assert.equal(versioned.status, 200);
        assert.deepEqual(await versioned.json(), body);
        // [OIP] "A failed model metadata request must be indicated by an HTTP error status (typically 400).
        // The HTTP body must contain the *$metadata_model_error_response* object."
        await assertError(await fetch(`${url}/v2/models/resnet`), 404, /Unknown model "resnet"/);
        await assertError(
          await fetch(`${url}/v2/models/mnist/versions/0.0.1`),
          404,
          /Unknown version "0\.0\.1"/,
        );
        // [KS] "All strings in all contexts are case-sensitive."
        await assertError(await fetch(`${url}/v2/models/MNIST`), 404);
        await assertError(await fetch(`${url}/v2/models/%zz`), 400, /percent-encoding/);
      });

      await t.step("GET /v2/models/{name}[/versions/{version}]/ready (model ready)", async () => {
        for (const path of ["/v2/models/mnist/ready", `/v2/models/mnist/versions/${version}/ready`]) {
          const res = await fetch(url + path);
          // [KS] "A 200 status code indicates true"
          assert.equal(res.status, 200);
          // [OIP] "$ready_model_response = { "name" : $string, "ready": $bool }"
          assert.deepEqual(await res.json(), { name: "mnist", ready: true });
        }
        // [OIP] "The model name and (optionally) version must be available in the URL." Another is an error.
        await assertError(await fetch(`${url}/v2/models/resnet/ready`), 404);
        await assertError(await fetch(`${url}/v2/models/mnist/versions/9.9.9/ready`), 404, /live version is/);
      });

      await t.step("POST /v2/models/{name}[/versions/{version}]/infer, JSON", async () => {
        for (const path of ["/v2/models/mnist/infer", `/v2/models/mnist/versions/${version}/infer`]) {
          const res = await post(path, JSON.stringify({ id: "42", inputs: [tensor(3)] }));
          // [OIP] "A successful inference request is indicated by a 200 HTTP status code."
          assert.equal(res.status, 200);
          assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
          assert.equal(res.headers.get("inference-header-content-length"), null);
          const body = await res.json();
          // [OIP] "$inference_response = { "model_name" : $string, "model_version" : $string #optional,
          // "id" : $string, "parameters" : $parameters #optional, "outputs" : [ $response_output, ... ] }"
          assert.deepEqual(Object.keys(body).sort(), ["id", "model_name", "model_version", "outputs"]);
          assert.equal(body.model_name, "mnist");
          // [OIP] ""model_version" : The specific model version used for inference."
          assert.equal(body.model_version, version);
          // [OIP] ""id" : … Optional, but if specified this identifier must be returned in the response."
          assert.equal(body.id, "42");
          // [OIP] "“outputs” … Optional, if not specified all outputs produced by the model will be returned
          // using default *$request_output* settings." (default: JSON, [BIN] "false (or not given)")
          assert.deepEqual(body.outputs.map((o: { name: string }) => o.name), ["logits", "probabilities"]);
          for (const o of body.outputs) {
            // [OIP] "$response_output = { "name" : $string, "shape" : [ $number, ... ], "datatype" : $string,
            // "parameters" : $parameters #optional, "data" : $tensor_data }"
            assert.deepEqual(Object.keys(o).sort(), ["data", "datatype", "name", "shape"]);
            // [OIP] "If the output is batched, the shape and data represents the full shape of the entire batch."
            assert.deepEqual(o.shape, [3, 10]);
            assert.equal(o.datatype, "FP32");
            assert.equal(o.data.length, 30);
          }
          const probs = body.outputs[1].data as number[];
          for (let r = 0; r < 3; r++) {
            const sum = probs.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
          }
          assert.deepEqual(argmaxRows(body.outputs[0].data, 10), [...mnist.labels.subarray(0, 3)]);
        }
      });

      await t.step("infer: id, requested outputs, nested data", async () => {
        // [KS] data model: "class InferenceResponse(BaseModel): … id: str" — always present; ours is a UUID.
        const noId = await (await post("/v2/models/mnist/infer", JSON.stringify({ inputs: [tensor(1)] })))
          .json();
        assert.match(noId.id, /^[0-9a-f-]{36}$/);
        // [OIP] "For the above request the inference server must return the “output0” output tensor."
        const one = await (await post(
          "/v2/models/mnist/infer",
          JSON.stringify({ inputs: [tensor(1)], outputs: [{ name: "probabilities" }] }),
        )).json();
        assert.deepEqual(one.outputs.map((o: { name: string }) => o.name), ["probabilities"]);
        // [OIP] "Tensor elements may be presented in their nature multi-dimensional representation, or as a
        // flattened one-dimensional representation."
        const flat = normalised(0, 1);
        const rows = Array.from({ length: 28 }, (_, y) => Array.from(flat.subarray(y * 28, y * 28 + 28)));
        const nested = await (await post(
          "/v2/models/mnist/infer",
          JSON.stringify({
            inputs: [{ ...tensor(1), data: [[rows]] }],
            outputs: [{ name: "probabilities" }],
          }),
        )).json();
        assert.deepEqual(nested.outputs, one.outputs);
      });

      await t.step("infer errors are 400/404 with the protocol's error object", async () => {
        const infer = "/v2/models/mnist/infer";
        // [OIP] "A failed inference request must be indicated by an HTTP error status (typically 400).
        // The HTTP body must contain the *$inference_error_response* object."
        await assertError(await post(infer, "{"), 400, /Malformed JSON/);
        // The model produces "logits" and "probabilities": any other name cannot be returned.
        await assertError(
          await post(infer, JSON.stringify({ inputs: [tensor(1)], outputs: [{ name: "output0" }] })),
          400,
          /Unknown output "output0"/,
        );
        // [OIP] ""name" : The name of the input tensor." The model's input is "input".
        await assertError(
          await post(infer, JSON.stringify({ inputs: [{ ...tensor(1), name: "input0" }] })),
          400,
          /Unknown input "input0"/,
        );
        await assertError(
          await post(infer, JSON.stringify({ inputs: [tensor(1), tensor(1)] })),
          400,
          /one input/,
        );
        // [OIP] "If the input is batched, the shape and data must represent the full shape and contents of
        // the entire batch."
        await assertError(
          await post(infer, JSON.stringify({ inputs: [{ ...tensor(1), shape: [2, 1, 28, 28] }] })),
          400,
          /1568 finite numbers/,
        );
        // [OIP] ""datatype" : The data-type of the input tensor elements" — the model takes FP32.
        await assertError(
          await post(infer, JSON.stringify({ inputs: [{ ...tensor(1), datatype: "INT8" }] })),
          400,
          /FP32/,
        );
        // [OIP] "“id” : An identifier for this request." — "$inference_request = { "id" : $string #optional"
        await assertError(await post(infer, JSON.stringify({ id: 1, inputs: [tensor(1)] })), 400, /"id"/);
        await assertError(
          await post("/v2/models/resnet/infer", JSON.stringify({ inputs: [tensor(1)] })),
          404,
        );
        await assertError(
          await post("/v2/models/mnist/versions/1.0.0/infer", JSON.stringify({ inputs: [tensor(1)] })),
          404,
        );
        // The protocol's paths answer the protocol's error object for routing errors too.
        await assertError(await fetch(url + infer), 405);
        await assertError(await fetch(`${url}/v2/models/mnist/nope`), 404);
      });

      await t.step("binary tensor data: request inputs, binary outputs, sizes and order", async () => {
        const n = 4;
        const { body, length } = binaryBody({
          id: "bin",
          inputs: [{
            name: "input",
            shape: [n, 1, 28, 28],
            datatype: "FP32",
            // [BIN] ""binary_data_size" : int64 parameter indicating the size of the tensor binary data, in bytes."
            parameters: { binary_data_size: n * 784 * 4 },
          }],
          // [BIN] ""binary_data" : bool parameter that is true if the output should be returned as binary data"
          outputs: [{ name: "probabilities", parameters: { binary_data: true } }, { name: "logits" }],
          // [BIN] "Tensor data represented as binary data is organized in little-endian byte order, row major"
        }, le(normalised(0, n)));
        const res = await post(`/v2/models/mnist/versions/${version}/infer`, body, {
          "content-type": "application/octet-stream",
          // [BIN] "If any binary data is present in the request or response the Inference-Header-Content-Length
          // header must be provided to give the length of the JSON object"
          "inference-header-content-length": String(length),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/octet-stream");
        const got = await readBinary(res);
        // [BIN] "… and Content-Length continues to give the full body length (as HTTP requires)."
        assert.equal(Number(res.headers.get("content-length")), got.bytes.length);
        assert.equal(got.header.id, "bin");
        assert.equal(got.header.model_version, version);
        // [BIN] "the JSON inference request or response object followed by the binary tensor data in the same
        // order as the order of the input or output tensors are specified in the JSON"
        const [probs, logits] = got.header.outputs;
        assert.deepEqual(probs, {
          name: "probabilities",
          datatype: "FP32",
          shape: [n, 10],
          parameters: { binary_data_size: n * 10 * 4 },
        });
        // "logits" asked for nothing: [BIN] "false (or not given) if the tensor should be returned as JSON"
        assert.deepEqual(Object.keys(logits).sort(), ["data", "datatype", "name", "shape"]);
        assert.equal(got.end, got.bytes.length, "the binary part holds exactly the declared sizes");
        assert.deepEqual(argmaxRows(got.tensors.probabilities, 10), [...mnist.labels.subarray(0, n)]);
        assert.deepEqual(argmaxRows(logits.data, 10), [...mnist.labels.subarray(0, n)]);
      });

      await t.step("binary tensor data: binary_data_output, overridden per output", async () => {
        const { body, length } = binaryBody({
          inputs: [{
            name: "input",
            shape: [1, 1, 28, 28],
            datatype: "FP32",
            parameters: { binary_data_size: 3136 },
          }],
          // [BIN] ""binary_data_output" : bool parameter that is true if all outputs should be returned as
          // binary data … If "binary_data" is specified on an output it overrides this setting."
          parameters: { binary_data_output: true },
          outputs: [{ name: "logits" }, { name: "probabilities", parameters: { binary_data: false } }],
        }, le(normalised(0, 1)));
        const got = await readBinary(
          await post("/v2/models/mnist/infer", body, { "inference-header-content-length": String(length) }),
        );
        assert.deepEqual(got.header.outputs[0].parameters, { binary_data_size: 40 });
        assert.equal(got.header.outputs[1].data.length, 10);
        assert.equal(got.header.outputs[1].parameters, undefined);
      });

      await t.step("binary tensor data: the raw form (Inference-Header-Content-Length: 0)", async () => {
        // [BIN] "To send a raw binary request, the Inference-Header-Content-Length header must be provided with
        // value 0 … the request will be treated as batch-1 request … all the model output will be requested
        // to be returned in binary tensor form"
        const res = await post("/v2/models/mnist/infer", le(normalised(0, 1)), {
          "content-type": "application/octet-stream",
          "inference-header-content-length": "0",
        });
        assert.equal(res.status, 200);
        const got = await readBinary(res);
        assert.deepEqual(
          got.header.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]),
          [
            ["logits", [1, 10]],
            ["probabilities", [1, 10]],
          ],
        );
        assert.equal(argmaxRows(got.tensors.logits, 10)[0], mnist.labels[0]);
      });

      await t.step("binary tensor data: malformed bodies are 400 naming the fault", async () => {
        const infer = "/v2/models/mnist/infer";
        const header = {
          inputs: [{
            name: "input",
            shape: [1, 1, 28, 28],
            datatype: "FP32",
            parameters: { binary_data_size: 3136 },
          }],
        };
        const { body, length } = binaryBody(header, le(normalised(0, 1)));
        // Without the header the body is not JSON alone: say what is not supported, not "position 177".
        await assertError(
          await post(infer, body, { "content-type": "application/octet-stream" }),
          400,
          /3136 bytes after its JSON object.*Inference-Header-Content-Length/,
        );
        const h = (v: string) => ({ "inference-header-content-length": v });
        await assertError(await post(infer, body, h(String(body.length + 1))), 400, /at most the body's/);
        await assertError(await post(infer, body, h("-5")), 400, /Inference-Header-Content-Length/);
        await assertError(
          await post(infer, body.subarray(0, body.length - 1), h(String(length))),
          400,
          /3135 bytes/,
        );
        const big = binaryBody(
          { inputs: [{ ...header.inputs[0], parameters: { binary_data_size: 6272 } }] },
          le(normalised(0, 2)),
        );
        await assertError(
          await post(infer, big.body, h(String(big.length))),
          400,
          /binary_data_size must be 3136/,
        );
        await assertError(await post(infer, le(normalised(0, 2)), h("0")), 400, /raw binary request/);
      });

      await t.step("the Triton client's own flow: 256 test digits as binary, one request", async () => {
        // tritonclient.http: InferInput(...).set_data_from_numpy(x, binary_data=True),
        // InferRequestedOutput("probabilities", binary_data=True), then InferResult.as_numpy().
        const n = 256;
        const { body, length } = binaryBody({
          inputs: [{
            name: "input",
            shape: [n, 1, 28, 28],
            datatype: "FP32",
            parameters: { binary_data_size: n * 3136 },
          }],
          outputs: [{ name: "probabilities", parameters: { binary_data: true } }],
        }, le(normalised(100, n)));
        const got = await readBinary(
          await post(`/v2/models/mnist/versions/${version}/infer`, body, {
            "inference-header-content-length": String(length),
          }),
        );
        const predicted = argmaxRows(got.tensors.probabilities, 10);
        const right = predicted.filter((p, i) => p === mnist.labels[100 + i]).length;
        assert.ok(right / n >= 0.98, `${right}/${n} right`);
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }

    await t.step(
      "not ready: 503 with ready false and the protocol's error (in process, draining)",
      async () => {
        const { app, ctx, close } = await createTestApp();
        try {
          ctx.draining = true;
          const server = await app(new Request("http://localhost/v2/health/ready"));
          assert.equal(server.headers.get("retry-after"), "1");
          // [KS] "A 200 status code indicates true and a 4xx status code indicates false." (503: see above)
          const s = await assertError(server, 503, /shutting down/);
          // [KS] data model: "ready: bool"
          assert.equal(s.ready, false);
          const model = await assertError(
            await app(new Request("http://localhost/v2/models/mnist/ready")),
            503,
          );
          // [OIP] "$ready_model_response = { "name" : $string, "ready": $bool }"
          assert.equal(model.name, "mnist");
          assert.equal(model.ready, false);
        } finally {
          await close();
        }
      },
    );
  },
});
