/**
 * The inference module: the one entry `server/` and `web/` import.
 *
 * Runs unchanged in Deno and the browser. Data flows one way:
 * `Pixels` → {@linkcode preprocess} → {@linkcode normalize} → a backend's `run` →
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

export {
  type BackendAttempt,
  type BackendName,
  BACKENDS,
  type LoadedModel,
  loadModel,
  type LoadOptions,
  type OrtModule,
} from "./backend.ts";
export {
  type Classifier,
  type ClassifierOptions,
  createClassifier,
  type PixelsPrediction,
} from "./classifier.ts";
export { detectEnv, type RuntimeEnv } from "./env.ts";
export {
  CorruptImageError,
  ImageTooLargeError,
  InvalidModelError,
  NoBackendError,
  NoDigitError,
  UnsupportedImageError,
} from "./errors.ts";
export {
  type ModelMetadata,
  type NotDigitMetadata,
  outputColumns,
  parseMetadata,
  sha256Hex,
} from "./metadata.ts";
export { type NotDigitRule, type Prediction, softmax, topK, toPredictions } from "./postprocess.ts";
export {
  BOX,
  centreOfMass,
  greyBytes,
  inkBounds,
  normalize,
  type Pixels,
  preprocess,
  type PreprocessOptions,
  resize,
  SIDE,
  toGrey,
  toInk,
} from "./preprocess.ts";
export { BLOB_RATIO, distanceToPaper, MAX_STROKE_RATIO, strokeWidth, thinToRatio } from "./stroke_width.ts";
