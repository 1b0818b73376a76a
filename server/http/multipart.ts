/**
 * `multipart/form-data` (RFC 7578) parsed straight on the body's bytes: each part's
 * content is a view into the body, not a copy. `Request.formData()` decodes the body
 * through strings and copies every file into a Blob, which cost a 280×280 upload
 * 0.1–0.15 ms of a 1 ms request (docs/performance.md).
 *
 * Pure: no Deno or DOM global.
 * @module
 */

/** A body that is not `multipart/form-data` as its `Content-Type` declares it. */
export class MalformedMultipartError extends Error {
  override name = "MalformedMultipartError";
}

/** One part of a form: field name, file name when it is a file upload, and its bytes. */
export interface FormPart {
  name: string;
  /** Present (maybe empty) when the part is a file upload. */
  filename?: string;
  contentType?: string;
  /** A view into the body. */
  data: Uint8Array;
}

/** RFC 2046 §5.1.1: 1–70 characters, the last not a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
/** `; key=value` or `; key="quoted \" value"` parameters of a header. */
const PARAM = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
const CR = 0x0d, LF = 0x0a, DASH = 0x2d;

/**
 * The boundary of a `multipart/form-data` content type (the first, when repeated).
 *
 * @param contentType The request's `Content-Type`.
 * @returns The boundary, unquoted.
 * @throws {MalformedMultipartError} When it is missing, too long or badly quoted.
 */
export function boundaryOf(contentType: string): string {
  const params = parameters(contentType);
  const boundary = params.get("boundary");
  if (boundary === undefined) throw new MalformedMultipartError("no boundary in the content type");
  if (!BOUNDARY.test(boundary)) {
    throw new MalformedMultipartError("the boundary must be 1–70 letters, digits or '()+_,-./:=? ");
  }
  return boundary;
}

/** Lower-cased parameter names → values (unquoted) of a header value; the first of each wins. */
function parameters(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, key, raw] of value.matchAll(PARAM)) {
    const k = key.toLowerCase();
    if (out.has(k)) continue;
    const v = raw.trim();
    if (v.startsWith('"')) {
      if (v.length < 2 || !v.endsWith('"')) throw new MalformedMultipartError(`unterminated quote in ${k}`);
      out.set(k, v.slice(1, -1).replace(/\\(.)/g, "$1"));
    } else {
      out.set(k, v);
    }
  }
  return out;
}

/** First index of `needle` in `hay` at or after `from`, or -1. */
function find(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0], last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** Name, file name and type from a part's header block. */
function partHeaders(block: string): Omit<FormPart, "data"> | undefined {
  let disposition: string | undefined, contentType: string | undefined;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MalformedMultipartError("a part header line has no name");
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === "content-disposition") disposition ??= line.slice(colon + 1);
    else if (name === "content-type") contentType ??= line.slice(colon + 1).trim();
  }
  if (!disposition || disposition.split(";")[0].trim().toLowerCase() !== "form-data") return undefined;
  const params = parameters(disposition);
  const name = params.get("name");
  if (name === undefined) return undefined;
  return { name, filename: params.get("filename") ?? params.get("filename*"), contentType };
}

/**
 * Split a `multipart/form-data` body into its parts, in order. A preamble before the
 * first delimiter and an epilogue after the last are ignored, as are parts that are
 * not `form-data` fields; a body cut short is malformed.
 *
 * @param body The whole body.
 * @param boundary From {@linkcode boundaryOf}.
 * @returns The named parts; their `data` are views into `body`.
 * @throws {MalformedMultipartError} When the body does not follow the format.
 */
export function parseMultipart(body: Uint8Array, boundary: string): FormPart[] {
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  const decoder = new TextDecoder();
  // The first delimiter may open the body, without the CRLF before it.
  let at = body.length >= delimiter.length - 2 && startsAt(body, delimiter, 2, 0)
    ? -2
    : find(body, delimiter, 0);
  if (at === -1) throw new MalformedMultipartError("no delimiter line for the boundary");
  const parts: FormPart[] = [];
  for (;;) {
    let pos = at + delimiter.length;
    if (body[pos] === DASH && body[pos + 1] === DASH) return parts; // the close delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] !== CR || body[pos + 1] !== LF) {
      throw new MalformedMultipartError("a delimiter line ends badly");
    }
    pos += 2;
    let start: number, headers: Omit<FormPart, "data"> | undefined;
    if (body[pos] === CR && body[pos + 1] === LF) {
      start = pos + 2; // no header lines
    } else {
      const end = find(body, HEADER_END, pos);
      if (end === -1) throw new MalformedMultipartError("a part's headers do not end");
      headers = partHeaders(decoder.decode(body.subarray(pos, end)));
      start = end + 4;
    }
    at = find(body, delimiter, start - 2);
    if (at === -1) throw new MalformedMultipartError("the body ends before the close delimiter");
    // An empty part's delimiter follows its blank line at once, sharing its CRLF.
    if (headers) parts.push({ ...headers, data: body.subarray(start, Math.max(start, at)) });
  }
}

const HEADER_END = new Uint8Array([CR, LF, CR, LF]);

/** Whether `hay` holds `needle` from `needle[skip]` on at `offset`. */
function startsAt(hay: Uint8Array, needle: Uint8Array, skip: number, offset: number): boolean {
  for (let k = skip; k < needle.length; k++) if (hay[offset + k - skip] !== needle[k]) return false;
  return true;
}
