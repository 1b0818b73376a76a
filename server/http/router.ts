/**
 * The router: a table of `METHOD /path/{param}` routes, matched in order. It labels the
 * request for metrics, marks heavy routes for shedding, and leaves the answer to the
 * chain's endpoint. HEAD is answered as GET; a path that exists under another method is
 * 405 with `Allow`; other GETs go to the fallback (static files), anything else is 404.
 *
 * Runs in Deno.
 * @module
 */

import type { Middleware } from "./compose.ts";
import { HttpError } from "./errors.ts";
import { HEADER, STATUS } from "./status.ts";

/** A route handler; `params` holds the path's `{name}` captures in order. */
export type Handler<C> = (req: Request, ctx: C, ...params: string[]) => Response | Promise<Response>;

/** One row of the route table. */
export interface Route<C> {
  method: "GET" | "POST";
  /** The path with `{name}` captures; also the label for metrics and logs. */
  name: string;
  pattern: RegExp;
  handler: Handler<C>;
  /** Runs the model: counted against the in-flight limit and shed under overload. */
  heavy: boolean;
}

/**
 * A route table row.
 *
 * @param method HTTP method.
 * @param name Path, with `{name}` for one path segment.
 * @param handler Its handler.
 * @param options `heavy` for routes that run the model. @default { heavy: false }
 * @returns The row.
 */
export function route<C>(
  method: Route<C>["method"],
  name: string,
  handler: Handler<C>,
  options: { heavy?: boolean } = {},
): Route<C> {
  // Literal parts match literally ("/openapi.json" is not "/openapiXjson"); `{name}` is one segment.
  const source = name.split(/(\{[a-z]+\})/).map((part, i) =>
    i % 2 ? "([^/]+)" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("");
  const pattern = new RegExp("^" + source + "$");
  return { method, name, pattern, handler, heavy: options.heavy === true };
}

/** Options of {@linkcode router}. */
export interface RouterOptions<C> {
  routes: readonly Route<C>[];
  /** What every handler gets. */
  ctx: C;
  /** Answers GETs that match no route (static files). */
  fallback: (req: Request, pathname: string) => Promise<Response>;
}

/**
 * Create the router middleware: it sets `state.route`, `state.heavy` and `state.answer`.
 *
 * @param options Routes, context and fallback.
 * @returns The middleware.
 * @throws {HttpError} From `state.answer`: 400 for malformed percent-encoding, 405, 404.
 */
export function router<C>(options: RouterOptions<C>): Middleware {
  const { routes, ctx, fallback } = options;
  return function router(req, state, next) {
    const pathname = new URL(req.url).pathname;
    const method = req.method === "HEAD" ? "GET" : req.method;
    const allowed = new Set<string>();
    for (const r of routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      if (r.method !== method) {
        allowed.add(r.method);
        continue;
      }
      state.route = r.name;
      state.heavy = r.heavy;
      state.answer = async () => await r.handler(req, ctx, ...decodeParams(m.slice(1)));
      return next();
    }
    if (allowed.size) {
      state.route = "method_not_allowed";
      const detail = `Method ${req.method} is not allowed here`;
      state.answer = () => {
        throw new HttpError(STATUS.MethodNotAllowed, detail, { [HEADER.Allow]: [...allowed].join(", ") });
      };
    } else if (method !== "GET") {
      state.route = "not_found";
      state.answer = () => {
        throw new HttpError(STATUS.NotFound, `No route ${req.method} ${pathname}`);
      };
    } else {
      state.route = "static";
      state.answer = () => fallback(req, pathname);
    }
    return next();
  };
}

function decodeParams(raw: string[]): string[] {
  try {
    return raw.map(decodeURIComponent);
  } catch {
    throw new HttpError(STATUS.BadRequest, "Malformed percent-encoding in path");
  }
}
