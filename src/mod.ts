/**
 * The inference module: the one entry `server/` and `web/` import, and all that they
 * use. Tests and benches that need a stage on its own import its file directly.
 *
 * Runs unchanged in Deno and the browser. Data flows one way: `Pixels` →
 * {@linkcode preprocess} → {@linkcode normalize} → a backend's `run` (`backend.ts`) →
 * {@linkcode toPredictions}; {@linkcode createClassifier} composes them.
 *
 * @example
 * ```ts
 * import { createClassifier, parseMetadata } from "./mod.ts";
 * const c = await createClassifier(onnxBytes, parseMetadata(json));
 * console.log(c.backend, c.attempts);
 * ```
 * @module
 */

export { type BackendAttempt, type BackendName, BACKENDS, type WasmPaths } from "./backend.ts";
export { type Classifier, createClassifier, type PixelsPrediction } from "./classifier.ts";
export { detectEnv } from "./env.ts";
export {
  CorruptImageError,
  ImageTooLargeError,
  InvalidModelError,
  NoBackendError,
  NoDigitError,
  UnsupportedImageError,
} from "./errors.ts";
export { type ModelMetadata, outputColumns, parseMetadata, sha256Hex } from "./metadata.ts";
export { type NotDigitRule, notDigitRule, type Prediction, softmax, toPredictions } from "./postprocess.ts";
export { normalize, PIXELS, type Pixels, preprocess, SIDE } from "./preprocess.ts";
