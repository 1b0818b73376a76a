/**
 * The HTTP application: a plain `(Request) => Promise<Response>` built from a route
 * table and an ordered list of small middlewares. Only `main.ts`/`worker.ts` listen.
 *
 * Runs in Deno.
 * @module
 */

import type { Context } from "../cluster/context.ts";
import { DOCS_CSP, docsAsset, REDOC_HTML, SWAGGER_HTML } from "../routes/api_docs.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { HEADER, STATUS } from "./status.ts";
import { health, index, info, metrics, openapi, ready } from "../routes/meta.ts";
import { predict, predictBatch } from "../routes/predict.ts";
import * as v2 from "../routes/v2.ts";
import { createStaticHandler, MIME, safeSegments } from "./static_files.ts";

/** A route handler; `params` holds the path's `{name}` captures in order. */
type Handler = (req: Request, ctx: Context, ...params: string[]) => Response | Promise<Response>;

interface Route {
  method: "GET" | "POST";
  /** Label for metrics and logs, e.g. `/v2/models/{name}`. */
  name: string;
  pattern: RegExp;
  handler: Handler;
  /** Counted against the in-flight limit and shed under overload. */
  heavy?: boolean;
}

const route = (method: Route["method"], name: string, handler: Handler, heavy = false): Route => ({
  method,
  name,
  pattern: new RegExp("^" + name.replace(/\{[a-z]+\}/g, "([^/]+)") + "$"),
  handler,
  heavy,
});

/** CSP of the drawing page: its own scripts, WASM compilation, nothing from elsewhere. */
export const PAGE_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

/** Headers on every response. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Cross-origin isolation lets the page's WASM use threads.
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
});

const MAX_URL = 8192;
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Build the request handler.
 *
 * @param ctx The worker's context.
 * @returns `(req) => Promise<Response>`; it never throws.
 */
