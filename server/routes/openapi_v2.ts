/**
 * The Open Inference Protocol's part of the OpenAPI document: its paths (each model
 * route also under `/versions/{version}`), their statuses, and its schemas, named after
 * the protocol's objects (kserve/open-inference-protocol `open_inference_rest.yaml`) plus
 * Triton's binary tensor data extension. Errors on these paths are the protocol's
 * `{"error": "<message>"}`, so every error here, 414 included, uses that schema.
 *
 * Runs in Deno.
 * @module
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ "application/json": { schema } });

/** Why each error status is answered on the protocol's paths. */
const WHY: Record<number, string> = {
  400: "Malformed request: the body, a tensor, an unknown input or output, or percent-encoding in the path",
  404: "Unknown model, or a version other than the live one",
  408: "The body was not received in time (BODY_TIMEOUT_MS)",
  413: "Body over MAX_UPLOAD_BYTES",
  414: "URL longer than 8192 characters",
  503: "At capacity (MAX_INFLIGHT), or the model is not loaded yet; retry after Retry-After seconds",
};

/** The protocol's error responses for `codes`. */
function errors(...codes: number[]): Record<string, unknown> {
  return Object.fromEntries(
    codes.map((c) => [String(c), { description: WHY[c], content: json(ref("InferenceErrorResponse")) }]),
  );
}

function op(o: { responses: Record<string, unknown>; [key: string]: unknown }) {
  return { tags: ["v2"], ...o, responses: { ...o.responses, ...errors(414) } };
}

const ok = (schema: unknown) => ({ "200": { description: "OK", content: json(schema) } });
const name = { name: "name", in: "path", required: true, schema: { type: "string" }, description: "`mnist`" };
const version = {
  name: "version",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "The live version, as model metadata's `versions` lists it",
};
const HEADER_LENGTH = "Inference-Header-Content-Length";
const notReady = (schema: string) => ({
  "503": {
    description: "Not ready: the model is loading, or the server is draining",
    content: json({ allOf: [ref("InferenceErrorResponse"), ref(schema)] }),
  },
});

/** The model routes, with or without `/versions/{version}`. */
function modelRoutes(base: string, params: unknown[], id: string): Record<string, unknown> {
  return {
    [base]: {
      get: op({
        summary: "Model metadata",
        operationId: `v2ModelMetadata${id}`,
        parameters: params,
        responses: { ...ok(ref("ModelMetadataResponse")), ...errors(400, 404, 503) },
      }),
    },
    [`${base}/ready`]: {
      get: op({
        summary: "Model readiness",
        operationId: `v2ModelReady${id}`,
        parameters: params,
        responses: {
          ...ok(ref("ModelReadyResponse")),
          ...errors(400, 404),
          ...notReady("ModelReadyResponse"),
        },
      }),
    },
    [`${base}/infer`]: {
      post: op({
        summary: "Inference on a FP32 tensor [N,1,28,28], normalised with the model's mean/std",
        description:
          "A JSON `$inference_request`, or Triton's binary tensor data extension: the JSON, then " +
          `raw little-endian FP32, with \`${HEADER_LENGTH}\` giving the JSON's length (0: the tensor alone, ` +
          "batch 1). Outputs come back as binary when the request's `parameters.binary_data_output` or " +
          "an output's `parameters.binary_data` is true.",
        operationId: `v2Infer${id}`,
        parameters: [
          ...params,
          {
            name: HEADER_LENGTH,
            in: "header",
            required: false,
            schema: { type: "integer", minimum: 0 },
            description: "Length in bytes of the JSON header, when binary tensor data follows it",
          },
        ],
        requestBody: {
          required: true,
          content: {
            ...json(ref("InferenceRequest")),
            "application/octet-stream": {
              schema: {
                type: "string",
                format: "binary",
                description: `An InferenceRequest of ${HEADER_LENGTH} bytes, then each binary input's bytes`,
              },
            },
          },
        },
        responses: {
          "200": {
            description: "The outputs: JSON, or (any binary output) the JSON header then the binary outputs",
            headers: {
              [HEADER_LENGTH]: {
                description: "Length in bytes of the JSON header (binary responses only)",
                schema: { type: "integer", minimum: 0 },
              },
            },
            content: {
              ...json(ref("InferenceResponse")),
              "application/octet-stream": {
                schema: {
                  type: "string",
                  format: "binary",
                  description:
                    `An InferenceResponse of ${HEADER_LENGTH} bytes, then each binary output's bytes`,
                },
              },
            },
          },
          ...errors(400, 404, 408, 413, 503),
        },
      }),
    },
  };
}

/**
 * The protocol's paths.
 *
 * @returns OpenAPI path items, keyed by path.
 */
