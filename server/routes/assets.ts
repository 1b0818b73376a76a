/**
 * The page and the live model's files: `GET /` for browsers, `/model/{file}`, and the
 * API docs' HTML pages. Static files of the build are the router's fallback (http/static_files.ts).
 * @module
 */

import type { Context } from "../cluster/context.ts";
import { HttpError } from "../http/errors.ts";
import type { StaticHandler } from "../http/static_files.ts";
import { MIME } from "../http/static_files.ts";
import { HEADER, STATUS } from "../http/status.ts";
import { DOCS_CSP, REDOC_HTML, SWAGGER_HTML } from "./api_docs.ts";
import { index } from "./meta.ts";

/**
 * `GET /`: the drawing page for browsers (`Accept: text/html`), the JSON index for API clients.
 *
 * @param staticFiles The build's file handler.
 * @returns The handler.
 */
export function home(staticFiles: StaticHandler): (req: Request) => Promise<Response> {
  return async (req) => {
    if (!(req.headers.get(HEADER.Accept) ?? "").includes("text/html")) return index();
    const res = await staticFiles(req, ["index.html"]);
    if (!res) throw new HttpError(STATUS.NotFound, "The page is not built: run `deno task build`");
    return res;
  };
}

/**
 * `GET /model/{file}`: the live model's metadata and ONNX file, revalidated by ETag.
 *
 * @param req The request.
 * @param ctx Server context.
 * @param file `convnet.json` or the ONNX file it names.
 * @returns The file.
 * @throws {HttpError} 404 for any other name, or before the model is loaded.
 */
export function modelFile(req: Request, ctx: Context, file: string): Response {
  const f = ctx.store.ready ? ctx.store.files : undefined;
  const body = f &&
    (file === "convnet.json" ? f.json : file === ctx.store.current.metadata.file ? f.onnx : undefined);
  if (!body) throw new HttpError(STATUS.NotFound, `No model file "${file}"`);
  const ext = file.slice(file.lastIndexOf(".") + 1);
  const headers = {
    [HEADER.ContentType]: MIME[ext] ?? "application/octet-stream",
    [HEADER.CacheControl]: "no-cache",
    [HEADER.ETag]: `"${ctx.store.current.metadata.sha256}-${file === "convnet.json" ? "json" : "onnx"}"`,
  };
  if (req.headers.get(HEADER.IfNoneMatch) === headers[HEADER.ETag]) {
    return new Response(null, { status: STATUS.NotModified, headers });
  }
  return new Response(body as BodyInit, { headers });
}

const html = (body: string) => () =>
  new Response(body, { headers: { [HEADER.ContentType]: MIME.html, "content-security-policy": DOCS_CSP } });

/** `GET /docs`: Swagger UI. */
export const swaggerPage: () => Response = html(SWAGGER_HTML);

/** `GET /redoc`: ReDoc. */
export const redocPage: () => Response = html(REDOC_HTML);
