/**
 * The OpenAPI 3.1 description of every route and every status it answers, served at
 * `/openapi.json` and shown by `/docs` (Swagger UI) and `/redoc` (ReDoc). The Open
 * Inference Protocol's routes come from `openapi_v2.ts`. `tests/integration/openapi_contract_test.ts`
 * replays each documented status and validates the bodies against this document.
 *
 * Runs in Deno.
 * @module
 */

import { v2Paths, v2Schemas } from "./openapi_v2.ts";

/** The limits quoted in the document. */
export interface DocumentLimits {
  maxUploadBytes: number;
  maxPixels: number;
  maxBatchFiles: number;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (schema: unknown, media = "application/json", description = "OK") => ({
  "200": { description, content: { [media]: { schema } } },
});
const text = { type: "string" };

/** Why each error status is answered, outside the Open Inference Protocol's paths. */
const WHY: Record<number, string> = {
  400: "Malformed request: multipart, JSON, image data or percent-encoding in the path",
  404: "No such resource",
  408: "The body was not received in time (BODY_TIMEOUT_MS)",
  413: "Body over MAX_UPLOAD_BYTES, image over MAX_PIXELS, or more files than MAX_BATCH_FILES",
  414: "URL longer than 8192 characters",
  406: "No acceptable content coding: Accept-Encoding refuses every stored form, identity included",
  415: "Not an image, or an unsupported content type",
  422: 'Missing "file", a JSON image of the wrong shape or values, or no digit found (blank image)',
  503: "At capacity (MAX_INFLIGHT) or the model is not loaded yet; retry after Retry-After seconds",
};

/** Problem-details responses for `codes`, each with its reason. */
function problems(...codes: number[]): Record<string, unknown> {
  return Object.fromEntries(codes.map((c) => [
    String(c),
    { description: WHY[c], content: { "application/problem+json": { schema: ref("ProblemDetails") } } },
  ]));
}

/** An operation; every one also answers 414 (the URL limit comes before routing). */
function op(o: { responses: Record<string, unknown>; [key: string]: unknown }) {
  return { ...o, responses: { ...o.responses, ...problems(414) } };
}

const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
const notModified = { "304": { description: "Not modified: If-None-Match named the current ETag" } };

/**
 * Build the OpenAPI document.
 *
 * @param version Service version.
 * @param limits Limits in force, quoted in descriptions.
 * @returns The document.
 */
export function openApiDocument(version: string, limits: DocumentLimits): Record<string, unknown> {
  const imageUpload = {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["file"],
        properties: { file: { type: "string", format: "binary", description: "PNG, JPEG, GIF or BMP" } },
      },
    },
    "application/json": { schema: ref("JsonImage") },
    "image/png": { schema: { type: "string", format: "binary" } },
    "image/jpeg": { schema: { type: "string", format: "binary" } },
    "image/gif": { schema: { type: "string", format: "binary" } },
    "image/bmp": { schema: { type: "string", format: "binary" } },
  };
  const batchUpload = {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["file"],
        properties: {
          file: {
            type: "array",
            maxItems: limits.maxBatchFiles,
            items: { type: "string", format: "binary" },
          },
        },
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "MNIST digit recognition API",
      version,
      description: "Classifies a handwritten digit. Drop-in replacement of the FastAPI service: " +
        "`POST /api/v1/predict` with a multipart `file` answers `predicted_class`, `confidence` and " +
        "`probabilities`, plus `is_digit` (false when the image is not one digit) and `digit_score`. " +
        `Limits: body ${limits.maxUploadBytes} bytes, ${limits.maxPixels} pixels ` +
        `per image, ${limits.maxBatchFiles} files per batch. Errors are RFC 9457 problem details ` +
        "with a `detail` message; on the Open Inference Protocol's `/v2` paths they are its " +
        '`{"error": "<message>"}`. Every path also answers 405 with `Allow` for a method it does not ' +
        "have, HEAD like GET, and (with CORS_ORIGINS) OPTIONS preflights with 204.",
    },
    tags: [
      { name: "predict", description: "Digit classification (the old service's routes)" },
      { name: "operations", description: "Health, readiness, metrics, documentation and the page" },
      { name: "v2", description: "Open Inference Protocol (KServe v2 / Triton), with binary tensor data" },
    ],
    paths: {
      "/api/v1/predict": {
        post: op({
          summary: "Classify one digit image",
          operationId: "predict",
          tags: ["predict"],
          requestBody: { required: true, content: imageUpload },
          responses: { ...ok(ref("Prediction")), ...problems(400, 408, 413, 415, 422, 503) },
        }),
      },
      "/api/v1/predict/batch": {
        post: op({
          summary: "Classify several images (repeated multipart field `file`), one result each, in order",
          operationId: "predictBatch",
          tags: ["predict"],
          requestBody: { required: true, content: batchUpload },
          responses: { ...ok(ref("BatchResult")), ...problems(400, 408, 413, 415, 422, 503) },
        }),
      },
      "/health": {
        get: op({
          summary: "Liveness (answers while the process runs)",
          operationId: "health",
          tags: ["operations"],
          responses: ok(ref("Health")),
        }),
      },
      "/ready": {
        get: op({
          summary: "Readiness: 200 once the model is loaded and warmed up, 503 before and while draining",
          operationId: "ready",
          tags: ["operations"],
          responses: {
            ...ok(ref("Readiness")),
            "503": {
              description: "Not ready: the model is loading, or the server is draining",
              content: { "application/json": { schema: ref("Readiness") } },
            },
          },
        }),
      },
      "/api/info": {
        get: op({
          summary: "Service, model, backend and limits",
          operationId: "info",
          tags: ["operations"],
          responses: ok(ref("Info")),
        }),
      },
      "/metrics": {
        get: op({
          summary: "Prometheus metrics (text exposition format)",
          operationId: "metrics",
          tags: ["operations"],
          responses: ok(text, "text/plain"),
        }),
      },
      "/openapi.json": {
        get: op({
          summary: "This document",
          operationId: "openapi",
          tags: ["operations"],
          responses: ok({
            type: "object",
            required: ["openapi", "info", "paths"],
            properties: { openapi: { const: "3.1.0" }, info: { type: "object" }, paths: { type: "object" } },
          }),
        }),
      },
      "/docs": {
        get: op({
          summary: "Swagger UI for this document",
          operationId: "swaggerUi",
          tags: ["operations"],
          responses: ok(text, "text/html"),
        }),
      },
      "/redoc": {
        get: op({
          summary: "ReDoc for this document",
          operationId: "redoc",
          tags: ["operations"],
          responses: ok(text, "text/html"),
        }),
      },
      "/docs/": {
        get: op({
          summary: "A permanent redirect to /docs (its relative links need the path without the slash)",
          operationId: "docsSlash",
          tags: ["operations"],
          responses: {
            "308": {
              description: "Permanent redirect",
              headers: { Location: { description: "`../docs`, with the query kept", schema: text } },
            },
          },
        }),
      },
      "/docs/assets/{name}": {
        get: op({
          summary: "The docs pages' start-up scripts (`swagger-init.js`, `redoc-init.js`)",
          operationId: "docsInit",
          tags: ["operations"],
          parameters: [pathParam("name")],
          responses: { ...ok(text, "text/javascript"), ...problems(400, 404) },
        }),
      },
      "/docs-assets/{file}": {
        get: op({
          summary: "Swagger UI's and ReDoc's scripts and styles, from their npm packages by way of the build",
          operationId: "docsAsset",
          tags: ["operations"],
          parameters: [pathParam("file")],
          responses: { ...ok(text, "*/*"), ...notModified, ...problems(400, 404, 406) },
        }),
      },
      "/favicon.ico": {
        get: op({
          summary: "The page's icon",
          operationId: "favicon",
          tags: ["operations"],
          responses: {
            ...ok({ type: "string", format: "binary" }, "image/x-icon"),
            ...notModified,
            ...problems(406),
          },
        }),
      },
      "/": {
        get: op({
          summary: "The drawing page (Accept: text/html) or a JSON index of the endpoints",
          operationId: "index",
          tags: ["operations"],
          responses: {
            "200": {
              description: "OK",
              content: { "text/html": { schema: text }, "application/json": { schema: ref("Index") } },
            },
            ...notModified,
            ...problems(406),
          },
        }),
      },
      "/assets/{file}": {
        get: op({
          summary: "The page's build (scripts, styles, WebAssembly), revalidated by ETag",
          operationId: "pageAsset",
          tags: ["operations"],
          parameters: [pathParam("file")],
          responses: { ...ok(text, "*/*"), ...notModified, ...problems(400, 404, 406) },
        }),
      },
      "/sw.js": {
        get: op({
          summary: "The page's service worker (offline use)",
          operationId: "serviceWorker",
          tags: ["operations"],
          responses: { ...ok(text, "text/javascript"), ...notModified, ...problems(406) },
        }),
      },
      "/model/{file}": {
        get: op({
          summary: "The live model's files (convnet.json and the ONNX file it names), used by the page",
          operationId: "modelFile",
          tags: ["operations"],
          parameters: [pathParam("file")],
          responses: {
            "200": {
              description: "OK",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["name", "version", "file"],
                    properties: { name: text, version: text, file: text },
                  },
                },
                "application/octet-stream": { schema: { type: "string", format: "binary" } },
              },
            },
            ...notModified,
            ...problems(400, 404, 406),
          },
        }),
      },
      ...v2Paths(),
    },
    components: {
      schemas: {
        ...v1Schemas(),
        ...v2Schemas(limits.maxBatchFiles * 4),
      },
    },
  };
}

