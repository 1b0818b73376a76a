/**
 * What every route handler gets: configuration, the live model, metrics, logger,
 * and the worker's lifecycle state. Every model run goes through {@linkcode Context.infer}:
 * the classifier for the batch's size (BACKEND=auto), micro-batching when configured,
 * inference metrics, and the backend and version of the classifier that actually ran.
 *
 * Runs in Deno.
 * @module
 */

import {
  type BackendName,
  normalize,
  type NotDigitRule,
  notDigitRule,
  outputColumns,
  PIXELS,
  type Pixels,
  type Prediction,
  toPredictions,
} from "../../src/mod.ts";
import { createDecodePool } from "../images/pool.ts";
import type { SpawnDecodeWorker } from "../images/link.ts";
import { createBatcher } from "../model/batcher.ts";
import type { BackendRouter } from "../model/router.ts";
import type { ModelStore } from "../model/store.ts";
import type { Config } from "../config.ts";
import { createDrainGate, type DrainGate } from "./drain.ts";
import type { Logger } from "../log.ts";
import { batchBucket, type Metrics } from "../metrics.ts";

/** Service version, reported by `/api/info` and the OpenAPI document. */
export const SERVICE_VERSION = "2.0.0";

/**
 * One image for the model: 0–1 pixels (the pre-processing's output, normalised with the
 * metadata of the classifier that runs it), or an already normalised tensor row (v2).
 */
export interface ModelInput {
  data: Float32Array;
  normalised: boolean;
}

/** The model that ran a batch. */
export interface RanOn {
  backend: BackendName;
  modelVersion: string;
  /** Classes per image (the digits). */
  classes: number;
  /** Outputs per image: the classes' logits, then "not a digit" where the model has it. */
  columns: number;
  /** The model's "not a digit" logit and calibrated threshold, if it has one. */
  notDigit?: NotDigitRule;
}

/** Every output per input (`columns` each), and the model that computed them. */
export interface Inference extends RanOn {
  outputs: Float32Array[];
}

/** Predictions per image, and the model that made them. */
export interface Classified extends RanOn {
  predictions: Prediction[];
}

/** Shared state of one server worker. */
export interface Context {
  config: Config;
  store: ModelStore;
  metrics: Metrics;
  log: Logger;
  /** Set when shutdown starts: readiness answers 503 and every response says `Connection: close`. */
  draining: boolean;
  /** Where requests wait just before the listener closes (cluster/drain.ts). */
  gate: DrainGate;
  /** Heavy requests being handled now (http/middleware/shed.ts counts them). */
  inflight: number;
  /** Per-batch-size backend routing (`BACKEND=auto`). */
  router?: BackendRouter;
  /** Merged metrics of every worker (the main thread gathers them); this worker's alone when absent. */
  gatherMetrics?: () => Promise<{ text: string; contentType: string }>;
  /** Starts decode workers; a worker of this thread when absent (see images/link.ts). */
  spawnDecodeWorker?: SpawnDecodeWorker;
  /** Decode an upload (hostile-input safe: see images/pool.ts). */
  decode(bytes: Uint8Array): Promise<Pixels>;
  /** Stop helpers (the decode worker). */
  close(): void;
  /** Run inputs through the model: one run, or part of a micro-batch. */
  infer(inputs: ModelInput[]): Promise<Inference>;
  /** Classify 28×28 images (0–1): {@linkcode Context.infer}, then softmax and top-1. */
  classify(images: Float32Array[]): Promise<Classified>;
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
  const decodePool = createDecodePool({
    maxPixels: parts.config.maxPixels,
    timeoutMs: parts.config.decodeTimeoutMs,
    onTimeout: () => parts.metrics.decodeTimeouts.inc(),
    spawn: parts.spawnDecodeWorker,
  });

  /** One model run on the classifier picked for this size; answers per input. */
  async function run(inputs: ModelInput[]): Promise<{ items: Float32Array[]; meta: RanOn }> {
    const n = inputs.length;
    const classifier = parts.router?.pick(n) ?? parts.store.current;
    const { metadata, backend } = classifier;
    const { mean, std } = metadata.normalization;
    const tensor = new Float32Array(n * PIXELS);
    inputs.forEach((input, i) => {
      if (input.data.length !== PIXELS) {
        throw new TypeError(`Input ${i} has ${input.data.length} values, expected ${PIXELS}`);
      }
      const row = tensor.subarray(i * PIXELS, (i + 1) * PIXELS);
      if (input.normalised) row.set(input.data);
      else normalize(input.data, mean, std, row);
    });
    const t0 = performance.now();
    const outputs = n === 0 ? new Float32Array(0) : await classifier.outputs(tensor, n);
    parts.metrics.inferenceSeconds.observe(
      { backend, batch: batchBucket(n) },
      (performance.now() - t0) / 1000,
    );
    const classes = metadata.labels.length;
    const columns = outputColumns(metadata);
    const items = inputs.map((_, i) => outputs.slice(i * columns, (i + 1) * columns));
    const notDigit = notDigitRule(metadata);
    return { items, meta: { backend, modelVersion: metadata.version, classes, columns, notDigit } };
  }

  const batcher = createBatcher(run);
  const infer = async (inputs: ModelInput[]): Promise<Inference> => {
    const { items, meta } = parts.config.microBatch && inputs.length < 64
      ? await batcher.submit(inputs)
      : await run(inputs);
    return { ...meta, outputs: items };
  };

  return {
    ...parts,
    decode: (bytes) => decodePool.decode(bytes),
    close: () => decodePool.close(),
    draining: false,
    gate: createDrainGate(),
    inflight: 0,
    infer,
    async classify(images) {
      const { outputs, ...ranOn } = await infer(images.map((data) => ({ data, normalised: false })));
      const flat = new Float32Array(outputs.length * ranOn.columns);
      outputs.forEach((row, i) => flat.set(row, i * ranOn.columns));
      const predictions = toPredictions(flat, ranOn.classes, ranOn.notDigit);
      for (const p of predictions) {
        parts.metrics.predictions.inc({ class: p.isDigit ? String(p.predictedClass) : "not_digit" });
      }
      return { ...ranOn, predictions };
    },
  };
}
