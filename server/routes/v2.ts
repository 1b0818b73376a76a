/**
 * The Open Inference Protocol (KServe v2 / Triton) routes for this model, so their
 * standard clients work: health, model metadata and `infer` on a FP32 [N,1,28,28] tensor.
 * @module
 */

import { softmax } from "../../src/mod.ts";
import { readBody } from "../http/body.ts";
import type { Context } from "../cluster/context.ts";
import { SERVICE_VERSION } from "../cluster/context.ts";
import { HttpError } from "../http/errors.ts";
import { json, STATUS } from "../http/status.ts";

/** Names the model answers to: its metadata name, and `mnist`. */
function checkName(name: string, ctx: Context) {
  const m = ctx.store.ready ? ctx.store.current.metadata : undefined;
  if (name !== "mnist" && name !== m?.name) {
    throw new HttpError(
      STATUS.NotFound,
      `Unknown model "${name}": this server serves "mnist"${m ? ` (${m.name})` : ""}`,
    );
  }
}

/** `GET /v2`: server metadata. */
export function serverMetadata(): Response {
  return json({ name: "mnist-backend", version: SERVICE_VERSION, extensions: [] });
}

/** `GET /v2/health/live`. */
export function live(): Response {
  return json({ live: true });
}

/** `GET /v2/health/ready` and `GET /v2/models/{name}/ready`. */
export function ready(_req: Request, ctx: Context, name?: string): Response {
  if (name !== undefined) checkName(name, ctx);
  const ok = ctx.store.ready && !ctx.draining;
  return json({ ready: ok }, ok ? STATUS.OK : STATUS.ServiceUnavailable);
}

/** `GET /v2/models/{name}`: model metadata. */
export function modelMetadata(_req: Request, ctx: Context, name: string): Response {
  checkName(name, ctx);
  const m = ctx.store.current.metadata;
  return json({
    name: "mnist",
    versions: [m.version],
    platform: "onnx",
    inputs: [{ name: m.input.name, datatype: "FP32", shape: [-1, 1, 28, 28] }],
    outputs: [
      { name: m.output.name, datatype: "FP32", shape: [-1, m.labels.length] },
      { name: "probabilities", datatype: "FP32", shape: [-1, m.labels.length] },
    ],
  });
}

interface V2Input {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

/** `POST /v2/models/{name}/infer`. */
export async function infer(req: Request, ctx: Context, name: string): Promise<Response> {
  checkName(name, ctx);
  const limits = { maxBytes: ctx.config.maxUploadBytes, timeoutMs: ctx.config.bodyTimeoutMs };
  let body: { id?: unknown; inputs?: V2Input[]; outputs?: { name?: unknown }[] };
  try {
    body = JSON.parse(new TextDecoder().decode(await readBody(req, limits)));
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(STATUS.BadRequest, `Malformed JSON: ${(e as Error).message}`);
  }
  const input = Array.isArray(body?.inputs) ? body.inputs[0] : undefined;
  if (!input || typeof input !== "object") {
    throw new HttpError(STATUS.BadRequest, `"inputs" must hold one tensor`);
  }
  if (input.datatype !== "FP32") throw new HttpError(STATUS.BadRequest, `Input datatype must be "FP32"`);
  const shape = input.shape;
  if (
    !Array.isArray(shape) || shape.length !== 4 || shape.slice(1).join() !== "1,28,28" ||
    !Number.isInteger(shape[0]) || shape[0] < 1 || shape[0] > ctx.config.maxBatchFiles * 4
  ) {
    throw new HttpError(
      STATUS.BadRequest,
      `Input shape must be [N,1,28,28] with 1 ≤ N ≤ ${ctx.config.maxBatchFiles * 4}, got ${
        JSON.stringify(shape)
      }`,
    );
  }
  const n = shape[0] as number;
  const flat = Array.isArray(input.data) ? (input.data as unknown[]).flat(4) : [];
  if (flat.length !== n * 784 || !flat.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new HttpError(STATUS.BadRequest, `Input data must be ${n * 784} finite numbers`);
  }
  const data = Float32Array.from(flat as number[]);
  const inputs = Array.from({ length: n }, (_, i) => ({
    data: data.subarray(i * 784, (i + 1) * 784),
    normalised: true,
  }));
  const ran = await ctx.infer(inputs);
  const logits = new Float32Array(n * ran.classes);
  ran.logits.forEach((row, i) => logits.set(row, i * ran.classes));
  const classes = ran.classes;
  const all = [
    {
      name: ctx.store.current.metadata.output.name,
      datatype: "FP32",
      shape: [n, classes],
      data: Array.from(logits),
    },
    {
      name: "probabilities",
      datatype: "FP32",
      shape: [n, classes],
      data: Array.from(softmax(logits, classes)),
    },
  ];
  const wanted = Array.isArray(body.outputs) ? new Set(body.outputs.map((o) => o?.name)) : undefined;
  return json({
    model_name: "mnist",
    model_version: ran.modelVersion,
    ...(typeof body.id === "string" ? { id: body.id } : {}),
    outputs: wanted ? all.filter((o) => wanted.has(o.name)) : all,
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
