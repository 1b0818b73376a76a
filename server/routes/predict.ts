/**
 * `POST /api/v1/predict` and `/api/v1/predict/batch`: bytes → pixels → prediction → JSON.
 *
 * Accepts a multipart `file` (the old service's form), a JSON `{"image": [...]}`, or a
 * raw body with an `image/*` content type.
 * @module
 */

import { type Pixels, type Prediction, preprocess } from "../../src/mod.ts";
import { readBody, readForm } from "../http/body.ts";
import type { FormPart } from "../http/multipart.ts";
import { HttpError, statusOf } from "../http/errors.ts";
import { HEADER, json, STATUS } from "../http/status.ts";
import type { Context, RanOn } from "../cluster/context.ts";

/** Timings of one request, in milliseconds. */
interface Timings {
  decode: number;
  preprocess: number;
  inference: number;
  total: number;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** One prediction in the old service's JSON keys, plus whether it is a digit at all. */
function predictionJson(p: Prediction) {
  return {
    predicted_class: p.predictedClass,
    confidence: p.confidence,
    probabilities: p.probabilities,
    is_digit: p.isDigit,
    digit_score: p.digitScore,
  };
}

/** A single prediction's answer: the prediction, model version, backend and timings. */
function toJson(p: Prediction, ran: RanOn, timings: Timings) {
  return {
    ...predictionJson(p),
    model_version: ran.modelVersion,
    backend: ran.backend,
    timings_ms: {
      decode: round(timings.decode),
      preprocess: round(timings.preprocess),
      inference: round(timings.inference),
      total: round(timings.total),
    },
  };
}

/** A JSON image: 784 numbers or 28×28 nested, 0–1 or 0–255 (when any value is above 1). */
function jsonToPixels(body: unknown): Pixels {
  const image = (body as { image?: unknown } | null)?.image;
  if (!Array.isArray(image)) {
    throw new HttpError(
      STATUS.UnprocessableContent,
      `JSON body needs an "image" array of 784 numbers or 28×28`,
    );
  }
  const flat: unknown[] = image.length === 28 && image.every((r) => Array.isArray(r) && r.length === 28)
    ? image.flat()
    : image;
  if (flat.length !== 784) {
    throw new HttpError(
      STATUS.UnprocessableContent,
      `"image" must hold 784 numbers or 28 rows of 28, got ${image.length} items`,
    );
  }
  let max = 0;
  for (const v of flat) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 255) {
      throw new HttpError(STATUS.UnprocessableContent, `"image" values must be numbers from 0 to 255`);
    }
    if (v > max) max = v;
  }
  const scale = max > 1 ? 1 : 255;
  const data = new Uint8Array(784);
  for (let i = 0; i < 784; i++) data[i] = Math.round((flat[i] as number) * scale);
  return { width: 28, height: 28, channels: 1, data };
}

/** The bytes of a form's `file` parts, refusing a `file` field that is not a file upload. */
function fileParts(form: FormPart[]): Uint8Array[] {
  const parts = form.filter((p) => p.name === "file");
  if (parts.length === 0) {
    throw new HttpError(STATUS.UnprocessableContent, `Missing multipart field "file"`);
  }
  return parts.map((p) => {
    if (p.filename === undefined) {
      throw new HttpError(STATUS.UnprocessableContent, `Field "file" must be a file upload`);
    }
    return p.data;
  });
}

/** Decode the request into one or more images' pixels. */
async function requestPixels(req: Request, ctx: Context, many: boolean): Promise<(() => Promise<Pixels>)[]> {
  const type = (req.headers.get(HEADER.ContentType) ?? "").toLowerCase();
  const limits = { maxBytes: ctx.config.maxUploadBytes, timeoutMs: ctx.config.bodyTimeoutMs };
  const decoder = (bytes: Uint8Array) => () => ctx.decode(bytes);
  if (type.startsWith("multipart/form-data")) {
    const files = fileParts(await readForm(req, limits));
    if (!many && files.length > 1) {
      throw new HttpError(
        STATUS.UnprocessableContent,
        `Send one "file" here; use /api/v1/predict/batch for several`,
      );
    }
    if (files.length > ctx.config.maxBatchFiles) {
      throw new HttpError(
        STATUS.ContentTooLarge,
        `${files.length} files is over the limit of ${ctx.config.maxBatchFiles} per request`,
      );
    }
    return files.map(decoder);
  }
  if (many) {
    await req.body?.cancel();
    throw new HttpError(
      STATUS.UnsupportedMediaType,
      'Batch requests must be multipart/form-data with "file" parts',
    );
  }
  if (type.startsWith("application/json")) {
    const bytes = await readBody(req, limits);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new HttpError(STATUS.BadRequest, `Malformed JSON: ${(e as Error).message}`);
    }
    const pixels = jsonToPixels(body);
    return [() => Promise.resolve(pixels)];
  }
  if (type.startsWith("image/")) return [decoder(await readBody(req, limits))];
  await req.body?.cancel();
  throw new HttpError(
    STATUS.UnsupportedMediaType,
    `Unsupported content type "${type || "(none)"}": send multipart/form-data with a "file", ` +
      `application/json with an "image", or an image/* body`,
  );
}

/**
 * Handle `POST /api/v1/predict`.
 *
 * @param req The request.
 * @param ctx Server context.
 * @returns The prediction JSON.
 */
export async function predict(req: Request, ctx: Context): Promise<Response> {
  const start = performance.now();
  const [decode] = await requestPixels(req, ctx, false);
  const pixels = await decode();
  const decoded = performance.now();
  const input = preprocess(pixels);
  const preprocessed = performance.now();
  const { predictions, ...ran } = await ctx.classify([input]);
  const classified = performance.now();
  return json(toJson(predictions[0], ran, {
    decode: decoded - start,
    preprocess: preprocessed - decoded,
    inference: classified - preprocessed,
    total: performance.now() - start,
  }));
}

/** A failed batch item: the status and detail its own request would have had. */
function itemError(e: unknown, ctx: Context) {
  const status = statusOf(e);
  if (status === STATUS.InternalServerError) {
    ctx.log.error("batch item failed", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return { error: { status, detail: "Internal server error" } };
  }
  return { error: { status, detail: e instanceof HttpError ? e.detail : (e as Error).message } };
}

/**
 * Handle `POST /api/v1/predict/batch`: one result per file, in order; a file that
 * fails gets an `error` with its status and detail instead of a prediction.
 *
 * @param req The request.
 * @param ctx Server context.
 * @returns `{ results: [...] }`.
 */
export async function predictBatch(req: Request, ctx: Context): Promise<Response> {
  const start = performance.now();
  const decoders = await requestPixels(req, ctx, true);
  const items = await Promise.all(decoders.map(async (decode) => {
    try {
      return preprocess(await decode());
    } catch (e) {
      return itemError(e, ctx);
    }
  }));
  const inputs = items.filter((i): i is Float32Array => i instanceof Float32Array);
  // Every file failed: nothing to run (and no empty run to count in the metrics).
  const { predictions, modelVersion, backend } = inputs.length ? await ctx.classify(inputs) : {
    predictions: [],
    modelVersion: ctx.store.current.metadata.version,
    backend: ctx.store.current.backend,
  };
  let k = 0;
  const results = items.map((item) => {
    if (!(item instanceof Float32Array)) return item;
    return predictionJson(predictions[k++]);
  });
  return json({
    results,
    model_version: modelVersion,
    backend,
    timings_ms: { total: round(performance.now() - start) },
  });
}
