/**
 * The HTTP application, the composition root: the route table and the middleware chain,
 * as a plain `(Request) => Promise<Response>`. The plumbing is `http/`, the handlers are
 * `routes/`; only `cluster/server_worker.ts` listens.
 *
 * The chain, outermost first: request id → `Connection: close` while draining → metrics and
 * logs → HEAD → security headers → CORS (and preflights) → the one error path → URL limit → the
 * drain gate → router → load shedding → the route's handler. Each step is one file in `middleware/` (the router in `router.ts`).
 *
 * Runs in Deno.
 * @module
 */

import type { Context } from "./cluster/context.ts";
import { docsAssetRoute } from "./routes/api_docs.ts";
import { docsSlash, home, modelFile, redocPage, swaggerPage } from "./routes/assets.ts";
import { health, info, metrics, openapi, ready } from "./routes/meta.ts";
import { predict, predictBatch } from "./routes/predict.ts";
import * as v2 from "./routes/v2.ts";
import { compose, type Middleware } from "./http/compose.ts";
import { HttpError } from "./http/errors.ts";
import { connectionClose } from "./http/middleware/connection_close.ts";
import { cors } from "./http/middleware/cors.ts";
import { drainGate } from "./http/middleware/drain_gate.ts";
import { errorBoundary } from "./http/middleware/error_boundary.ts";
import { head } from "./http/middleware/head.ts";
import { observe } from "./http/middleware/observe.ts";
import { requestId } from "./http/middleware/request_id.ts";
import { securityHeaders } from "./http/middleware/security_headers.ts";
import { shed } from "./http/middleware/shed.ts";
import { urlLimit } from "./http/middleware/url_limit.ts";
import { type Route, route, router } from "./http/router.ts";
import { createStaticHandler, safeSegments } from "./http/static_files.ts";
import { STATUS } from "./http/status.ts";

/**
 * Build the request handler.
 *
 * @param ctx The worker's context.
 * @returns `(req) => Promise<Response>`; it never throws.
 */
export function createApp(ctx: Context): (req: Request) => Promise<Response> {
  const staticFiles = createStaticHandler(ctx.config.webDir);
  const heavy = { heavy: true };

  const routes: Route<Context>[] = [
    route("GET", "/", home(staticFiles)),
    route("GET", "/health", health),
    route("GET", "/ready", ready),
    route("GET", "/api/info", info),
    route("GET", "/metrics", metrics),
    route("GET", "/openapi.json", openapi),
    route("GET", "/docs", swaggerPage),
    route("GET", "/docs/", docsSlash),
    route("GET", "/redoc", redocPage),
    route("GET", "/docs/assets/{name}", docsAssetRoute),
    route("GET", "/model/{file}", modelFile),
    route("POST", "/api/v1/predict", predict, heavy),
    route("POST", "/api/v1/predict/batch", predictBatch, heavy),
    route("GET", "/v2", v2.serverMetadata),
    route("GET", "/v2/", v2.serverMetadata),
    route("GET", "/v2/health/live", v2.live),
    route("GET", "/v2/health/ready", v2.serverReady),
    route("GET", "/v2/models/{name}", (r, c, n) => v2.modelMetadata(r, c, n)),
    route("GET", "/v2/models/{name}/ready", (r, c, n) => v2.modelReady(r, c, n)),
    route("POST", "/v2/models/{name}/infer", (r, c, n) => v2.infer(r, c, n), heavy),
    route("GET", "/v2/models/{name}/versions/{version}", v2.modelMetadata),
    route("GET", "/v2/models/{name}/versions/{version}/ready", v2.modelReady),
    route("POST", "/v2/models/{name}/versions/{version}/infer", v2.infer, heavy),
  ];

  const chain: Middleware[] = [
    requestId(),
    connectionClose({ when: () => ctx.draining }),
    observe({ metrics: ctx.metrics, log: ctx.log }),
    head(),
    securityHeaders(),
    cors({ origins: ctx.config.corsOrigins }),
    errorBoundary({ log: ctx.log, formatFor: (path) => v2.isProtocolPath(path) ? "inference" : "problem" }),
    // Before the gate: a URL over the limit is refused before a held request's body is read.
    urlLimit({ max: 8192 }),
    drainGate({
      gate: ctx.gate,
      limits: { maxBytes: ctx.config.maxUploadBytes, timeoutMs: ctx.config.bodyTimeoutMs },
      maxHeld: ctx.config.maxInflight,
    }),
    router({
      routes,
      ctx,
      fallback: async (req, pathname) => {
        const res = await staticFiles(req, safeSegments(pathname));
        if (!res) throw new HttpError(STATUS.NotFound, `Not found: ${pathname}`);
        return res;
      },
    }),
    shed({
      limit: ctx.config.maxInflight,
      counter: ctx,
      ready: () => ctx.store.ready,
      onShed: () => ctx.metrics.shed.inc(),
    }),
  ];

  const run = compose(chain, (_req, state) => state.answer!());
  return (req) => run(req, { requestId: "", route: "unknown", start: performance.now(), heavy: false });
}
