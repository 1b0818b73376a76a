/**
 * Read request bodies under a byte limit and a time limit, counting while streaming,
 * so a huge or endless upload is refused without being buffered.
 *
 * Runs in Deno.
 * @module
 */

import { BodyTooLargeError, HttpError } from "./errors.ts";
import { HEADER, STATUS } from "./status.ts";
import { boundaryOf, type FormPart, MalformedMultipartError, parseMultipart } from "./multipart.ts";

/** Limits for {@linkcode readBody}. */
export interface BodyLimits {
  /** Most bytes accepted. */
  maxBytes: number;
  /** Most milliseconds to receive the whole body. */
  timeoutMs: number;
}

/**
 * Refuse at once a body whose declared `Content-Length` is over the limit. Trusted
 * only without `Transfer-Encoding`, as the declared length then binds the sender.
 */
function checkDeclared(req: Request, maxBytes: number): void {
  const declared = req.headers.get(HEADER.ContentLength);
  if (declared !== null && !req.headers.has(HEADER.TransferEncoding) && Number(declared) > maxBytes) {
    throw new BodyTooLargeError(maxBytes);
  }
}

/**
 * The request body as a stream that errors past `maxBytes` or after `timeoutMs`.
 *
 * @param req The request.
 * @param limits Byte and time limits.
 * @returns A guarded copy of the body stream (empty when there is none).
 * @throws {BodyTooLargeError} When Content-Length already declares too much.
 */
function guardedBody(req: Request, limits: BodyLimits): ReadableStream<Uint8Array> {
  checkDeclared(req, limits.maxBytes);
  const source = req.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  let seen = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        const err = new HttpError(
          STATUS.RequestTimeout,
          `Request body not received within ${limits.timeoutMs} ms`,
        );
        controller.error(err);
        reader.cancel(err).catch(() => undefined);
      }, limits.timeoutMs);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          controller.close();
          return;
        }
        seen += value.byteLength;
        if (seen > limits.maxBytes) {
          clearTimeout(timer);
          const err = new BodyTooLargeError(limits.maxBytes);
          controller.error(err);
          await reader.cancel(err).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      } catch (e) {
        clearTimeout(timer);
        // The client went away mid-body (or the read failed): a client error, not ours.
        controller.error(
          e instanceof HttpError
            ? e
            : new HttpError(STATUS.BadRequest, `Request body could not be read: ${(e as Error).message}`),
        );
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

/**
 * Read the whole body into memory, within the limits.
 *
 * @param req The request.
 * @param limits Byte and time limits.
 * @returns The bytes.
 * @throws {BodyTooLargeError} Past `maxBytes`.
 * @throws {HttpError} 408 past `timeoutMs`.
 */
export async function readBody(req: Request, limits: BodyLimits): Promise<Uint8Array> {
  return new Uint8Array(await new Response(guardedBody(req, limits)).arrayBuffer());
}

/**
 * Read and parse a `multipart/form-data` body within the limits.
 *
 * @param req The request.
 * @param limits Byte and time limits.
 * @returns The form's parts, in order; their bytes are views into the body.
 * @throws {HttpError} 400 when the multipart body is malformed, 408 or 413 from the limits.
 */
export async function readForm(req: Request, limits: BodyLimits): Promise<FormPart[]> {
  try {
    // The boundary first: a request without one is refused before its body is read.
    const boundary = boundaryOf(req.headers.get(HEADER.ContentType) ?? "");
    return parseMultipart(await readBody(req, limits), boundary);
  } catch (e) {
    if (!(e instanceof MalformedMultipartError)) throw e;
    await req.body?.cancel().catch(() => undefined);
    throw new HttpError(STATUS.BadRequest, `Malformed multipart body: ${e.message}`);
  }
}
