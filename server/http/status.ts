/**
 * HTTP constants and reply builders, so no handler writes a status or header name literally.
 *
 * Runs in Deno.
 * @module
 */

/** Status codes the server uses. */
export const STATUS = Object.freeze(
  {
    OK: 200,
    NoContent: 204,
    NotModified: 304,
    PermanentRedirect: 308,
    BadRequest: 400,
    NotFound: 404,
    MethodNotAllowed: 405,
    NotAcceptable: 406,
    RequestTimeout: 408,
    ContentTooLarge: 413,
    URITooLong: 414,
    UnsupportedMediaType: 415,
    UnprocessableContent: 422,
    InternalServerError: 500,
    ServiceUnavailable: 503,
  } as const,
);

/** Header names the server reads or writes. */
export const HEADER = Object.freeze(
  {
    Accept: "accept",
    AcceptEncoding: "accept-encoding",
    Allow: "allow",
    CacheControl: "cache-control",
    Connection: "connection",
    ContentEncoding: "content-encoding",
    ContentLength: "content-length",
    ContentType: "content-type",
    ETag: "etag",
    IfNoneMatch: "if-none-match",
    /** Triton's binary tensor data extension: the JSON header's length in a v2 body. */
    InferenceHeaderContentLength: "inference-header-content-length",
    Location: "location",
    Origin: "origin",
    RequestId: "x-request-id",
    RetryAfter: "retry-after",
    TransferEncoding: "transfer-encoding",
    Vary: "vary",
  } as const,
);

/**
 * The `Retry-After` header of a 503 that clients should retry soon.
 *
 * @param seconds Seconds to wait. @default 1
 * @returns A fresh header record (callers may add to it).
 */
export function retryAfter(seconds = 1): Record<string, string> {
  return { [HEADER.RetryAfter]: String(seconds) };
}

/**
 * A JSON response.
 *
 * @param body Serialisable value.
 * @param status HTTP status. @default 200
 * @param headers Extra headers.
 * @returns The response.
 */
export function json(body: unknown, status: number = STATUS.OK, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  if (!h.has(HEADER.ContentType)) h.set(HEADER.ContentType, "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}
