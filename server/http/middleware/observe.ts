/**
 * Metrics and logs of every request: count and latency by route, method and status
 * (labels from closed sets, so a client cannot mint new series), a debug line per
 * request and a warning per 5xx.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";

/** Methods counted by name; anything else is `OTHER`. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/** The two metrics this middleware feeds (prom-client's Counter and Histogram fit). */
export interface RequestMetrics {
  requests: { inc(labels: { route: string; method: string; status: string }): void };
  requestSeconds: { observe(labels: { route: string }, seconds: number): void };
}

/** The logger calls this middleware makes. */
export interface RequestLog {
  debug(msg: string, fields: Record<string, unknown>): void;
  warn(msg: string, fields: Record<string, unknown>): void;
}

/** Options of {@linkcode observe}. */
export interface ObserveOptions {
  metrics: RequestMetrics;
  log: RequestLog;
}

/**
 * Create the observe middleware. It sits outside the error boundary's reply, so it
 * sees the status that was sent.
 *
 * @param options Where to count and log.
 * @returns The middleware.
 */
export function observe(options: ObserveOptions): Middleware {
  const { metrics, log } = options;
  return async function observe(req, state, next) {
    const res = await next();
    const seconds = (performance.now() - state.start) / 1000;
    const method = KNOWN_METHODS.has(req.method) ? req.method : "OTHER";
    metrics.requests.inc({ route: state.route, method, status: String(res.status) });
    metrics.requestSeconds.observe({ route: state.route }, seconds);
    if (res.status >= 500) {
      log.warn("request failed", { request_id: state.requestId, route: state.route, status: res.status });
    } else {
      log.debug("request", {
        request_id: state.requestId,
        method: req.method,
        route: state.route,
        status: res.status,
        ms: Math.round(seconds * 1e5) / 100,
      });
    }
    return res;
  };
}
