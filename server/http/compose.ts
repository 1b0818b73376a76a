/**
 * A tiny, strict middleware chain: each middleware gets the request, the request's
 * state and `next()`, and returns a response. Calling `next()` twice is a bug that
 * would run the rest of the chain again, so it throws. `next(request)` hands the rest of
 * the chain another request in place of this one (the drain gate's buffered copy).
 *
 * Runs in Deno (and anywhere with `Request`/`Response`).
 * @module
 */

/** What the chain knows about one request, filled in as it goes. */
export interface RequestState {
  /** `x-request-id`: the client's when well-formed, else a new UUID (request_id.ts). */
  requestId: string;
  /** Route label for metrics and logs, e.g. `/v2/models/{name}`; set by the router. */
  route: string;
  /** `performance.now()` when the request arrived. */
  start: number;
  /** Whether the matched route runs the model (counted and shed: shed.ts). */
  heavy: boolean;
  /** Answers the request once routed (router.ts); the chain's endpoint calls it. */
  answer?: () => Promise<Response>;
}

/** Runs the rest of the chain, with `req` in place of the current request when given. */
export type Next = (req?: Request) => Promise<Response>;

/** One step of the chain. */
export type Middleware = (req: Request, state: RequestState, next: Next) => Promise<Response>;

/** The end of the chain: answers the request. */
export type Endpoint = (req: Request, state: RequestState) => Promise<Response>;

/**
 * Compose middlewares, outermost first, around an endpoint.
 *
 * @param middlewares Run in this order; each may answer without calling `next()`.
 * @param endpoint Answers when every middleware called `next()`.
 * @returns A function that runs the chain for one request.
 * @throws {Error} From the composed function, when a middleware calls `next()` twice.
 * @example
 * ```ts
 * const run = compose([requestId()], () => Promise.resolve(new Response("hi")));
 * const res = await run(new Request("http://x/"), { requestId: "", route: "", start: 0, heavy: false });
 * ```
 */
export function compose(middlewares: readonly Middleware[], endpoint: Endpoint): Endpoint {
  return (req, state) => {
    let last = -1;
    const dispatch = (i: number, request: Request): Promise<Response> => {
      if (i <= last) {
        return Promise.reject(new Error(`next() called more than once (in ${middlewares[i - 1]?.name})`));
      }
      last = i;
      if (i === middlewares.length) return endpoint(request, state);
      try {
        return middlewares[i](request, state, (other) => dispatch(i + 1, other ?? request));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    return dispatch(0, req);
  };
}
