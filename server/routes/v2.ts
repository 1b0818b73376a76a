/**
 * The Open Inference Protocol (KServe v2 / Triton) routes for this model, so their
 * standard clients work: health, server and model metadata, model readiness and `infer`
 * on a FP32 [N,1,28,28] tensor, each model route also under `/versions/{version}` for the
 * live version. Inference runs through `ctx.infer` (backend routing, micro-batching,
 * metrics), as `/api/v1/predict` does. Triton's binary tensor data extension is
 * supported both ways (`v2_request.ts` reads requests, `v2_binary.ts` is the codec).
 *
 * Runs in Deno.
 * @module
 */

import { type ModelMetadata, PIXELS, softmax } from "../../src/mod.ts";
import { readBody } from "../http/body.ts";
import type { Context } from "../cluster/context.ts";
import { SERVICE_VERSION } from "../cluster/context.ts";
import { HttpError } from "../http/errors.ts";
import { HEADER, json, retryAfter, STATUS } from "../http/status.ts";
import { encodeBinary, FP32_BYTES } from "./v2_binary.ts";
import { parseInferRequest } from "./v2_request.ts";

/** The name clients address the model by (its metadata name works too). */
export const MODEL_NAME = "mnist";

/** The second output: softmax of the logits. */
const PROBABILITIES = "probabilities";

/** Extensions this server implements, as Triton names them in server metadata. */
const EXTENSIONS: readonly string[] = Object.freeze(["binary_tensor_data"]);

const RETRY = retryAfter();

/**
 * The live model's metadata, once `name` (and `version`, when given) address it.
 *
 * @throws {HttpError} 404 for another name or version; 503 before the model is loaded.
 */
function liveModel(ctx: Context, name: string, version?: string): ModelMetadata {
  const m = ctx.store.ready ? ctx.store.current.metadata : undefined;
  if (name !== MODEL_NAME && name !== m?.name) {
    throw new HttpError(
      STATUS.NotFound,
      `Unknown model "${name}": this server serves "${MODEL_NAME}"${m ? ` (${m.name})` : ""}`,
    );
  }
  if (!m) throw new HttpError(STATUS.ServiceUnavailable, "The model is not loaded yet", RETRY);
  if (version !== undefined && version !== m.version) {
    throw new HttpError(
      STATUS.NotFound,
      `Unknown version "${version}" of model "${MODEL_NAME}": the live version is "${m.version}"`,
    );
  }
  return m;
}

/** `GET /v2` and `GET /v2/`: server metadata. */
export function serverMetadata(): Response {
  return json({ name: "mnist-backend", version: SERVICE_VERSION, extensions: EXTENSIONS });
}

/** `GET /v2/health/live`. */
export function live(): Response {
  return json({ live: true });
}

/** `GET /v2/health/ready`: 200 `{"ready": true}`, else 503 with `"ready": false` and the reason. */
export function serverReady(_req: Request, ctx: Context): Response {
  if (ctx.store.ready && !ctx.draining) return json({ ready: true });
  const why = ctx.draining ? "the server is shutting down" : "the model is not loaded yet";
  throw new HttpError(STATUS.ServiceUnavailable, `Not ready: ${why}`, RETRY, { ready: false });
}

/** `GET /v2/models/{name}[/versions/{version}]/ready`: `{"name", "ready"}`. */
export function modelReady(_req: Request, ctx: Context, name: string, version?: string): Response {
  const notReady = (why: string) =>
    new HttpError(STATUS.ServiceUnavailable, `Model "${MODEL_NAME}" is not ready: ${why}`, RETRY, {
      name: MODEL_NAME,
      ready: false,
    });
  if (!ctx.store.ready && name === MODEL_NAME) throw notReady("it is not loaded yet");
  liveModel(ctx, name, version);
  if (ctx.draining) throw notReady("the server is shutting down");
  return json({ name: MODEL_NAME, ready: true });
}

/** `GET /v2/models/{name}[/versions/{version}]`: model metadata. */
export function modelMetadata(_req: Request, ctx: Context, name: string, version?: string): Response {
  const m = liveModel(ctx, name, version);
  const classes = m.labels.length;
  return json({
    name: MODEL_NAME,
    versions: [m.version],
    platform: "onnx_onnxv1",
    inputs: [{ name: m.input.name, datatype: "FP32", shape: [-1, 1, 28, 28] }],
    outputs: [
      { name: m.output.name, datatype: "FP32", shape: [-1, classes] },
      { name: PROBABILITIES, datatype: "FP32", shape: [-1, classes] },
    ],
  });
}

/** `POST /v2/models/{name}[/versions/{version}]/infer`. */
export async function infer(req: Request, ctx: Context, name: string, version?: string): Promise<Response> {
  const m = liveModel(ctx, name, version);
  const body = await readBody(req, {
    maxBytes: ctx.config.maxUploadBytes,
    timeoutMs: ctx.config.bodyTimeoutMs,
  });
  const request = parseInferRequest(body, req.headers.get(HEADER.InferenceHeaderContentLength), {
    input: m.input.name,
    outputs: [m.output.name, PROBABILITIES],
    maxBatch: ctx.config.maxBatchFiles * 4,
  });
  const { n, data } = request;
  const ran = await ctx.infer(Array.from({ length: n }, (_, i) => ({
    data: data.subarray(i * PIXELS, (i + 1) * PIXELS),
    normalised: true,
  })));
  const classes = ran.classes;
  const logits = new Float32Array(n * classes);
  // The class logits only: a "not a digit" column stays out of the protocol's [N, 10] outputs.
  ran.outputs.forEach((row, i) => logits.set(row.subarray(0, classes), i * classes));
  const tensorOf = (o: string) => o === PROBABILITIES ? softmax(logits, classes) : logits;

  const binary: Float32Array[] = [];
  const outputs = request.outputs.map((o) => {
    const t = tensorOf(o.name);
    const head = { name: o.name, datatype: "FP32", shape: [n, classes] };
    if (!o.binary) return { ...head, data: Array.from(t) };
    binary.push(t);
    return { ...head, parameters: { binary_data_size: t.length * FP32_BYTES } };
  });
  // The protocol's text makes `id` optional in the response; KServe's data model requires it.
  const header = {
    model_name: MODEL_NAME,
    model_version: ran.modelVersion,
    id: request.id ?? crypto.randomUUID(),
    outputs,
  };
  if (binary.length === 0) return json(header);
  const encoded = encodeBinary(header, binary);
  return new Response(encoded.body, {
    headers: {
      [HEADER.ContentType]: "application/octet-stream",
      [HEADER.InferenceHeaderContentLength]: String(encoded.headerLength),
    },
  });
}

/**
 * Whether a path is one of the protocol's (`/v2`, `/v2/…`): its errors are `{"error": …}`.
 *
 * @param pathname The request's path.
 * @returns True for the protocol's paths.
 */
export function isProtocolPath(pathname: string): boolean {
  return pathname === "/v2" || pathname.startsWith("/v2/");
}
