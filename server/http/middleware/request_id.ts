/**
 * Request id: keeps a well-formed `x-request-id` from the client, else makes a UUID,
 * and echoes it on every response, so a client's report names the server's log line.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "../compose.ts";
import { HEADER } from "../status.ts";

/** What a client's id may look like: short, and safe in logs and headers. */
const WELL_FORMED = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Create the request-id middleware.
 *
 * @returns The middleware; it sets `state.requestId` before the rest of the chain runs.
 */
export function requestId(): Middleware {
  return async function requestId(req, state, next) {
    const incoming = req.headers.get(HEADER.RequestId);
    state.requestId = incoming && WELL_FORMED.test(incoming) ? incoming : crypto.randomUUID();
    const res = await next();
    res.headers.set(HEADER.RequestId, state.requestId);
    return res;
  };
}
