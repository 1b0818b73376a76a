/**
 * What every route handler gets: configuration, the live model, metrics, logger,
 * and the worker's lifecycle state.
 *
 * Runs in Deno.
 * @module
 */

import type { BackendName, Pixels, Prediction } from "../../src/mod.ts";
import { createDecodePool } from "../images/pool.ts";
import { createBatcher } from "../model/batcher.ts";
import type { BackendRouter } from "../model/router.ts";
import type { Config } from "../config.ts";
import type { SpawnDecodeWorker } from "../images/link.ts";
import type { Logger } from "../log.ts";
import { batchBucket, type Metrics } from "../metrics.ts";
import type { ModelStore } from "../model/store.ts";

/** Service version, reported by `/api/info` and the OpenAPI document. */
export const SERVICE_VERSION = "2.0.0";

/** Shared state of one server worker. */
export interface Context {
  config: Config;
  store: ModelStore;
  metrics: Metrics;
  log: Logger;
  /** Set when shutdown starts: readiness answers 503 from then on. */
  draining: boolean;
  /** Requests being handled now. */
  inflight: number;
  /** Per-batch-size backend routing (`BACKEND=auto`). */
  router?: BackendRouter;
  /** Merged metrics of every worker (the main thread gathers them); this worker's alone when absent. */
  gatherMetrics?: () => Promise<{ text: string; contentType: string }>;
  /** Starts decode workers; a worker of this thread when absent (see images/link.ts). */
  spawnDecodeWorker?: SpawnDecodeWorker;
  /** Decode an upload (hostile-input safe: see decode_pool.ts). */
  decode(bytes: Uint8Array): Promise<Pixels>;
  /** Stop helpers (the decode worker). */
  close(): void;
  /** Classify 28×28 images (0–1) on the live model, micro-batched when configured. */
  classify(images: Float32Array[]): Promise<Prediction[]>;
  /** The backend a batch of `n` images runs on. */
  backendFor(n: number): BackendName;
  /** Record one model run. */
  observeInference(backend: BackendName, batch: number, seconds: number): void;
}

/**
 * Create a context.
 *
 * @param parts Everything but the derived members.
 * @returns The context.
 */
export function createContext(
  parts: Pick<
    Context,
    "config" | "store" | "metrics" | "log" | "gatherMetrics" | "router" | "spawnDecodeWorker"
  >,
): Context {
  const decoder = createDecodePool({
    maxPixels: parts.config.maxPixels,
    timeoutMs: parts.config.decodeTimeoutMs,
    onTimeout: () => parts.metrics.decodeTimeouts.inc(),
    spawn: parts.spawnDecodeWorker,
  });
  const pick = (n: number) => parts.router?.pick(n) ?? parts.store.current;
  const batcher = createBatcher(() => (images) => pick(images.length).classifyImages(images));
  return {
    ...parts,
    classify: (images) =>
      parts.config.microBatch && images.length < 64
        ? batcher.submit(images)
        : pick(images.length).classifyImages(images),
    backendFor: (n) => pick(n).backend,
    decode: (bytes) => decoder.decode(bytes),
    close: () => decoder.close(),
    draining: false,
    inflight: 0,
    observeInference(backend, batch, seconds) {
      parts.metrics.inferenceSeconds.observe({ backend, batch: batchBucket(batch) }, seconds);
    },
  };
}
