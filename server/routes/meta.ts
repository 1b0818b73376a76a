/**
 * Operational routes: `/`, `/health`, `/ready`, `/api/info`, `/metrics`, `/openapi.json`.
 * @module
 */

import { detectEnv } from "../../src/mod.ts";
import type { Context } from "../cluster/context.ts";
import { SERVICE_VERSION } from "../cluster/context.ts";
import { json, retryAfter, STATUS } from "../http/status.ts";
import { openApiDocument } from "./openapi.ts";

/** `GET /` for API clients: the old service's banner, with every endpoint. */
export function index(): Response {
  return json({
    message: "API de classification MNIST",
    endpoints: {
      predict: "/api/v1/predict",
      predict_batch: "/api/v1/predict/batch",
      health: "/health",
      ready: "/ready",
      info: "/api/info",
      metrics: "/metrics",
      openapi: "/openapi.json",
      docs: "/docs",
      redoc: "/redoc",
      v2: "/v2/models/mnist",
    },
  });
}

/** `GET /health`: liveness; the old body plus the model version. */
export function health(_req: Request, ctx: Context): Response {
  return json({
    status: "healthy",
    service: "mnist-backend",
    model_version: ctx.store.ready ? ctx.store.current.metadata.version : null,
  });
}

/** `GET /ready`: 200 once the model is loaded and warmed up; 503 before and while draining. */
export function ready(_req: Request, ctx: Context): Response {
  const ok = ctx.store.ready && !ctx.draining;
  return json(
    { ready: ok, draining: ctx.draining, model_loaded: ctx.store.ready },
    ok ? STATUS.OK : STATUS.ServiceUnavailable,
    ok ? {} : retryAfter(),
  );
}

/** `GET /api/info`: service, model, backend and why, runtime, limits, reload history. */
export function info(_req: Request, ctx: Context): Response {
  const c = ctx.store.ready ? ctx.store.current : undefined;
  const m = c?.metadata;
  const { config } = ctx;
  return json({
    version: SERVICE_VERSION,
    model: m?.name ?? null,
    service: "mnist-backend",
    model_info: m
      ? {
        name: m.name,
        version: m.version,
        sha256: m.sha256,
        parameters: m.parameters,
        test_accuracy: m.test?.accuracy,
        input: m.input,
        output: m.output,
        normalization: m.normalization,
        // The "not a digit" output's calibrated threshold and where it came from (docs/model.md).
        not_digit: m.not_digit ?? null,
      }
      : null,
    backend: {
      name: c?.backend ?? null,
      requested: config.autoBackend ? "auto" : config.backends,
      attempts: c?.attempts ?? [],
      routing: c ? ctx.router?.info ?? null : null,
    },
    model_reloads: ctx.store.history,
    runtime: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      onnxruntime_web: c?.runtimeVersion ?? null,
      os: Deno.build.os,
      arch: Deno.build.arch,
      cores: detectEnv().cores,
      workers: config.workers,
    },
    limits: {
      max_upload_bytes: config.maxUploadBytes,
      max_pixels: config.maxPixels,
      max_batch_files: config.maxBatchFiles,
      max_inflight_per_worker: config.maxInflight,
      body_timeout_ms: config.bodyTimeoutMs,
    },
  });
}

/** `GET /metrics`: Prometheus text, merged across workers. */
export async function metrics(_req: Request, ctx: Context): Promise<Response> {
  const { text, contentType } = ctx.gatherMetrics
    ? await ctx.gatherMetrics()
    : { text: await ctx.metrics.registry.metrics(), contentType: ctx.metrics.registry.contentType };
  return new Response(text, { headers: { "content-type": contentType } });
}

/** `GET /openapi.json`. */
export function openapi(_req: Request, ctx: Context): Response {
  return json(openApiDocument(SERVICE_VERSION, ctx.config));
}
