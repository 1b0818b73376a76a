/**
 * The two v2 inference requests the JSON-against-binary measurements send: the same
 * `n` MNIST test digits (normalised with the model's mean/std) as a JSON
 * `$inference_request` with JSON outputs, and as Triton's binary tensor data extension
 * (JSON header, raw little-endian FP32) asking for binary outputs, as tritonclient.http
 * sends them by default.
 * @module
 */
import { encodeBinary } from "../server/routes/v2_binary.ts";
import { loadMnist } from "../tests/support/mnist_idx.ts";

/** One request body and the headers that go with it. */
export interface V2Body {
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/**
 * Both bodies for `n` digits.
 *
 * @param n Images in the batch.
 * @returns `{ json, binary }`.
 */
export async function v2Bodies(n: number): Promise<{ json: V2Body; binary: V2Body }> {
  const mnist = await loadMnist("t10k");
  const data = Float32Array.from(mnist.images.subarray(0, n * 784), (v) => (v / 255 - 0.1307) / 0.3081);
  const input = { name: "input", shape: [n, 1, 28, 28], datatype: "FP32" };
  const json = new TextEncoder().encode(JSON.stringify({ inputs: [{ ...input, data: Array.from(data) }] }));
  const binary = encodeBinary({
    inputs: [{ ...input, parameters: { binary_data_size: data.byteLength } }],
    parameters: { binary_data_output: true },
  }, [data]);
  return {
    json: { body: json, headers: { "content-type": "application/json" } },
    binary: {
      body: binary.body,
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(binary.headerLength),
      },
    },
  };
}
