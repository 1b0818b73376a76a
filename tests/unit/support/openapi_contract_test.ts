/**
 * `ContractChecker` catches what the contract test relies on it to catch: undocumented
 * operations, statuses and content types, bodies off their schema, and the old
 * `BatchResult` mistake (an error branch without `required`, so a success matched both
 * `oneOf` branches).
 */
import assert from "node:assert/strict";
import { openApiDocument } from "../../../server/routes/openapi.ts";
import { type Answer, ContractChecker } from "../../support/openapi_contract.ts";

const LIMITS = { maxUploadBytes: 1000, maxPixels: 1000, maxBatchFiles: 4 };
const enc = new TextEncoder();
const answer = (
  method: string,
  path: string,
  status: number,
  body: unknown,
  type = "application/json",
): Answer => ({
  method,
  path,
  status,
  headers: new Headers({ "content-type": type }),
  body: enc.encode(typeof body === "string" ? body : JSON.stringify(body)),
});
const prediction = {
  predicted_class: 7,
  confidence: 0.9,
  probabilities: new Array(10).fill(0.1),
  is_digit: true,
  digit_score: 0.99,
};

Deno.test("ContractChecker accepts documented answers and records them", () => {
  const c = new ContractChecker(openApiDocument("2.0.0", LIMITS));
  assert.deepEqual(c.check(answer("POST", "/api/v1/predict", 200, prediction)), []);
  assert.deepEqual(
    c.check(
      answer("HEAD", "/health", 200, { status: "healthy", service: "mnist-backend", model_version: null }),
    ),
    [],
  );
  assert.equal(
    c.templateOf("/v2/models/mnist/versions/2.0.0/ready"),
    "/v2/models/{name}/versions/{version}/ready",
  );
  assert.equal(c.templateOf("/v2/"), "/v2/");
  assert.ok(!c.uncovered().includes("POST /api/v1/predict 200"));
  assert.ok(c.uncovered().includes("POST /api/v1/predict 415"));
});

Deno.test("ContractChecker reports undocumented operations, statuses, types and bodies off schema", () => {
  const c = new ContractChecker(openApiDocument("2.0.0", LIMITS));
  assert.match(c.check(answer("PUT", "/health", 405, {}))[0], /no documented operation/);
  assert.match(c.check(answer("GET", "/health", 418, {}))[0], /status not documented/);
  assert.match(c.check(answer("GET", "/health", 200, "x", "text/plain"))[0], /content type "text\/plain"/);
  assert.match(c.check(answer("POST", "/api/v1/predict", 200, { predicted_class: 11 }))[0], /must/);
  // v1 errors are problem details; on /v2 they are the protocol's {"error"}.
  assert.match(
    c.check(answer("POST", "/api/v1/predict", 400, { error: "x" }, "application/problem+json"))[0],
    /required/,
  );
  assert.match(c.check(answer("GET", "/v2/models/x", 404, { detail: "x" }))[0], /required property 'error'/);
  assert.deepEqual(c.check(answer("GET", "/v2/models/x", 404, { error: "x" })), []);
});

Deno.test("ContractChecker validates a binary infer answer's JSON header and sizes", () => {
  const c = new ContractChecker(openApiDocument("2.0.0", LIMITS));
  const header = enc.encode(JSON.stringify({
    model_name: "mnist",
    model_version: "2.0.0",
    id: "1",
    outputs: [{ name: "logits", datatype: "FP32", shape: [1, 10], parameters: { binary_data_size: 40 } }],
  }));
  const body = new Uint8Array(header.length + 40);
  body.set(header);
  const headers = new Headers({
    "content-type": "application/octet-stream",
    "inference-header-content-length": String(header.length),
  });
  const a = { method: "POST", path: "/v2/models/mnist/infer", status: 200, headers, body };
  assert.deepEqual(c.check(a), []);
  assert.match(c.check({ ...a, body: body.subarray(0, body.length - 4) })[0], /binary sizes 40 ≠ 36/);
});

Deno.test("ContractChecker would have caught the BatchResult oneOf without required", () => {
  type Batch = { properties: { results: { items: { oneOf: { required?: string[] }[] } } } };
  const doc = openApiDocument("2.0.0", LIMITS) as { components: { schemas: { BatchResult: Batch } } };
  const batch = { results: [prediction], model_version: "2.0.0", backend: "wasm" };
  assert.deepEqual(new ContractChecker(doc).check(answer("POST", "/api/v1/predict/batch", 200, batch)), []);
  delete doc.components.schemas.BatchResult.properties.results.items.oneOf[1].required;
  const broken = new ContractChecker(doc).check(answer("POST", "/api/v1/predict/batch", 200, batch));
  assert.ok(broken.some((v) => /must match exactly one schema in oneOf/.test(v)), broken.join("\n"));
});
