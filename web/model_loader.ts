/**
 * Fetch the live model and load it on the first backend that works.
 *
 * Runs in the browser. The model is fetched with relative URLs (`model/convnet.json`,
 * then the file it names), so the page works from the API server, which serves its live
 * model directory there, and from any static host, which serves the copy in `dist/model/`.
 * Loading is one `createClassifier` call: `src/` tries the backends in order, verifies
 * the sha256 of the bytes as fetched and queues loads; the page only tells it where each
 * ORT build's binary is (`ort_assets.ts`).
 * @module
 */

/// <reference lib="dom" />

import {
  type BackendName,
  type Classifier,
  createClassifier,
  type ModelMetadata,
  parseMetadata,
} from "../src/mod.ts";
import { wasmPathsFor } from "./ort_assets.ts";

/** A model's bytes and metadata, fetched once and reused when the backend changes. */
export interface FetchedModel {
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
): Promise<FetchedModel> {
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
  /** Backends to try, in order. @default BACKENDS (in `src/`) */
  order?: readonly BackendName[];
  /** WASM threads. @default 1 (see docs/web.md: threads do not pay for a 1-MMAC model) */
  numThreads?: number;
}

/**
 * Load the model on the first backend that works, with this build's WASM binaries.
 *
 * @param model The fetched model.
 * @param options Forced backend or order.
 * @returns The classifier; its `attempts` list every backend tried, the chosen one last.
 * @throws {InvalidModelError} When the bytes do not match the metadata's sha256.
 * @throws {NoBackendError} When no backend worked; it carries every attempt.
 * @example
 * ```ts
 * const classifier = await loadClassifier(await fetchModel(), { backend: "wasm" });
 * ```
 */
export function loadClassifier(
  model: FetchedModel,
  options: LoadClassifierOptions = {},
): Promise<Classifier> {
  return createClassifier(model.bytes, model.metadata, {
    backend: options.backend,
    order: options.order,
    wasmPaths: wasmPathsFor,
    numThreads: options.numThreads ?? 1,
  });
}
