/**
 * Run one middleware alone: a fresh request state and an endpoint that records whether
 * it was reached.
 *
 * Runs in Deno.
 * @module
 */

import { compose, type Endpoint, type Middleware, type RequestState } from "../../server/http/compose.ts";

/**
 * A new request state, as the app makes one.
 *
 * @returns The state.
 */
export function freshState(): RequestState {
  return { requestId: "test-id", route: "unknown", start: performance.now(), heavy: false };
}

/**
 * Run `middleware` on `req` before `endpoint`.
 *
 * @param middleware The middleware under test.
 * @param req The request.
 * @param endpoint Answers when reached. @default 200 "ok"
 * @returns The response, the state after the run, and whether the endpoint ran.
 */
export async function runMiddleware(
  middleware: Middleware,
  req: Request,
  endpoint: Endpoint = () => Promise.resolve(new Response("ok")),
): Promise<{ res: Response; state: RequestState; reached: boolean }> {
  const state = freshState();
  let reached = false;
  const res = await compose([middleware], (r, s) => {
    reached = true;
    return endpoint(r, s);
  })(req, state);
  return { res, state, reached };
}
