/**
 * `Connection: close` on every response while the server drains, so that keep-alive
 * clients (a load balancer's pool, a browser) open their next request elsewhere instead
 * of on a connection that is about to close. Checked when the response leaves, so a
 * request that started before the signal and ends after it carries the header too.
 *
 * Deno.serve (2.9.6) sends the header but keeps the connection open after it; the clients
 * that honour it close their end.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { HEADER } from "../status.ts";

/** Options of {@linkcode connectionClose}. */
export interface ConnectionCloseOptions {
  /** Whether responses should close their connection now (the worker is draining). */
  when: () => boolean;
}

/**
 * Create the `Connection: close` middleware.
 *
 * @param options When to close.
 * @returns The middleware.
 * @example
 * ```ts
 * const ctx = { draining: false };
 * const mw = connectionClose({ when: () => ctx.draining });
 * ```
 */
export function connectionClose(options: ConnectionCloseOptions): Middleware {
  const { when } = options;
  return async function connectionClose(_req, _state, next) {
    const res = await next();
    if (when()) res.headers.set(HEADER.Connection, "close");
    return res;
  };
}