export function createApp(ctx: Context): (req: Request) => Promise<Response> {
  const staticFiles = createStaticHandler(ctx.config.webDir);

  async function page(req: Request): Promise<Response> {
    const res = await staticFiles(req, ["index.html"]);
    if (!res) throw new HttpError(STATUS.NotFound, "The page is not built: run `deno task build`");
    return res;
  }

  function modelFile(req: Request, c: Context, file: string): Response {
    const f = c.store.ready ? c.store.files : undefined;
    const body = f &&
      (file === "convnet.json" ? f.json : file === c.store.current.metadata.file ? f.onnx : undefined);
    if (!body) throw new HttpError(STATUS.NotFound, `No model file "${file}"`);
    const ext = file.slice(file.lastIndexOf(".") + 1);
    const headers = {
      [HEADER.ContentType]: MIME[ext] ?? "application/octet-stream",
      [HEADER.CacheControl]: "no-cache",
      [HEADER.ETag]: `"${c.store.current.metadata.sha256}-${file === "convnet.json" ? "json" : "onnx"}"`,
    };
    if (req.headers.get(HEADER.IfNoneMatch) === headers[HEADER.ETag]) {
      return new Response(null, { status: STATUS.NotModified, headers });
    }
    return new Response(body as BodyInit, { headers });
  }

  const routes: Route[] = [
    route(
      "GET",
      "/",
      (req) => (req.headers.get(HEADER.Accept) ?? "").includes("text/html") ? page(req) : index(),
    ),
    route("GET", "/health", health),
    route("GET", "/ready", ready),
    route("GET", "/api/info", info),
    route("GET", "/metrics", metrics),
    route("GET", "/openapi.json", openapi),
    route("GET", "/docs", () => html(SWAGGER_HTML, DOCS_CSP)),
    route("GET", "/redoc", () => html(REDOC_HTML, DOCS_CSP)),
    route("GET", "/docs/assets/{name}", async (_r, _c, name) => {
      const res = await docsAsset(name);
      if (!res) throw new HttpError(STATUS.NotFound, `No docs asset "${name}"`);
      return res;
    }),
    route("GET", "/model/{file}", modelFile),
    route("POST", "/api/v1/predict", predict, true),
    route("POST", "/api/v1/predict/batch", predictBatch, true),
    route("GET", "/v2", v2.serverMetadata),
    route("GET", "/v2/health/live", v2.live),
    route("GET", "/v2/health/ready", (r, c) => v2.ready(r, c)),
    route("GET", "/v2/models/{name}", v2.modelMetadata),
    route("GET", "/v2/models/{name}/ready", (r, c, n) => v2.ready(r, c, n)),
    route("POST", "/v2/models/{name}/infer", v2.infer, true),
  ];

  /** Find the route; static files for other GETs; 404 or 405 otherwise. */
  function match(
    req: Request,
    pathname: string,
  ): { route: Route; params: string[] } | { name: string; run: () => Promise<Response> } {
    const method = req.method === "HEAD" ? "GET" : req.method;
    const allowed: string[] = [];
    for (const r of routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      if (r.method === method) {
        try {
          return { route: r, params: m.slice(1).map(decodeURIComponent) };
        } catch {
          return {
            name: r.name,
            run: () => {
              throw new HttpError(STATUS.BadRequest, "Malformed percent-encoding in path");
            },
          };
        }
      }
      allowed.push(r.method);
    }
    if (allowed.length) {
      return {
        name: "method_not_allowed",
        run: () => {
          throw new HttpError(STATUS.MethodNotAllowed, `Method ${req.method} is not allowed here`, {
            [HEADER.Allow]: [...new Set(allowed)].join(", "),
          });
        },
      };
    }
    if (method !== "GET") {
      return {
        name: "not_found",
        run: () => {
          throw new HttpError(STATUS.NotFound, `No route ${req.method} ${pathname}`);
        },
      };
    }
    return {
      name: "static",
      run: async () => {
        const res = await staticFiles(req, safeSegments(pathname));
        if (!res) throw new HttpError(STATUS.NotFound, `Not found: ${pathname}`);
        return res;
      },
    };
  }

  function cors(req: Request, headers: Headers) {
    const origin = req.headers.get(HEADER.Origin);
    const allowed = ctx.config.corsOrigins;
    if (!origin || allowed.length === 0) return;
    if (allowed.includes("*") || allowed.includes(origin)) {
      headers.set("access-control-allow-origin", allowed.includes("*") ? "*" : origin);
      headers.append(HEADER.Vary, "Origin");
    }
  }

  return async function handler(req: Request): Promise<Response> {
    const start = performance.now();
    const incoming = req.headers.get(HEADER.RequestId);
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    let name = "unknown";
    let res: Response;
    let heavy = false;
    try {
      if (req.url.length > MAX_URL) {
        throw new HttpError(STATUS.URITooLong, `URL longer than ${MAX_URL} characters`);
      }
      const url = new URL(req.url);
      if (req.method === "OPTIONS") {
        name = "preflight";
        res = new Response(null, { status: STATUS.NoContent });
        if (ctx.config.corsOrigins.length) {
          res.headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
          res.headers.set("access-control-allow-headers", "content-type, x-request-id");
          res.headers.set("access-control-max-age", "600");
        }
      } else {
        const found = match(req, url.pathname);
        if ("route" in found) {
          name = found.route.name;
          heavy = found.route.heavy === true;
          if (heavy && ctx.inflight >= ctx.config.maxInflight) {
            ctx.metrics.shed.inc();
            heavy = false;
            await req.body?.cancel();
            throw new HttpError(STATUS.ServiceUnavailable, "Server is at capacity, retry shortly", {
              [HEADER.RetryAfter]: "1",
            });
          }
          if (heavy) {
            ctx.inflight++;
            if (!ctx.store.ready) {
              await req.body?.cancel();
              throw new HttpError(STATUS.ServiceUnavailable, "The model is not loaded yet", {
                [HEADER.RetryAfter]: "1",
              });
            }
          }
          res = await found.route.handler(req, ctx, ...found.params);
        } else {
          name = found.name;
          res = await found.run();
        }
      }
    } catch (e) {
      res = errorResponse(e, requestId, ctx.log);
      // Whatever the handler did not read is dropped, so the connection stays usable.
      if (!req.bodyUsed) req.body?.cancel().catch(() => undefined);
    } finally {
      if (heavy) ctx.inflight--;
    }
    const headers = res.headers;
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!headers.has(k)) headers.set(k, v);
    if (!headers.has("content-security-policy")) headers.set("content-security-policy", PAGE_CSP);
    headers.set(HEADER.RequestId, requestId);
    cors(req, headers);
    if (req.method === "HEAD" && res.body) res = new Response(null, { status: res.status, headers });
    const seconds = (performance.now() - start) / 1000;
    // Label values come from a closed set, so a client cannot mint new series.
    const method = KNOWN_METHODS.has(req.method) ? req.method : "OTHER";
    ctx.metrics.requests.inc({ route: name, method, status: String(res.status) });
    ctx.metrics.requestSeconds.observe({ route: name }, seconds);
    if (res.status >= 500) {
      ctx.log.warn("request failed", { request_id: requestId, route: name, status: res.status });
    } else {
      ctx.log.debug("request", {
        request_id: requestId,
        method: req.method,
        route: name,
        status: res.status,
        ms: Math.round(seconds * 1e5) / 100,
      });
    }
    return res;
  };
}

function html(body: string, csp: string): Response {
  return new Response(body, {
    headers: { [HEADER.ContentType]: MIME.html, "content-security-policy": csp },
  });
}
