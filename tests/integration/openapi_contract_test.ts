/**
 * The OpenAPI contract: real requests to the real server (and, for the two states a
 * running server cannot be put in on demand — model not loaded, draining — the real app
 * in process), each answer checked against the served `/openapi.json` with Ajv (JSON
 * Schema 2020-12, strict): the status must be documented for the operation, the content
 * type listed, and the body valid. Every documented (operation, status) pair must be
 * replayed at least once, v1 and v2, success and error.
 */
import assert from "node:assert/strict";
import { type Context, createContext } from "../../server/cluster/context.ts";
import { loadConfig } from "../../server/config.ts";
import { createApp } from "../../server/app.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { ModelStore } from "../../server/model/store.ts";
import { createTestApp } from "../support/app_harness.ts";
import { type Answer, ContractChecker } from "../support/openapi_contract.ts";
import { rawRequest } from "../support/raw_http.ts";
import { ROOT, startServer } from "../support/test_utils.ts";

const IMAGES = `${ROOT}tests/testdata/images/`;
const PNG7 = await Deno.readFile(`${IMAGES}7_bench.png`);
const BLANK = await Deno.readFile(`${IMAGES}blank.png`);
const BODY_TIMEOUT_MS = 800;
const MAX_UPLOAD = 200_000;
const enc = new TextEncoder();
const LONG_QUERY = `?pad=${"x".repeat(8200)}`;