export function v2Paths(): Record<string, unknown> {
  const serverMetadata = (id: string) => ({
    get: op({
      summary: "Open Inference Protocol server metadata (extensions: binary_tensor_data)",
      operationId: `v2ServerMetadata${id}`,
      responses: ok(ref("ServerMetadataResponse")),
    }),
  });
  return {
    "/v2": serverMetadata(""),
    "/v2/": serverMetadata("Slash"),
    "/v2/health/live": {
      get: op({
        summary: "Open Inference Protocol liveness",
        operationId: "v2Live",
        responses: ok(ref("ServerLiveResponse")),
      }),
    },
    "/v2/health/ready": {
      get: op({
        summary: "Open Inference Protocol readiness",
        operationId: "v2Ready",
        responses: { ...ok(ref("ServerReadyResponse")), ...notReady("ServerReadyResponse") },
      }),
    },
    ...modelRoutes("/v2/models/{name}", [name], ""),
    ...modelRoutes("/v2/models/{name}/versions/{version}", [name, version], "Versioned"),
  };
}

/**
 * The protocol's schemas.
 *
 * @param maxBatch Most images per request.
 * @returns Schemas keyed by name.
 */
export function v2Schemas(maxBatch: number): Record<string, unknown> {
  const string = { type: "string" };
  const shape = { type: "array", items: { type: "integer" } };
  const binarySize = { type: "integer", minimum: 0, description: "Binary tensor data extension: bytes" };
  /** A `parameters` object: the protocol's free-form parameters, with the ones this server reads. */
  const parameters = (properties: Record<string, unknown>) => ({
    allOf: [ref("Parameters")],
    type: "object",
    properties,
  });
  // A tensor is JSON `data`, or binary data whose size `parameters.binary_data_size` gives.
  const dataOrBinary = [
    { required: ["data"], properties: { data: ref("TensorData") } },
    {
      required: ["parameters"],
      properties: {
        parameters: {
          type: "object",
          required: ["binary_data_size"],
          properties: { binary_data_size: binarySize },
        },
      },
    },
  ];
  return {
    ServerMetadataResponse: {
      type: "object",
      required: ["name", "version", "extensions"],
      properties: { name: string, version: string, extensions: { type: "array", items: string } },
    },
    ServerLiveResponse: { type: "object", required: ["live"], properties: { live: { type: "boolean" } } },
    ServerReadyResponse: { type: "object", required: ["ready"], properties: { ready: { type: "boolean" } } },
    ModelReadyResponse: {
      type: "object",
      required: ["name", "ready"],
      properties: { name: string, ready: { type: "boolean" } },
    },
    MetadataTensor: {
      type: "object",
      required: ["name", "datatype", "shape"],
      properties: { name: string, datatype: string, shape },
    },
    ModelMetadataResponse: {
      type: "object",
      required: ["name", "versions", "platform", "inputs", "outputs"],
      properties: {
        name: string,
        versions: { type: "array", items: string },
        platform: string,
        inputs: { type: "array", items: ref("MetadataTensor") },
        outputs: { type: "array", items: ref("MetadataTensor") },
      },
    },
    Parameters: {
      type: "object",
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    TensorData: {
      type: "array",
      description: "Row-major values, flat or nested",
      items: { anyOf: [ref("TensorData"), { type: "number" }] },
    },
    RequestInput: {
      type: "object",
      required: ["name", "shape", "datatype"],
      anyOf: dataOrBinary,
      properties: {
        name: { const: "input" },
        shape: {
          ...shape,
          minItems: 4,
          maxItems: 4,
          description: `[N, 1, 28, 28] with 1 ≤ N ≤ ${maxBatch}`,
        },
        datatype: { const: "FP32" },
        parameters: parameters({ binary_data_size: binarySize }),
        data: ref("TensorData"),
      },
    },
    RequestOutput: {
      type: "object",
      required: ["name"],
      properties: {
        name: { enum: ["logits", "probabilities"] },
        parameters: parameters({
          binary_data: { type: "boolean", description: "Return this output as binary" },
        }),
      },
    },
    InferenceRequest: {
      type: "object",
      required: ["inputs"],
      properties: {
        id: string,
        parameters: parameters({
          binary_data_output: { type: "boolean", description: "Return every output as binary" },
        }),
        inputs: { type: "array", minItems: 1, maxItems: 1, items: ref("RequestInput") },
        outputs: { type: "array", items: ref("RequestOutput") },
      },
    },
    ResponseOutput: {
      type: "object",
      required: ["name", "shape", "datatype"],
      anyOf: dataOrBinary,
      properties: {
        name: string,
        shape,
        datatype: string,
        parameters: parameters({ binary_data_size: binarySize }),
        data: ref("TensorData"),
      },
    },
    InferenceResponse: {
      type: "object",
      required: ["model_name", "model_version", "id", "outputs"],
      properties: {
        model_name: string,
        model_version: string,
        id: { ...string, description: "The request's id, or one the server made" },
        parameters: ref("Parameters"),
        outputs: { type: "array", items: ref("ResponseOutput") },
      },
    },
    InferenceErrorResponse: {
      type: "object",
      required: ["error"],
      description: 'The protocol\'s `{"error": "<message>"}`; `detail`, `status` and `request_id` are ours',
      properties: { error: string, detail: string, status: { type: "integer" }, request_id: string },
    },
  };
}
