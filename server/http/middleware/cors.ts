/**
 * CORS: answers preflights, and names an allowed origin on responses to it. With no
 * origins configured, no CORS header is ever sent (same-origin only).
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { HEADER, STATUS } from "../status.ts";

/** Options of {@linkcode cors}. */
export interface CorsOptions {
  /** Allowed origins; `*` allows any. @default [] */
  origins?: readonly string[];
}

/**
 * Create the CORS middleware. `OPTIONS` is answered 204 here (with the allow-headers
 * when CORS is on); nothing after it in the chain sees a preflight.
 *
 * @param options Allowed origins.
 * @returns The middleware.
 */
export function cors(options: CorsOptions = {}): Middleware {
  const origins = options.origins ?? [];
  const any = origins.includes("*");
  return async function cors(req, state, next) {
    let res: Response;
    if (req.method === "OPTIONS") {
      state.route = "preflight";
      res = new Response(null, { status: STATUS.NoContent });
      if (origins.length) {
        res.headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
        res.headers.set(
          "access-control-allow-headers",
          "content-type, x-request-id, inference-header-content-length",
        );
        res.headers.set("access-control-max-age", "600");
      }
    } else {
      res = await next();
    }
    const origin = req.headers.get(HEADER.Origin);
    if (origin && (any || origins.includes(origin))) {
      res.headers.set("access-control-allow-origin", any ? "*" : origin);
      // Readable by the page: the request id, and where a binary v2 answer's JSON header ends.
      res.headers.set("access-control-expose-headers", "x-request-id, inference-header-content-length");
      res.headers.append(HEADER.Vary, "Origin");
    }
    return res;
  };
}
