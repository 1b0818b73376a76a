/**
 * Security headers on every response; a route that set its own (the API docs' CSP) keeps it.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";

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
  "content-security-policy": PAGE_CSP,
});

/** Options of {@linkcode securityHeaders}. */
export interface SecurityHeadersOptions {
  /** Header → value, set where the response has none. @default SECURITY_HEADERS */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Create the security-headers middleware.
 *
 * @param options The headers.
 * @returns The middleware.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware {
  const entries = Object.entries(options.headers ?? SECURITY_HEADERS);
  return async function securityHeaders(_req, _state, next) {
    const res = await next();
    for (const [k, v] of entries) if (!res.headers.has(k)) res.headers.set(k, v);
    return res;
  };
}
