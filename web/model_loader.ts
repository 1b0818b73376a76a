/**
 * Fetch the live model and load it on the first backend that works.
 *
 * Runs in the browser. The model is fetched with relative URLs (`model/convnet.json`,
 * then the file it names), so the page works from the API server, which serves its live
 * model directory there, and from any static host, which serves the copy in `dist/model/`.
 * Backends are tried one `createClassifier` call at a time because each ORT build needs
 * its own `wasmPaths`; the attempts of all calls are merged into one list. The
 * checksum is verified once, on the bytes as fetched.
 * @module
 */

/// <reference lib="dom" />

import {
  type BackendAttempt,
  type BackendName,
  BACKENDS,
  type Classifier,
  createClassifier,
  InvalidModelError,
  type ModelMetadata,
  NoBackendError,
  parseMetadata,
  sha256Hex,
} from "../src/mod.ts";
import { wasmPathsFor } from "./ort_assets.ts";

/** A model's bytes and metadata, fetched once and reused when the backend changes. */
export interface ModelFiles {
  metadata: ModelMetadata;
  bytes: Uint8Array;
}

/**
 * Fetch `model/convnet.json` and the ONNX file it names.
 *
 * @param base Directory URL the model lives under. @default "model/" relative to the page
 * @returns The parsed metadata and the ONNX bytes.
 * @throws {Error} When a request fails (the message names the URL and status).
 * @throws {InvalidModelError} When the metadata is invalid.
 * @example
 * ```ts
 * const { metadata, bytes } = await fetchModel();
 * ```
 */
export async function fetchModel(
  base: string = new URL("model/", document.baseURI).href,
): Promise<ModelFiles> {
  const get = async (url: string) => {
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`Could not load ${url}: HTTP ${res.status}`);
    }
    return res;
  };
  const metadata = parseMetadata(await (await get(new URL("convnet.json", base).href)).json());
  const bytes = new Uint8Array(await (await get(new URL(metadata.file, base).href)).arrayBuffer());
  return { metadata, bytes };
}

/** Options of {@linkcode loadClassifier}. */
export interface LoadClassifierOptions {
  /** Try only this backend. */
  backend?: BackendName;
  /** Backends to try, in order. @default BACKENDS */
  order?: readonly BackendName[];
  /** WASM threads. @default 1 (see docs/web.md: threads do not pay for a 1-MMAC model) */
  numThreads?: number;
}

/**
 * Load the model on the first backend that works.
 *
 * @param model The fetched model.
 * @param options Forced backend or order.
 * @returns The classifier and every attempt made, in order, the chosen one last.
 * @throws {InvalidModelError} When the bytes do not match the metadata's sha256.
 * @throws {NoBackendError} When no backend worked; it carries every attempt.
 * @example
 * ```ts
 * const { classifier, attempts } = await loadClassifier(await fetchModel(), { backend: "wasm" });
 * ```
 */
export async function loadClassifier(
  model: ModelFiles,
  options: LoadClassifierOptions = {},
): Promise<{ classifier: Classifier; attempts: BackendAttempt[] }> {
  const order = options.backend ? [options.backend] : options.order ?? BACKENDS;
  const actual = await sha256Hex(model.bytes);
  if (actual !== model.metadata.sha256) {
    throw new InvalidModelError(`Model sha256 ${actual} does not match metadata ${model.metadata.sha256}`);
  }
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    try {
      const classifier = await createClassifier(model.bytes, model.metadata, {
        backend,
        verifySha256: false,
        wasmPaths: wasmPathsFor(backend),
        numThreads: options.numThreads ?? 1,
      });
      attempts.push(...classifier.attempts);
      return { classifier, attempts };
    } catch (e) {
      if (!(e instanceof NoBackendError)) throw e;
      attempts.push(...e.attempts);
    }
  }
  throw new NoBackendError(attempts);
}
