/**
 * One HttpError and the only function that turns a thrown value into a response:
 * RFC 9457 problem details that keep the old service's `detail` field.
 *
 * Runs in Deno.
 * @module
 */

import { CorruptImageError, ImageTooLargeError, NoDigitError, UnsupportedImageError } from "../../src/mod.ts";
import { HEADER, json, STATUS } from "./status.ts";
import type { Logger } from "../log.ts";

/**
 * An error with the HTTP status and message to answer with; `members` are extra body
 * fields (RFC 9457 extension members), e.g. the protocol's `{"ready": false}`.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    readonly members: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** The request body went over the size limit while it streamed in. */
export class BodyTooLargeError extends HttpError {
  constructor(limit: number) {
    super(STATUS.ContentTooLarge, `Request body is larger than the limit of ${limit} bytes`);
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Domain errors and the status each one maps to. */
const DOMAIN: [new (...a: never[]) => Error, number][] = [
  [NoDigitError, STATUS.UnprocessableContent],
  [UnsupportedImageError, STATUS.UnsupportedMediaType],
  [CorruptImageError, STATUS.BadRequest],
  [ImageTooLargeError, STATUS.ContentTooLarge],
];

/**
 * Build a problem-details response.
 *
 * @param status HTTP status.
 * @param detail Human-readable reason.
 * @param requestId Echoed in the body.
 * @param headers Extra headers.
 * @param members Extra body fields (extension members). @default {}
 * @returns The response.
 */
export function problem(
  status: number,
  detail: string,
  requestId?: string,
  headers: Record<string, string> = {},
  members: Record<string, unknown> = {},
): Response {
  return json(
    {
      ...members,
      type: "about:blank",
      title: TITLES[status] ?? "Error",
      status,
      detail,
      ...(requestId ? { request_id: requestId } : {}),
    },
    status,
    { [HEADER.ContentType]: "application/problem+json", ...headers },
  );
}

/**
 * The status an error is answered with: an {@linkcode HttpError}'s own, a domain error's
 * row, else 500.
 *
 * @param err The thrown value.
 * @returns The HTTP status.
 */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  for (const [cls, status] of DOMAIN) if (err instanceof cls) return status;
  return STATUS.InternalServerError;
}

/**
 * How an error body is written: RFC 9457 problem details (the rest of the API), or the
 * Open Inference Protocol's `{"error": "<message>"}` (its `/v2` routes), which keeps our
 * `detail`/`request_id` as extra fields.
 */
export type ErrorFormat = "problem" | "inference";

/**
 * Map anything thrown by a handler to a response; unknown errors are logged and answered 500.
 *
 * @param err The thrown value.
 * @param requestId The request's id.
 * @param log Logger for unexpected errors.
 * @param format The body format. @default "problem"
 * @returns The error response.
 */
export function errorResponse(
  err: unknown,
  requestId: string,
  log: Pick<Logger, "error">,
  format: ErrorFormat = "problem",
): Response {
  const status = statusOf(err);
  let detail: string;
  if (err instanceof HttpError) detail = err.detail;
  else if (status !== STATUS.InternalServerError) detail = (err as Error).message;
  else {
    log.error("unhandled error", {
      request_id: requestId,
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    detail = "Internal server error";
  }
  const headers = err instanceof HttpError ? err.headers : {};
  const members = err instanceof HttpError ? err.members : {};
  if (format === "inference") {
    return json({ ...members, error: detail, detail, status, request_id: requestId }, status, headers);
  }
  return problem(status, detail, requestId, headers, members);
}
