/**
 * Static files from one directory: the page's build. Refuses traversal in any
 * encoding and symlinks that lead out of the directory; compresses with gzip when
 * the client accepts it (cached per file version); fingerprinted `assets/` files
 * are cached by browsers for a year.
 *
 * Runs in Deno.
 * @module
 */

import { HttpError } from "./errors.ts";
import { HEADER, STATUS } from "./status.ts";

/** Content types by file extension. */
export const MIME: Readonly<Record<string, string>> = Object.freeze({
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  webmanifest: "application/manifest+json",
  map: "application/json",
  wasm: "application/wasm",
  onnx: "application/octet-stream",
  png: "image/png",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
});

const COMPRESSIBLE = new Set([
  "html",
  "js",
  "mjs",
  "css",
  "json",
  "map",
  "wasm",
  "svg",
  "txt",
  "webmanifest",
  "onnx",
]);

/** Options of {@linkcode createStaticHandler}. */
export interface StaticOptions {
  /** Paths under this prefix are fingerprinted and cached as immutable. @default "assets/" */
  immutablePrefix?: string;
  /** Extra headers on every file. */
  headers?: Record<string, string>;
}

/**
 * Split a URL path into safe segments, or throw.
 *
 * @param pathname The URL's pathname, still percent-encoded.
 * @returns Decoded segments, none of them empty, `.` or `..`.
 * @throws {HttpError} 400 on bad encoding, traversal, NUL or backslash.
 */
export function safeSegments(pathname: string): string[] {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(STATUS.BadRequest, "Malformed percent-encoding in path");
  }
  if (/[\\\0]/.test(decoded)) throw new HttpError(STATUS.BadRequest, "Invalid character in path");
  const segments = decoded.split("/").filter((s) => s !== "");
  // A decoded "%2e%2e" is "..": refuse it, and refuse anything still encoded twice.
  if (segments.some((s) => s === "." || s === ".." || /%(2e|2f|5c)/i.test(s))) {
    throw new HttpError(STATUS.BadRequest, "Path traversal is not allowed");
  }
  return segments;
}

/** A handler for files under `root`: a response, or undefined when there is no such file. */
export type StaticHandler = (req: Request, segments: string[]) => Promise<Response | undefined>;

/**
 * Serve files under `root`.
 *
 * @param root Directory to serve.
 * @param options Cache prefix and extra headers.
 * @returns The handler.
 */
export function createStaticHandler(root: string, options: StaticOptions = {}): StaticHandler {
  const prefix = options.immutablePrefix ?? "assets/";
  let rootReal: Promise<string | undefined> | undefined;
  const gzCache = new Map<string, { key: string; body: Uint8Array }>();

  async function gzip(path: string, key: string, bytes: Uint8Array): Promise<Uint8Array> {
    const hit = gzCache.get(path);
    if (hit?.key === key) return hit.body;
    const body = new Uint8Array(
      await new Response(
        new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip")),
      )
        .arrayBuffer(),
    );
    gzCache.set(path, { key, body });
    return body;
  }

  return async (req, segments) => {
    rootReal ??= Deno.realPath(root).catch(() => undefined);
    const base = await rootReal;
    if (!base || segments.length === 0) return undefined;
    let real: string;
    try {
      real = await Deno.realPath(`${base}/${segments.join("/")}`);
    } catch {
      return undefined;
    }
    // Symlinks may point anywhere: serve only what really lies under the root.
    if (!real.startsWith(base + "/")) return undefined;
    const info = await Deno.stat(real).catch(() => undefined);
    if (!info?.isFile) return undefined;
    const ext = real.slice(real.lastIndexOf(".") + 1).toLowerCase();
    const rel = segments.join("/");
    const etag = `W/"${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}"`;
    const headers = new Headers(options.headers);
    headers.set(HEADER.ContentType, MIME[ext] ?? "application/octet-stream");
    headers.set(HEADER.ETag, etag);
    headers.set(
      HEADER.CacheControl,
      rel.startsWith(prefix) ? "public, max-age=31536000, immutable" : "no-cache",
    );
    if (req.headers.get(HEADER.IfNoneMatch) === etag) {
      return new Response(null, { status: STATUS.NotModified, headers });
    }
    const bytes = await Deno.readFile(real);
    const acceptsGzip = /\bgzip\b/.test(req.headers.get(HEADER.AcceptEncoding) ?? "");
    if (COMPRESSIBLE.has(ext) && bytes.length > 1024) {
      headers.set(HEADER.Vary, "Accept-Encoding");
      if (acceptsGzip) {
        headers.set(HEADER.ContentEncoding, "gzip");
        return new Response(
          req.method === "HEAD" ? null : await gzip(real, etag, bytes) as Uint8Array<ArrayBuffer>,
          { headers },
        );
      }
    }
    return new Response(req.method === "HEAD" ? null : bytes, { headers });
  };
}
