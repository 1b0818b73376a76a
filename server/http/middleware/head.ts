/**
 * HEAD: the router answers it as GET; this drops the body and keeps every header.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";

/**
 * Create the HEAD middleware.
 *
 * @returns The middleware.
 */
export function head(): Middleware {
  return async function head(req, _state, next) {
    const res = await next();
    if (req.method !== "HEAD" || !res.body) return res;
    await res.body.cancel();
    return new Response(null, { status: res.status, headers: res.headers });
  };
}
