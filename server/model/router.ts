/**
 * `BACKEND=auto`: pick the backend per batch size from a measurement at start-up
 * rather than by preference. The worker becomes ready on WASM at once; in the
 * background it loads the model on WebGPU too (when an adapter exists), times both at
 * batch sizes 1, 8, 64 and 256 (stopping early once WebGPU cannot win), and from then
 * on sends each batch to the faster one.
 * The table is reported in `/api/info`; it is measured again after a model swap.
 *
 * Runs in Deno.
 * @module
 */

import { type BackendName, type Classifier, createClassifier, parseMetadata } from "../../src/mod.ts";
import type { Logger } from "../log.ts";
import type { ModelStore } from "./store.ts";

/** One measured batch size. */
export interface RouteRow {
  batch: number;
  backend: BackendName;
  /** Median milliseconds per run, by backend. */
  ms: Partial<Record<BackendName, number>>;
  /** Why WebGPU was not timed at this size, when it was not. */
  skipped?: string;
}

/** What `/api/info` shows of the routing. */
export interface RoutingInfo {
  mode: "auto";
  state: "measuring" | "measured" | "wasm only";
  reason?: string;
  table: RouteRow[];
}

const SIZES = [1, 8, 64, 256];

/**
 * WebGPU must beat WASM by this factor to get a batch size. A near tie goes to WASM:
 * it has no ~11 ms map-back floor when a smaller batch than measured comes in, and on
 * a noisy host a single run of the measurement can flip a tie (seen on an H100 host).
 */
export const WEBGPU_MARGIN = 0.9;

/**
 * The backend for one batch size, from the median milliseconds per run of each.
 *
 * @param ms Median ms per run by backend; a missing or non-finite entry never wins.
 * @returns `"webgpu"` when it is at least {@linkcode WEBGPU_MARGIN} times WASM's time, else `"wasm"`.
 */
export function chooseBackend(ms: Partial<Record<BackendName, number>>): BackendName {
  const { wasm, webgpu } = ms;
  if (webgpu === undefined || !Number.isFinite(webgpu)) return "wasm";
  if (wasm === undefined || !Number.isFinite(wasm)) return "webgpu";
  return webgpu < wasm * WEBGPU_MARGIN ? "webgpu" : "wasm";
}

const mid = (xs: number[]) => xs.toSorted((a, b) => a - b)[xs.length >> 1];

/**
 * Median ms per run of each classifier at one batch size, after one untimed run each
 * (first runs compile kernels), timed in turns so that a busy neighbour slows all alike.
 */
async function medians(cs: Classifier[], batch: number, reps: number): Promise<number[]> {
  const input = new Float32Array(batch * 784).fill(0.1);
  for (const c of cs) await c.logits(input, batch);
  const times = cs.map((): number[] => []);
  for (let i = 0; i < reps; i++) {
    for (const [k, c] of cs.entries()) {
      const t = performance.now();
      await c.logits(input, batch);
      times[k].push(performance.now() - t);
    }
  }
  return times.map(mid);
}

/** Routes batches to the backend measured fastest for their size. */
export class BackendRouter {
  #alt: Classifier | undefined;
  #info: RoutingInfo = { mode: "auto", state: "measuring", table: [] };
  #store: ModelStore;
  #log: Logger;

  constructor(store: ModelStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** The routing state, for `/api/info`. */
  get info(): RoutingInfo {
    return this.#info;
  }

  /** The classifier to run a batch of `n` images on. */
  pick(n: number): Classifier {
    const row = this.#info.table.find((r) => n <= r.batch) ?? this.#info.table.at(-1);
    return row?.backend === "webgpu" && this.#alt ? this.#alt : this.#store.current;
  }

  /** Load the live model on WebGPU and time both backends; call again after a swap. */
  async measure(reps = 9): Promise<void> {
    const main = this.#store.current;
    const files = this.#store.files!;
    const old = this.#alt;
    this.#alt = undefined;
    this.#info = { mode: "auto", state: "measuring", table: [] };
    setTimeout(() => old?.release().catch(() => undefined), 10_000);
    let alt: Classifier;
    try {
      alt = await createClassifier(files.onnx, parseMetadata(JSON.parse(files.json)), { backend: "webgpu" });
    } catch (e) {
      this.#info = { mode: "auto", state: "wasm only", reason: (e as Error).message, table: [] };
      this.#log.info("backend routing: WebGPU unavailable, WASM for every batch", {
        reason: this.#info.reason,
      });
      return;
    }
    const table: RouteRow[] = [];
    // A run never gets cheaper with more images, so once WebGPU takes longer at some size than
    // WASM takes at the largest, it loses at every size from there on: stop timing it (on a
    // software adapter that saves seconds of CPU at start-up, ~7 s per worker on lavapipe).
    const largest = SIZES.at(-1)!;
    const [bound] = await medians([main], largest, 3);
    let loses: string | undefined;
    for (const batch of SIZES) {
      if (loses) {
        const [own] = batch === largest ? [bound] : await medians([main], batch, reps);
        table.push({ batch, backend: main.backend, ms: { [main.backend]: own }, skipped: loses });
        continue;
      }
      const [own, gpu] = await medians([main, alt], batch, reps);
      const ms = { [main.backend]: own, webgpu: gpu };
      table.push({ batch, backend: chooseBackend(ms), ms });
      if (gpu > bound) {
        loses = `WebGPU took ${gpu.toFixed(1)} ms at batch ${batch}, more than ` +
          `${main.backend.toUpperCase()} at batch ${largest} (${bound.toFixed(1)} ms)`;
      }
    }
    if (this.#store.current !== main) {
      await alt.release(); // the model changed while we measured: the next measurement counts
      return;
    }
    this.#alt = alt;
    this.#info = { mode: "auto", state: "measured", table };
    this.#log.info("backend routing measured", { table });
  }
}
