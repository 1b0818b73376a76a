/**
 * The page and the live model's files: `GET /` for browsers, `/model/{file}` (compressed
 * once per model version), and the API docs' HTML pages with the `/docs/` redirect.
 * Static files of the build are the router's fallback (http/static_files.ts), which sends
 * the build's precompressed variants.
 * @module
 */

import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Context } from "../cluster/context.ts";
import { HttpError } from "../http/errors.ts";
import {
  encodedResponse,
  MIME,
  mimeOf,
  type StaticHandler,
  type Variant,
  type Variants,
} from "../http/static_files.ts";
import { HEADER, STATUS } from "../http/status.ts";
import type { ModelFiles } from "../model/store.ts";
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
 * Brotli quality for a model compressed while the server runs: 9 takes about 20 ms for
 * the 315 KiB ONNX file and gives 298 KiB; 11 gives 295 KiB but blocks the worker for
 * 300 ms. Float weights barely compress, so the 1 % is not worth the stall.
 */
const BROTLI_QUALITY = 9;

/** One file of one model version in every coding worth sending. */
function variantsOf(bytes: Uint8Array, tag: string): Variants {
  const fixed = (b: Uint8Array, suffix: string): Variant => ({
    size: b.length,
    etag: `"${tag}${suffix}"`,
    body: () => b as Uint8Array<ArrayBuffer>,
  });
  const variants: Variants = { identity: fixed(bytes, "") };
  const br = new Uint8Array(brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }));
  const gz = new Uint8Array(gzipSync(bytes, { level: 9 }));
  if (br.length < bytes.length) variants.br = fixed(br, "-br");
  if (gz.length < bytes.length) variants.gzip = fixed(gz, "-gzip");
  return variants;
}

/** Compressed forms per loaded model (its files object), computed on first use. */
const cache = new WeakMap<ModelFiles, Map<string, Variants>>();

/**
 * The forms of one file of a loaded model, compressed on the first call for that model
 * and the same object on every later call.
 *
 * @param files The loaded model's files (a reload brings a new object).
 * @param kind Which file.
 * @param sha256 The model's sha256, for the entity tags.
 * @returns Identity, Brotli and gzip forms (a compressed one only when smaller).
 */
export function modelVariants(files: ModelFiles, kind: "json" | "onnx", sha256: string): Variants {
  let forms = cache.get(files);
  if (!forms) cache.set(files, forms = new Map());
  let variants = forms.get(kind);
  if (!variants) {
    const bytes = kind === "json" ? new TextEncoder().encode(files.json) : files.onnx;
    forms.set(kind, variants = variantsOf(bytes, `${sha256}-${kind}`));
  }
  return variants;
}

/**
 * `GET /model/{file}`: the live model's metadata and ONNX file, so the page classifies
 * with exactly the model the API serves (hot reloads included), in Brotli, gzip or
 * identity as the client prefers, revalidated by each form's ETag. The live model can
 * change at any time, so the build's precompressed copies may not match it; instead each
 * model version is compressed once, on its first request, and kept while it serves.
 *
 * @param req The request (`Accept-Encoding`, `If-None-Match`, method).
 * @param ctx The worker's context (its model store).
 * @param file `convnet.json`, or the ONNX file the live metadata names.
 * @returns The file in the coding the client accepts best; 304 for a known ETag.
 * @throws {HttpError} 404 for any other name or before the model is loaded; 406 when
 *   the client accepts no coding at all.
 * @example
 * ```ts
 * route("GET", "/model/{file}", modelFile);
 * ```
 */
export async function modelFile(req: Request, ctx: Context, file: string): Promise<Response> {
  const store = ctx.store;
  const files = store.ready ? store.files : undefined;
  const meta = files && store.current.metadata;
  const kind = file === "convnet.json" ? "json" : file === meta?.file ? "onnx" : undefined;
  if (!files || !meta || !kind) throw new HttpError(STATUS.NotFound, `No model file "${file}"`);
  return await encodedResponse(req, modelVariants(files, kind, meta.sha256), {
    [HEADER.ContentType]: mimeOf(file),
    [HEADER.CacheControl]: "no-cache",
  });
}

const html = (body: string) => () =>
  new Response(body, { headers: { [HEADER.ContentType]: MIME.html, "content-security-policy": DOCS_CSP } });

/** `GET /docs`: Swagger UI. */
export const swaggerPage: () => Response = html(SWAGGER_HTML);

/** `GET /redoc`: ReDoc. */
export const redocPage: () => Response = html(REDOC_HTML);

/**
 * `/docs/` (a trailing slash, as people type it): a permanent redirect to `/docs`, whose
 * relative links would not resolve from `/docs/`. The location is relative too, so the
 * redirect holds behind a proxy that mounts the server under a path.
 *
 * @param req The request; its query string is kept.
 * @returns 308 to `../docs`.
 * @example
 * ```ts
 * docsSlash(new Request("http://x/docs/")).headers.get("location"); // "../docs"
 * ```
 */
export function docsSlash(req: Request): Response {
  return new Response(null, {
    status: STATUS.PermanentRedirect,
    headers: { [HEADER.Location]: `../docs${new URL(req.url).search}` },
  });
}
