/**
 * The drain gate in the chain (cluster/drain.ts says why it exists): every request counts
 * as an arrival; while the gate is closed, a request's body is read in full first (with the
 * usual limits) and the request then waits for the gate to open, going on with the body
 * from memory; a request with a body that passed an open gate counts as unsettled until it
 * is answered, since someone downstream still reads it from the connection.
 *
 * It sits inside the error boundary, so a body refused while read here (413, 408, 400) gets
 * the same answer as anywhere else.
 *
 * Runs in Deno.
 * @module
 */

import { type BodyLimits, readBody } from "../body.ts";
import type { Middleware, Next } from "../compose.ts";
import { HttpError } from "../errors.ts";
import { retryAfter, STATUS } from "../status.ts";

/** What this middleware needs of the worker's gate (`cluster/drain.ts` makes one). */
export interface RequestGate {
  /** Whether requests wait. */
  readonly closed: boolean;
  /** Count one request's arrival. */
  arrive(): void;
  /** `undefined` while open; else resolves when the gate opens. */
  pass(): Promise<void> | undefined;
  /** Count `work` as unsettled until it settles; returns it. */
  settle<T>(work: Promise<T>): Promise<T>;
}

/** Options of {@linkcode drainGate}. */
export interface DrainGateOptions {
  /** The worker's gate. */
  gate: RequestGate;
  /** Limits for reading a held request's body. */
  limits: BodyLimits;
  /** Most requests held at once (their bodies are in memory); past it, 503 at once. @default 256 */
  maxHeld?: number;
}

/** The same request with its body read into memory. */
async function buffered(req: Request, limits: BodyLimits): Promise<Request> {
  const body = await readBody(req, limits) as Uint8Array<ArrayBuffer>;
  // Built afresh rather than with `new Request(req)`, which reads `req.signal` and makes
  // Deno print its legacy-abort warning (a line that is not JSON) once the response is sent.
  return new Request(req.url, { method: req.method, headers: req.headers, body });
}

/**
 * Create the drain-gate middleware.
 *
 * @param options The gate and the body limits.
 * @returns The middleware.
 * @throws {HttpError} From the middleware: a held request's body over the limit (413), not
 *   received in time (408) or cut off (400); 503 past `maxHeld` held requests.
 * @example
 * ```ts
 * // gate: createDrainGate() from cluster/drain.ts, which composes this chain's worker
 * const mw = drainGate({ gate, limits: { maxBytes: 5 << 20, timeoutMs: 10_000 } });
 * ```
 */
export function drainGate(options: DrainGateOptions): Middleware {
  const { gate, limits, maxHeld = 256 } = options;
  const retry = retryAfter();
  let holding = 0;
  return async function drainGate(req, _state, next) {
    gate.arrive();
    const hasBody = req.body !== null;
    if (!gate.closed) return hasBody ? await gate.settle(next()) : await next();
    if (holding >= maxHeld) {
      throw new HttpError(STATUS.ServiceUnavailable, "Server is shutting down, retry shortly", retry);
    }
    holding++;
    try {
      return await hold(req, hasBody, next);
    } finally {
      holding--;
    }
  };

  async function hold(req: Request, hasBody: boolean, next: Next) {
    const request = hasBody ? await gate.settle(buffered(req, limits)) : req;
    await gate.pass();
    return await next(request);
  }
}
