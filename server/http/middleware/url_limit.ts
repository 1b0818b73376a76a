/**
 * URL length limit: a longer URL is refused with 414 before anything parses it.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { HttpError } from "../errors.ts";
import { STATUS } from "../status.ts";

/** Options of {@linkcode urlLimit}. */
export interface UrlLimitOptions {
  /** Longest URL accepted, in characters. @default 8192 */
  max?: number;
}

/**
 * Create the URL-limit middleware.
 *
 * @param options The limit.
 * @returns The middleware.
 * @throws {HttpError} 414 from the middleware, for a longer URL.
 */
export function urlLimit(options: UrlLimitOptions = {}): Middleware {
  const max = options.max ?? 8192;
  return function urlLimit(req, _state, next) {
    if (req.url.length > max) throw new HttpError(STATUS.URITooLong, `URL longer than ${max} characters`);
    return next();
  };
}
