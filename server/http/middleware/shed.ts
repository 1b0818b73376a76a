/**
 * Load shedding for the heavy routes (inference): past `limit` requests in flight, or
 * before the model is loaded, answer 503 with `Retry-After` at once instead of queueing.
 * Light routes (health, metrics, docs) always pass, so probes keep answering under load.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { HttpError } from "../errors.ts";
import { retryAfter, STATUS } from "../status.ts";

/** Options of {@linkcode shed}. */
export interface ShedOptions {
  /** Most heavy requests in flight. */
  limit: number;
  /** Holds the in-flight count (the worker's context: drain reads it). */
  counter: { inflight: number };
  /** Whether the model can serve. */
  ready: () => boolean;
  /** Called for each shed request (a metric). */
  onShed?: () => void;
}

/**
 * Create the shedding middleware.
 *
 * @param options Limit, counter and readiness.
 * @returns The middleware.
 * @throws {HttpError} 503 from the middleware, at capacity or before the model is loaded.
 */
export function shed(options: ShedOptions): Middleware {
  const { limit, counter, ready, onShed } = options;
  const retry = retryAfter();
  return async function shed(_req, state, next) {
    if (!state.heavy) return await next();
    if (counter.inflight >= limit) {
      onShed?.();
      throw new HttpError(STATUS.ServiceUnavailable, "Server is at capacity, retry shortly", retry);
    }
    if (!ready()) throw new HttpError(STATUS.ServiceUnavailable, "The model is not loaded yet", retry);
    counter.inflight++;
    try {
      return await next();
    } finally {
      counter.inflight--;
    }
  };
}
