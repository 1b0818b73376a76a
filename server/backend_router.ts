/**
 * `BACKEND=auto`: pick the backend per batch size from a measurement at start-up
 * rather than by preference. The worker becomes ready on WASM at once; in the
 * background it loads the model on WebGPU too (when an adapter exists), times both at
 * batch sizes 1, 8, 64 and 256, and from then on sends each batch to the faster one.
 * The table is reported in `/api/info`; it is measured again after a model swap.
 *
 * Runs in Deno.
 * @module
 */

import { type BackendName, type Classifier, createClassifier, parseMetadata } from "../src/mod.ts";
import type { Logger } from "./log.ts";
import type { ModelStore } from "./model_store.ts";

/** One measured batch size. */
export interface RouteRow {
  batch: number;
  backend: BackendName;
  /** Median milliseconds per run, by backend. */
  ms: Partial<Record<BackendName, number>>;
}

/** What `/api/info` shows of the routing. */
export interface RoutingInfo {
  mode: "auto";
  state: "measuring" | "measured" | "wasm only";
  reason?: string;
  table: RouteRow[];
}

const SIZES = [1, 8, 64, 256];

async function median(c: Classifier, batch: number, reps: number): Promise<number> {
  const input = new Float32Array(batch * 784).fill(0.1);
  await c.logits(input, batch); // warm-up: first runs compile kernels
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await c.logits(input, batch);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
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
  async measure(reps = 5): Promise<void> {
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
    for (const batch of SIZES) {
      const ms = { [main.backend]: await median(main, batch, reps), webgpu: await median(alt, batch, reps) };
      const backend = (Object.entries(ms).sort((a, b) => a[1] - b[1])[0][0]) as BackendName;
      table.push({ batch, backend, ms });
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
