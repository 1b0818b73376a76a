/**
 * A batch of 64 digits through `/v2/models/mnist/infer` as JSON against Triton's binary
 * tensor data extension: the request parse alone, the response encoding alone, and the
 * whole handler in process (no socket; inference included, the same for both).
 *
 *     deno bench -A bench/v2_binary_bench.ts
 */
import { createTestApp } from "../tests/support/app_harness.ts";
import { encodeBinary } from "../server/routes/v2_binary.ts";
import { parseInferRequest } from "../server/routes/v2_request.ts";
import { v2Bodies } from "./v2_bodies.ts";

const N = 64;
const { json, binary } = await v2Bodies(N);
const SIG = { input: "input", outputs: ["logits", "probabilities"], maxBatch: 256 };
const HEADER = "inference-header-content-length";

Deno.bench(
  `parse request, ${N} digits, JSON (${json.body.length} B)`,
  { group: "parse", baseline: true },
  () => {
    parseInferRequest(json.body, null, SIG);
  },
);
Deno.bench(`parse request, ${N} digits, binary (${binary.body.length} B)`, { group: "parse" }, () => {
  parseInferRequest(binary.body, binary.headers[HEADER], SIG);
});

const logits = new Float32Array(N * 10).map(() => Math.random() * 20 - 10);
const head = { model_name: "mnist", model_version: "2.0.0", id: "x" };
const out = (name: string) => ({ name, datatype: "FP32", shape: [N, 10] });
Deno.bench(`encode response, ${N}×10 ×2 outputs, JSON`, { group: "encode", baseline: true }, () => {
  JSON.stringify({
    ...head,
    outputs: [{ ...out("logits"), data: Array.from(logits) }, {
      ...out("probabilities"),
      data: Array.from(logits),
    }],
  });
});
Deno.bench(`encode response, ${N}×10 ×2 outputs, binary`, { group: "encode" }, () => {
  const p = { binary_data_size: logits.byteLength };
  encodeBinary({
    ...head,
    outputs: [{ ...out("logits"), parameters: p }, { ...out("probabilities"), parameters: p }],
  }, [
    logits,
    logits,
  ]);
});

const { app } = await createTestApp();
const request = (b: typeof json) =>
  new Request("http://localhost/v2/models/mnist/infer", { method: "POST", body: b.body, headers: b.headers });
for (const [name, b] of [["JSON", json], ["binary", binary]] as const) {
  Deno.bench(
    `whole handler, ${N} digits, ${name}`,
    { group: "handler", baseline: name === "JSON" },
    async () => {
      const res = await app(request(b));
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    },
  );
}
