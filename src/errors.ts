/**
 * Domain errors of the inference module. Callers catch them by class; the server
 * maps each to one HTTP status in `server/http/errors.ts`.
 *
 * Runs in Deno and the browser.
 * @module
 */

import type { BackendAttempt } from "./backend.ts";

/** The image holds no ink: nothing to classify, so nothing is guessed. */
export class NoDigitError extends Error {
  override name = "NoDigitError";
  constructor(message = "No digit found: the image has no ink") {
    super(message);
  }
}

/** No backend could create a session that passed the smoke test. */
export class NoBackendError extends Error {
  override name = "NoBackendError";
  /** One entry per backend tried, with why it was skipped. */
  readonly attempts: readonly BackendAttempt[];
  constructor(attempts: readonly BackendAttempt[]) {
    super(
      "No backend available: " +
        attempts.map((a) => `${a.backend} ${a.status}${a.reason ? ` (${a.reason})` : ""}`).join("; "),
    );
    this.attempts = attempts;
  }
}

/** A model file or its metadata is invalid (bad shape, checksum mismatch, corrupt). */
export class InvalidModelError extends Error {
  override name = "InvalidModelError";
}

/** The bytes are not an image in a supported format. */
export class UnsupportedImageError extends Error {
  override name = "UnsupportedImageError";
}

/** The bytes start like a supported image but cannot be decoded. */
export class CorruptImageError extends Error {
  override name = "CorruptImageError";
}

/** The image declares more pixels than allowed. */
export class ImageTooLargeError extends Error {
  override name = "ImageTooLargeError";
}
