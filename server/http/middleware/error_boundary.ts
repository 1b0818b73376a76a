/**
 * The one error path: whatever the rest of the chain throws becomes a response through
 * `errorResponse` (an `HttpError` its own status, a domain error its row, anything else
 * a logged 500), and an unread request body is dropped so the connection stays usable.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { type ErrorFormat, errorResponse } from "../errors.ts";
import type { Logger } from "../../log.ts";

/** Options of {@linkcode errorBoundary}. */
export interface ErrorBoundaryOptions {
  /** Logs unexpected errors with the request id. */
  log: Pick<Logger, "error">;
  /** The body format for a path (the Open Inference Protocol's routes want their own). @default problem details */
  formatFor?: (pathname: string) => ErrorFormat;
}

/**
 * Create the error boundary.
 *
 * @param options Logger and error format.
 * @returns The middleware; it never throws.
 */
export function errorBoundary(options: ErrorBoundaryOptions): Middleware {
  const { log, formatFor } = options;
  return async function errorBoundary(req, state, next) {
    try {
      return await next();
    } catch (e) {
      if (!req.bodyUsed) req.body?.cancel().catch(() => undefined);
      const format = formatFor?.(pathOf(req.url)) ?? "problem";
      return errorResponse(e, state.requestId, log, format);
    }
  };
}

/** The path the router sees (dot segments resolved); the raw string if the URL does not parse. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
