/**
 * A classifier: a loaded model with its metadata, composing the stages
 * pixels → 28×28 ink → normalised tensor → run → predictions.
 *
 * Runs in Deno and the browser.
 * @module
 */

import { type BackendAttempt, type BackendName, loadModel, type LoadOptions } from "./backend.ts";
import { InvalidModelError } from "./errors.ts";
import { type ModelMetadata, outputColumns, sha256Hex } from "./metadata.ts";
import { notDigitRule, type Prediction, toPredictions } from "./postprocess.ts";
import { normalize, PIXELS, type Pixels, preprocess, type PreprocessOptions } from "./preprocess.ts";

/** Options of {@linkcode createClassifier}. */
export interface ClassifierOptions extends Omit<LoadOptions, "inputName" | "outputName" | "outputSize"> {
  /** Check the ONNX bytes against the metadata's sha256 first. @default true */
  verifySha256?: boolean;
  /** Passed to {@linkcode preprocess}. */
  preprocess?: PreprocessOptions;
}

/** A prediction together with the 28×28 image the model saw (0–1, for previews). */
export interface PixelsPrediction extends Prediction {
  input: Float32Array;
}

/** A model ready to classify; see {@linkcode createClassifier}. */
export interface Classifier {
  readonly metadata: ModelMetadata;
  readonly backend: BackendName;
  readonly attempts: readonly BackendAttempt[];
  /** Version of onnxruntime-web running the model. */
  readonly runtimeVersion: string;
  /** Pre-process each image and classify them in one batch. */
  classifyPixels(images: readonly Pixels[]): Promise<PixelsPrediction[]>;
  /** Classify 28×28 images in 0–1 (light ink on dark), normalised here. */
  classifyImages(images: readonly ArrayLike<number>[]): Promise<Prediction[]>;
  /** Classify an already normalised `[batch, 1, 28, 28]` tensor. */
  classifyTensor(tensor: Float32Array, batch: number): Promise<Prediction[]>;
  /** Class logits of a normalised tensor: `labels.length` per image (a "not a digit" logit is left out). */
  logits(tensor: Float32Array, batch: number): Promise<Float32Array>;
  /** Every logit the model returns: `outputColumns(metadata)` per image, the classes' then "not a digit". */
  outputs(tensor: Float32Array, batch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Load a model and return a classifier for it.
 *
 * @param model The ONNX file's bytes.
 * @param metadata Its metadata (see `parseMetadata`).
 * @param options Backend choice, runtime flags, checks.
 * @returns The classifier, with the backend chosen and the attempts made.
 * @throws {InvalidModelError} When the sha256 does not match.
 * @throws {NoBackendError} When no backend can run the model.
 * @example
 * ```ts
 * const c = await createClassifier(bytes, parseMetadata(json), { order: ["wasm"] });
 * const [p] = await c.classifyPixels([{ width, height, channels: 4, data }]);
 * ```
 */
export async function createClassifier(
  model: Uint8Array,
  metadata: ModelMetadata,
  options: ClassifierOptions = {},
): Promise<Classifier> {
  if (options.verifySha256 ?? true) {
    const actual = await sha256Hex(model);
    if (actual !== metadata.sha256) {
      throw new InvalidModelError(`Model sha256 ${actual} does not match metadata ${metadata.sha256}`);
    }
  }
  const classes = metadata.labels.length;
  const loaded = await loadModel(model, {
    ...options,
    inputName: metadata.input.name,
    outputName: metadata.output.name,
    outputSize: outputColumns(metadata),
  });
  const { mean, std } = metadata.normalization;
  const notDigit = notDigitRule(metadata);

  const columns = outputColumns(metadata);
  const outputs = (tensor: Float32Array, batch: number) => loaded.run(tensor, batch);
  const logits = async (tensor: Float32Array, batch: number) => {
    const all = await outputs(tensor, batch);
    if (columns === classes) return all;
    // The class logits only, as from a model without "not a digit": callers that read
    // `classes` logits per image keep working.
    const out = new Float32Array(batch * classes);
    for (let r = 0; r < batch; r++) out.set(all.subarray(r * columns, r * columns + classes), r * classes);
    return out;
  };
  const classifyTensor = async (tensor: Float32Array, batch: number) =>
    batch === 0 ? [] : toPredictions(await outputs(tensor, batch), classes, notDigit);
  const classifyImages = (images: readonly ArrayLike<number>[]) => {
    const tensor = new Float32Array(images.length * PIXELS);
    images.forEach((img, i) => {
      if (img.length !== PIXELS) {
        throw new TypeError(`Image ${i} has ${img.length} values, expected ${PIXELS}`);
      }
      normalize(img, mean, std, tensor.subarray(i * PIXELS, (i + 1) * PIXELS));
    });
    return classifyTensor(tensor, images.length);
  };

  return {
    metadata,
    backend: loaded.backend,
    attempts: loaded.attempts,
    runtimeVersion: loaded.runtimeVersion,
    logits,
    outputs,
    classifyTensor,
    classifyImages,
    async classifyPixels(images) {
      const inputs = images.map((p) => preprocess(p, options.preprocess));
      const predictions = await classifyImages(inputs);
      return predictions.map((p, i) => ({ ...p, input: inputs[i] }));
    },
    release: () => loaded.release(),
  };
}