const V1_HEAVY = ["/api/v1/predict", "/api/v1/predict/batch"];
/** The version the server loads, so the versioned v2 paths follow the model in `models/`. */
const VERSION: string = JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`)).version;
const INFER = ["/v2/models/mnist/infer", `/v2/models/mnist/versions/${VERSION}/infer`];

/** A v2 JSON request for `n` images. */
function inferJson(n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    inputs: [{
      name: "input",
      shape: [n, 1, 28, 28],
      datatype: "FP32",
      data: new Array(n * 784).fill(-0.42),
    }],
    ...extra,
  });
}

/** A v2 binary request for one image, asking for binary outputs. */
function inferBinary(): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const header = enc.encode(JSON.stringify({
    inputs: [{
      name: "input",
      shape: [1, 1, 28, 28],
      datatype: "FP32",
      parameters: { binary_data_size: 3136 },
    }],
    parameters: { binary_data_output: true },
  }));
  const body = new Uint8Array(header.length + 3136);
  body.set(header);
  return { body, headerLength: header.length };
}

function form(files: Uint8Array[], field = "file"): FormData {
  const f = new FormData();
  for (const b of files) {
    f.append(field, new Blob([b as Uint8Array<ArrayBuffer>], { type: "image/png" }), "d.png");
  }
  return f;
}

Deno.test({
  name:
    "openApiDocument() describes every status of every route: real answers validate against /openapi.json",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const srv = await startServer({
      WATCH_MODELS: "false",
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
      MAX_BATCH_FILES: "2",
      MAX_INFLIGHT: "1",
    });
    const violations: string[] = [];
    let checker: ContractChecker | undefined;
    const record = (a: Answer, expect?: number) => {
      if (expect !== undefined && a.status !== expect) {
        violations.push(`${a.method} ${a.path}: ${a.status} ≠ ${expect}`);
      }
      violations.push(...checker!.check(a));
    };
    /** fetch, then check the answer; `expect` is the status the request was built to get. */
    const call = async (path: string, init: RequestInit = {}, expect?: number, base = srv.url) => {
      const res = await fetch(base + path, init);
      const body = new Uint8Array(await res.arrayBuffer());
      const a = {
        method: init.method ?? "GET",
        path: path.split("?")[0],
        status: res.status,
        headers: res.headers,
        body,
      };
      record(a, expect);
      return a;
    };
    /** A request whose body never finishes: it holds the one in-flight slot, then gets 408. */
    const slowBody = (path: string) =>
      rawRequest(srv.port, {
        method: "POST",
        target: path,
        headers: [[
          "Content-Type",
          path.startsWith("/v2") ? "application/json" : "multipart/form-data; boundary=b",
        ], [
          "Content-Length",
          "1000",
        ]],
        body: enc.encode("{"),
      }, 10_000).then((r) => ({ method: "POST", path, status: r.status, headers: r.headers, body: r.body }));

    try {
      const doc = await (await fetch(`${srv.url}/openapi.json`)).json();
      // Every schema in the document compiles in Ajv's strict mode, or this throws.
      checker = new ContractChecker(doc);

      await t.step("operational routes: 200, 304, 308, 400, 404, 406", async () => {
        for (
          const p of ["/health", "/ready", "/api/info", "/metrics", "/openapi.json", "/redoc", "/v2", "/v2/"]
        ) {
          await call(p, {}, 200);
        }
        await call("/", {}, 200);
        const page = await call("/", { headers: { accept: "text/html" } }, 200);
        const docs = await call("/docs", {}, 200);
        const docsHtml = new TextDecoder().decode(docs.body);
        const init = /docs\/assets\/([^"']+)/.exec(docsHtml)![1];
        await call(`/docs/assets/${init}`, {}, 200);
        await call("/docs/assets/nope.js", {}, 404);
        await call("/docs/assets/%E0%A4%A", {}, 400);
        await call("/docs/", { redirect: "manual" }, 308);
        // Static files and the model: 200, 304 for the ETag just sent, 400, 404, and 406 when
        // Accept-Encoding refuses every stored form, identity included.
        const refuseAll = { "accept-encoding": "identity;q=0, *;q=0" };
        const html = { accept: "text/html" };
        const pageTag = page.headers.get("etag")!;
        await call("/", { headers: { ...html, "if-none-match": pageTag } }, 304);
        await call("/", { headers: { ...html, ...refuseAll } }, 406);
        const asset = /assets\/([^"'?]+)/.exec(new TextDecoder().decode(page.body))![1];
        const docsFile = /docs-assets\/([^"'?]+)/.exec(docsHtml)![1];
        for (const path of [`/assets/${asset}`, `/docs-assets/${docsFile}`, "/sw.js", "/favicon.ico"]) {
          const first = await call(path, {}, 200);
          await call(path, { headers: { "if-none-match": first.headers.get("etag")! } }, 304);
          await call(path, { headers: refuseAll }, 406);
        }
        for (const dir of ["/assets", "/docs-assets"]) {
          await call(`${dir}/nope.js`, {}, 404);
          await call(`${dir}/%zz`, {}, 400);
        }
        const meta = await call("/model/convnet.json", {}, 200);
        const onnx = JSON.parse(new TextDecoder().decode(meta.body)).file;
        await call(`/model/${onnx}`, {}, 200);
        await call("/model/convnet.json", { headers: { "if-none-match": meta.headers.get("etag")! } }, 304);
        await call("/model/convnet.json", { headers: refuseAll }, 406);
        await call("/model/other.onnx", {}, 404);
        await call("/model/%zz", {}, 400);
      });

      await t.step("POST /api/v1/predict and /batch: 200, 400, 413, 415, 422", async () => {
        await call("/api/v1/predict", { method: "POST", body: form([PNG7]) }, 200);
        await call("/api/v1/predict", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"image": [',
        }, 400);
        await call("/api/v1/predict", {
          method: "POST",
          body: new Uint8Array(MAX_UPLOAD + 1),
          headers: { "content-type": "image/png" },
        }, 413);
        await call("/api/v1/predict", {
          method: "POST",
          body: "hello",
          headers: { "content-type": "text/plain" },
        }, 415);
        await call("/api/v1/predict", {
          method: "POST",
          body: JSON.stringify({ image: [1, 2] }),
          headers: { "content-type": "application/json" },
        }, 422);
        // One good file and one blank: the blank one's result is {"error": {status, detail}}.
        const batch = await call("/api/v1/predict/batch", { method: "POST", body: form([PNG7, BLANK]) }, 200);
        const results = JSON.parse(new TextDecoder().decode(batch.body)).results;
        assert.equal(results[0].predicted_class, 7);
        assert.equal(results[1].error.status, 422);
        await call("/api/v1/predict/batch", {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=zz" },
          body: "--zz\r\ngarbage",
        }, 400);
        await call("/api/v1/predict/batch", { method: "POST", body: form([PNG7, PNG7, PNG7]) }, 413);
        await call("/api/v1/predict/batch", {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        }, 415);
        await call("/api/v1/predict/batch", { method: "POST", body: form([PNG7], "other") }, 422);
      });

      await t.step("the Open Inference Protocol routes: 200, 400, 404, 413", async () => {
        for (const base of ["/v2/models/mnist", `/v2/models/mnist/versions/${VERSION}`]) {
          await call(base, {}, 200);
          await call(`${base}/ready`, {}, 200);
        }
        await call("/v2/health/live", {}, 200);
        await call("/v2/health/ready", {}, 200);
        for (const p of ["/v2/models/resnet", "/v2/models/mnist/versions/1.0.0"]) {
          await call(p, {}, 404);
          await call(`${p}/ready`, {}, 404);
        }
        for (const p of ["/v2/models/%zz", "/v2/models/mnist/versions/%zz"]) {
          await call(p, {}, 400);
          await call(`${p}/ready`, {}, 400);
        }
        for (const path of INFER) {
          const json = { "content-type": "application/json" };
          await call(path, { method: "POST", headers: json, body: inferJson(2) }, 200);
          const { body, headerLength } = inferBinary();
          const binary = await call(path, {
            method: "POST",
            headers: {
              "content-type": "application/octet-stream",
              "inference-header-content-length": String(headerLength),
            },
            body,
          }, 200);
          assert.equal(binary.headers.get("content-type"), "application/octet-stream");
          await call(path, {
            method: "POST",
            headers: json,
            body: inferJson(1, { outputs: [{ name: "nope" }] }),
          }, 400);
          await call(
            path.replace("mnist", "resnet"),
            { method: "POST", headers: json, body: inferJson(1) },
            404,
          );
          await call(path, { method: "POST", headers: json, body: new Uint8Array(MAX_UPLOAD + 1) }, 413);
        }
      });

      await t.step("every operation answers 414 past the URL limit", async () => {
        for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
          const concrete = path.replace("{name}", "mnist").replace("{version}", VERSION).replace(
            "{file}",
            "convnet.json",
          );
          for (const method of Object.keys(item)) {
            await call(concrete + LONG_QUERY, { method: method.toUpperCase() }, 414);
          }
        }
      });

      await t.step(
        "heavy routes: 503 while the one in-flight slot is held, 408 for the slow body",
        async () => {
          for (const path of [...V1_HEAVY, ...INFER]) {
            const held = slowBody(path);
            await new Promise((r) => setTimeout(r, 150));
            await call(path, { method: "POST", body: form([PNG7]) }, 503);
            record(await held, 408);
          }
        },
      );
    } finally {
      await srv.stop();
    }

    await t.step("in process: 503 before the model loads and while draining", async () => {
      const config = loadConfig({
        MODEL_DIR: `${ROOT}models`,
        WEB_DIR: `${ROOT}web/dist`,
        WATCH_MODELS: "false",
        LOG_LEVEL: "error",
      });
      const log = createLogger(config.logLevel);
      // A store never loaded: the state of a worker that is still starting.
      const cold: Context = createContext({
        config,
        store: new ModelStore({ dir: config.modelDir, backends: config.backends, log }),
        metrics: createMetrics(),
        log,
      });
      const inApp = async (
        app: (r: Request) => Promise<Response>,
        path: string,
        init: RequestInit,
        expect: number,
      ) => {
        const res = await app(new Request(`http://localhost${path}`, init));
        record({
          method: init.method ?? "GET",
          path,
          status: res.status,
          headers: res.headers,
          body: new Uint8Array(await res.arrayBuffer()),
        }, expect);
      };
      const coldApp = createApp(cold);
      for (
        const p of ["/v2/models/mnist", `/v2/models/mnist/versions/${VERSION}`, "/ready", "/v2/health/ready"]
      ) {
        await inApp(coldApp, p, {}, 503);
      }
      await inApp(coldApp, "/health", {}, 200);
      await inApp(coldApp, "/api/info", {}, 200);
      cold.close();
      const { app, ctx, close } = await createTestApp();
      try {
        ctx.draining = true;
        for (const p of ["/v2/models/mnist/ready", `/v2/models/mnist/versions/${VERSION}/ready`, "/ready"]) {
          await inApp(app, p, {}, 503);
        }
      } finally {
        await close();
      }
    });

    await t.step("no answer broke the contract, and every documented status was replayed", () => {
      assert.deepEqual(violations, []);
      assert.deepEqual(checker!.uncovered(), []);
    });
  },
});
