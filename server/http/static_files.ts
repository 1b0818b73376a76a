/**
 * Static files from one directory: the page's build. Refuses traversal in any
 * encoding and symlinks that lead out of the directory. Compression is done once, by
 * `deno task build`, which writes `<file>.br` and `<file>.gz` beside each file worth
 * compressing (`web/precompress.ts`); this module only picks the variant the client
 * accepts best (Brotli, then gzip, then the file itself) and streams it from disk, so
 * no request compresses anything and no worker holds compressed copies in memory.
 * Fingerprinted `assets/` files are cached by browsers for a year.
 *
 * Runs in Deno.
 * @module
 */

import { HttpError } from "./errors.ts";
import { HEADER, STATUS } from "./status.ts";

/** Content types by file extension: the server's one table. */
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

/** The content type of a file name, by its extension. */
export function mimeOf(name: string): string {
  return MIME[name.slice(name.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
}

/** Content codings the server sends besides identity, in its order of preference. */
export const CODINGS = Object.freeze(["br", "gzip"] as const);

/** A content coding the server can send; `identity` is the file as it is. */
export type ContentCoding = typeof CODINGS[number] | "identity";

/** The file-name suffix of each precompressed variant, as `deno task build` writes them. */
const CODING_SUFFIX: Readonly<Record<typeof CODINGS[number], string>> = Object.freeze({
  br: ".br",
  gzip: ".gz",
});

/** Server preference among codings the client rates equally: smallest first. */
const PREFERENCE: readonly ContentCoding[] = [...CODINGS, "identity"];

/**
 * Pick the content coding to send (RFC 9110, section 12.5.3): the available coding with
 * the highest `q`, ties going to the smaller one (Brotli, gzip, identity). Identity is
 * acceptable unless refused by `identity;q=0` or by `*;q=0` without an identity entry;
 * `x-gzip` counts as gzip; a malformed `q` counts as 0; no header means identity.
 *
 * @param acceptEncoding The request's `Accept-Encoding`, or null when absent.
 * @param available Codings this resource exists in.
 * @returns The coding, or undefined when the client accepts none of them.
 * @example
 * ```ts
 * negotiateEncoding("gzip, deflate, br, zstd", ["br", "gzip", "identity"]); // "br"
 * negotiateEncoding("br;q=0.5, gzip", ["br", "gzip", "identity"]); // "gzip"
 * ```
 */
export function negotiateEncoding(
  acceptEncoding: string | null,
  available: readonly ContentCoding[],
): ContentCoding | undefined {
  if (acceptEncoding === null) return available.includes("identity") ? "identity" : undefined;
  const q = new Map<string, number>();
  for (const item of acceptEncoding.split(",")) {
    const [token, ...params] = item.split(";").map((s) => s.trim().toLowerCase());
    if (!token) continue;
    let weight = 1;
    for (const p of params) {
      if (!p.startsWith("q=")) continue;
      // A malformed weight counts as 0: never send a coding the client did not clearly accept.
      weight = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(p) ? Number(p.slice(2)) : 0;
    }
    const name = token === "x-gzip" ? "gzip" : token;
    q.set(name, Math.max(q.get(name) ?? 0, weight));
  }
  const star = q.get("*");
  // Identity, unnamed, is acceptable (lowest of all) unless "*;q=0" refuses everything unnamed.
  const weightOf = (c: ContentCoding) => q.get(c) ?? star ?? (c === "identity" ? 0.001 : 0);
  let best: ContentCoding | undefined;
  for (const c of PREFERENCE) {
    if (!available.includes(c) || weightOf(c) <= 0) continue;
    if (best === undefined || weightOf(c) > weightOf(best)) best = c;
  }
  return best;
}

/** Whether an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for it). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/** One stored form of a resource: the bytes of one content coding. */
export interface Variant {
  /** How many bytes it sends. */
  size: number;
  /** Entity tag of exactly these bytes (each coding has its own). */
  etag: string;
  /** The body; called only when it is sent (not for HEAD or 304). */
  body(): BodyInit | Promise<BodyInit>;
}

/** The forms a resource exists in: always identity, and any precompressed ones. */
export type Variants = { identity: Variant } & Partial<Record<ContentCoding, Variant>>;

/**
 * Answer a GET or HEAD with the variant the client accepts best: `Content-Encoding`,
 * `Content-Length` and `ETag` of that variant, `Vary: Accept-Encoding` when there is a
 * choice, 304 when `If-None-Match` names the variant's tag.
 *
 * @param req The request (its `Accept-Encoding`, `If-None-Match` and method are read).
 * @param variants The resource's forms.
 * @param headers Headers of every form (content type, cache control).
 * @returns The response.
 * @throws {HttpError} 406 when the client refuses every available coding, identity included.
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("hello");
 * const res = await encodedResponse(new Request("http://x/"), {
 *   identity: { size: bytes.length, etag: '"h"', body: () => bytes },
 * }, { "content-type": "text/plain" });
 * ```
 */
export async function encodedResponse(
  req: Request,
  variants: Variants,
  headers: HeadersInit,
): Promise<Response> {
  const available = PREFERENCE.filter((c) => variants[c] !== undefined);
  const coding = negotiateEncoding(req.headers.get(HEADER.AcceptEncoding), available);
  if (!coding) {
    throw new HttpError(
      STATUS.NotAcceptable,
      `No acceptable content coding; available: ${available.join(", ")}`,
    );
  }
  const variant = variants[coding]!;
  const h = new Headers(headers);
  h.set(HEADER.ETag, variant.etag);
  if (available.length > 1) h.set(HEADER.Vary, "Accept-Encoding");
  if (etagMatches(req.headers.get(HEADER.IfNoneMatch), variant.etag)) {
    h.delete(HEADER.ContentType);
    return new Response(null, { status: STATUS.NotModified, headers: h });
  }
  if (coding !== "identity") h.set(HEADER.ContentEncoding, coding);
  h.set(HEADER.ContentLength, String(variant.size));
  return new Response(req.method === "HEAD" ? null : await variant.body(), { headers: h });
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

/** Paths under this prefix are fingerprinted by the build, so browsers may keep them for a year. */
const IMMUTABLE_PREFIX = "assets/";

/** A strong tag from a file's size and modification time (the build rewrites every file it changes). */
const fileTag = (info: Deno.FileInfo, suffix = "") =>
  `"${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}${suffix}"`;

/**
 * Serve files under `root`, each in the precompressed variant the client accepts best.
 *
 * @param root Directory to serve.
 * @returns The handler.
 * @example
 * ```ts
 * const files = createStaticHandler("web/dist");
 * const res = await files(new Request("http://x/sw.js"), ["sw.js"]);
 * ```
 */
export function createStaticHandler(root: string): StaticHandler {
  let rootReal: Promise<string | undefined> | undefined;

  /** The file at `path` when it really lies under `base` (symlinks may point anywhere). */
  async function fileUnder(
    base: string,
    path: string,
  ): Promise<{ real: string; info: Deno.FileInfo } | undefined> {
    let real: string;
    try {
      real = await Deno.realPath(path);
    } catch {
      return undefined;
    }
    if (!real.startsWith(base + "/")) return undefined;
    const info = await Deno.stat(real).catch(() => undefined);
    return info?.isFile ? { real, info } : undefined;
  }

  const variant = (real: string, info: Deno.FileInfo, suffix = ""): Variant => ({
    size: info.size,
    etag: fileTag(info, suffix),
    body: async () => (await Deno.open(real)).readable,
  });

  return async (req, segments) => {
    rootReal ??= Deno.realPath(root).catch(() => undefined);
    const base = await rootReal;
    if (!base || segments.length === 0) return undefined;
    const path = `${base}/${segments.join("/")}`;
    const file = await fileUnder(base, path);
    if (!file) return undefined;
    const variants: Variants = { identity: variant(file.real, file.info) };
    for (const coding of CODINGS) {
      const suffix = CODING_SUFFIX[coding];
      const pre = await fileUnder(base, path + suffix);
      // A variant older than its file was left by an earlier build: never send stale bytes.
      const stale = pre?.info.mtime && file.info.mtime && pre.info.mtime < file.info.mtime;
      if (pre && !stale) variants[coding] = variant(pre.real, pre.info, `-${coding}`);
    }
    const rel = segments.join("/");
    return await encodedResponse(req, variants, {
      [HEADER.ContentType]: mimeOf(file.real),
      [HEADER.CacheControl]: rel.startsWith(IMMUTABLE_PREFIX)
        ? "public, max-age=31536000, immutable"
        : "no-cache",
    });
  };
}