/** Schemas of the v1 and operational routes. */
function v1Schemas(): Record<string, unknown> {
  const probabilities = { type: "array", items: { type: "number" }, minItems: 10, maxItems: 10 };
  return {
    Prediction: {
      type: "object",
      required: ["predicted_class", "confidence", "probabilities", "is_digit", "digit_score"],
      properties: {
        predicted_class: {
          type: "integer",
          minimum: 0,
          maximum: 9,
          description: "The most probable digit; when `is_digit` is false, only the closest digit",
        },
        confidence: { type: "number", description: "Its probability among the ten digits" },
        probabilities: {
          ...probabilities,
          description: "Probability of each digit, given a digit; sums to 1",
        },
        is_digit: {
          type: "boolean",
          description: "False for a scribble, dot, letter, several digits, noise or a stroke too small to " +
            'read: show "not a digit" rather than `predicted_class`. Answered with 200, not 422, so old ' +
            "clients (which treat 422 as an error) keep their answer; 422 stays for an image with no ink",
        },
        digit_score: {
          type: "number",
          minimum: 0,
          maximum: 1,
          description: 'p(digit) from the model\'s "not a digit" output; `is_digit` is `digit_score` ≥ the ' +
            "model's calibrated threshold (`not_digit` in /api/info)",
        },
        model_version: { type: "string" },
        backend: { type: "string", enum: ["webgpu", "webgl", "wasm"] },
        timings_ms: {
          type: "object",
          properties: {
            decode: { type: "number" },
            preprocess: { type: "number" },
            inference: { type: "number" },
            total: { type: "number" },
          },
        },
      },
    },
    BatchResult: {
      type: "object",
      required: ["results", "model_version", "backend"],
      properties: {
        results: {
          type: "array",
          items: {
            oneOf: [
              ref("Prediction"),
              {
                type: "object",
                description: "A file that failed: the status and detail its own request would have had",
                required: ["error"],
                properties: {
                  error: {
                    type: "object",
                    required: ["status", "detail"],
                    properties: { status: { type: "integer" }, detail: { type: "string" } },
                  },
                },
              },
            ],
          },
        },
        model_version: { type: "string" },
        backend: { type: "string" },
        timings_ms: { type: "object", properties: { total: { type: "number" } } },
      },
    },
    JsonImage: {
      type: "object",
      required: ["image"],
      description: "784 numbers, or 28 rows of 28: grey levels 0–1, or 0–255 when any value is above 1. " +
        "Either polarity; the image is pre-processed like an upload.",
      properties: {
        image: {
          oneOf: [
            { type: "array", items: { type: "number" }, minItems: 784, maxItems: 784 },
            {
              type: "array",
              minItems: 28,
              maxItems: 28,
              items: { type: "array", items: { type: "number" }, minItems: 28, maxItems: 28 },
            },
          ],
        },
      },
    },
    Health: {
      type: "object",
      required: ["status", "service", "model_version"],
      properties: {
        status: { const: "healthy" },
        service: { const: "mnist-backend" },
        model_version: { type: ["string", "null"] },
      },
    },
    Readiness: {
      type: "object",
      required: ["ready", "draining", "model_loaded"],
      properties: {
        ready: { type: "boolean" },
        draining: { type: "boolean" },
        model_loaded: { type: "boolean" },
      },
    },
    Info: {
      type: "object",
      required: ["version", "service", "model", "model_info", "backend", "runtime", "limits"],
      properties: {
        version: { type: "string" },
        service: { const: "mnist-backend" },
        model: { type: ["string", "null"] },
        model_info: { type: ["object", "null"] },
        backend: {
          type: "object",
          required: ["name", "requested", "attempts"],
          properties: {
            name: { type: ["string", "null"] },
            requested: { type: ["string", "array"], items: { type: "string" } },
            attempts: { type: "array" },
            routing: { type: ["object", "null"] },
          },
        },
        model_reloads: { type: "array" },
        runtime: { type: "object" },
        limits: {
          type: "object",
          required: ["max_upload_bytes", "max_pixels", "max_batch_files"],
          properties: {
            max_upload_bytes: { type: "integer" },
            max_pixels: { type: "integer" },
            max_batch_files: { type: "integer" },
            max_inflight_per_worker: { type: "integer" },
            body_timeout_ms: { type: "integer" },
          },
        },
      },
    },
    Index: {
      type: "object",
      required: ["message", "endpoints"],
      properties: {
        message: { type: "string" },
        endpoints: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    ProblemDetails: {
      type: "object",
      description: "RFC 9457 problem details; `detail` is the old service's message",
      required: ["type", "title", "status", "detail"],
      properties: {
        type: { type: "string" },
        title: { type: "string" },
        status: { type: "integer" },
        detail: { type: "string" },
        request_id: { type: "string" },
      },
    },
  };
}
