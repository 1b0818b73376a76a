/**
 * The OpenAPI 3.1 description of every route, served at `/openapi.json` and shown
 * by `/docs` (Swagger UI) and `/redoc` (ReDoc).
 *
 * Runs in Deno.
 * @module
 */

const problem = { $ref: "#/components/responses/Problem" };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));
const jsonOk = (schema: unknown, description = "OK") => ({
  "200": { description, content: { "application/json": { schema } } },
});

/**
 * Build the OpenAPI document.
 *
 * @param version Service version.
 * @param limits Limits in force, quoted in descriptions.
 * @returns The document.
 */
export function openApiDocument(
  version: string,
  limits: { maxUploadBytes: number; maxPixels: number; maxBatchFiles: number },
): Record<string, unknown> {
  const imageUpload = {
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["file"],
        properties: { file: { type: "string", format: "binary", description: "PNG, JPEG, GIF or BMP" } },
      },
    },
    "application/json": { schema: { $ref: "#/components/schemas/JsonImage" } },
    "image/png": { schema: { type: "string", format: "binary" } },
    "image/jpeg": { schema: { type: "string", format: "binary" } },
    "image/gif": { schema: { type: "string", format: "binary" } },
    "image/bmp": { schema: { type: "string", format: "binary" } },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "MNIST digit recognition API",
      version,
      description: "Classifies a handwritten digit. Drop-in replacement of the FastAPI service: " +
        "`POST /api/v1/predict` with a multipart `file` answers `predicted_class`, `confidence` and " +
        `\`probabilities\`. Limits: body ${limits.maxUploadBytes} bytes, ${limits.maxPixels} pixels ` +
        `per image, ${limits.maxBatchFiles} files per batch. Errors are RFC 9457 problem details ` +
        "with a `detail` message.",
    },
    paths: {
      "/api/v1/predict": {
        post: {
          summary: "Classify one digit image",
          operationId: "predict",
          tags: ["predict"],
          requestBody: { required: true, content: imageUpload },
          responses: {
            ...jsonOk({ $ref: "#/components/schemas/Prediction" }),
            ...errors(400, 408, 413, 415, 422, 503),
          },
        },
      },
      "/api/v1/predict/batch": {
        post: {
          summary: "Classify several images (repeated multipart field `file`), one result each, in order",
          operationId: "predictBatch",
          tags: ["predict"],
          requestBody: {
            required: true,
            content: {
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
            },
          },
          responses: {
            ...jsonOk({ $ref: "#/components/schemas/BatchResult" }),
            ...errors(400, 408, 413, 415, 422, 503),
          },
        },
      },
      "/health": {
        get: {
          summary: "Liveness (answers while the process runs)",
          operationId: "health",
          tags: ["operations"],
          responses: jsonOk({
            type: "object",
            properties: {
              status: { const: "healthy" },
              service: { const: "mnist-backend" },
              model_version: { type: ["string", "null"] },
            },
          }),
        },
      },
      "/ready": {
        get: {
          summary: "Readiness: 200 once the model is loaded and warmed up, 503 before and while draining",
          operationId: "ready",
          tags: ["operations"],
          responses: { ...jsonOk({ type: "object" }), ...errors(503) },
        },
      },
      "/api/info": {
        get: {
          summary: "Service, model, backend and limits",
          operationId: "info",
          tags: ["operations"],
          responses: jsonOk({ type: "object" }),
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics (text exposition format)",
          operationId: "metrics",
          tags: ["operations"],
          responses: {
            "200": { description: "OK", content: { "text/plain": { schema: { type: "string" } } } },
          },
        },
      },
      "/": {
        get: {
          summary: "The drawing page (Accept: text/html) or a JSON index of the endpoints",
          operationId: "index",
          tags: ["operations"],
          responses: { "200": { description: "OK", content: { "text/html": {}, "application/json": {} } } },
        },
      },
      "/model/{file}": {
        get: {
          summary: "The live model's files (convnet.json and the ONNX file it names), used by the page",
          operationId: "modelFile",
          tags: ["operations"],
          parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "OK" }, ...errors(404) },
        },
      },
      "/v2/health/live": {
        get: {
          summary: "Open Inference Protocol liveness",
          operationId: "v2Live",
          tags: ["v2"],
          responses: jsonOk({}),
        },
      },
      "/v2/health/ready": {
        get: {
          summary: "Open Inference Protocol readiness",
          operationId: "v2Ready",
          tags: ["v2"],
          responses: { ...jsonOk({}), ...errors(503) },
        },
      },
      "/v2/models/{name}": {
        get: {
          summary: "Model metadata (name: the model's name or `mnist`)",
          operationId: "v2ModelMetadata",
          tags: ["v2"],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { ...jsonOk({ type: "object" }), ...errors(404) },
        },
      },
      "/v2/models/{name}/ready": {
        get: {
          summary: "Model readiness",
          operationId: "v2ModelReady",
          tags: ["v2"],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          responses: { ...jsonOk({}), ...errors(404, 503) },
        },
      },
      "/v2/models/{name}/infer": {
        post: {
          summary: "Inference on a FP32 tensor [N,1,28,28], normalised with the model's mean/std",
          operationId: "v2Infer",
          tags: ["v2"],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/V2InferRequest" } } },
          },
          responses: { ...jsonOk({ type: "object" }), ...errors(400, 404, 413, 503) },
        },
      },
    },
    components: {
      schemas: {
        Prediction: {
          type: "object",
          required: ["predicted_class", "confidence", "probabilities"],
          properties: {
            predicted_class: { type: "integer", minimum: 0, maximum: 9 },
            confidence: { type: "number" },
            probabilities: { type: "array", items: { type: "number" }, minItems: 10, maxItems: 10 },
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
          properties: {
            results: {
              type: "array",
              items: {
                oneOf: [
                  { $ref: "#/components/schemas/Prediction" },
                  {
                    type: "object",
                    properties: {
                      error: {
                        type: "object",
                        properties: { status: { type: "integer" }, detail: { type: "string" } },
                      },
                    },
                  },
                ],
              },
            },
            model_version: { type: "string" },
            backend: { type: "string" },
          },
        },
        JsonImage: {
          type: "object",
          required: ["image"],
          description:
            "784 numbers, or 28 rows of 28: grey levels 0–1, or 0–255 when any value is above 1. " +
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
        V2InferRequest: {
          type: "object",
          required: ["inputs"],
          properties: {
            id: { type: "string" },
            inputs: {
              type: "array",
              items: {
                type: "object",
                required: ["name", "shape", "datatype", "data"],
                properties: {
                  name: { type: "string" },
                  shape: { type: "array", items: { type: "integer" } },
                  datatype: { const: "FP32" },
                  data: { type: "array" },
                },
              },
            },
          },
        },
        ProblemDetails: {
          type: "object",
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            request_id: { type: "string" },
          },
        },
      },
      responses: {
        Problem: {
          description: "Error (problem details)",
          content: {
            "application/problem+json": { schema: { $ref: "#/components/schemas/ProblemDetails" } },
          },
        },
      },
    },
  };
}
