/**
 * Micro-batching: requests that reach the model while it is busy are queued and run
 * together in one `run()` when it frees, up to a batch limit. One session per worker
 * runs one batch at a time either way; this only changes how many images each run takes.
 *
 * Runs in Deno.
 * @module
 */

import type { Prediction } from "../../src/mod.ts";

/** Runs a batch of 28×28 images (0–1) and returns one prediction each. */
export type BatchRunner = (images: Float32Array[]) => Promise<Prediction[]>;

interface Pending {
  images: Float32Array[];
  resolve: (p: Prediction[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Create a micro-batching front for a runner.
 *
 * @param run The runner (e.g. the live classifier's `classifyImages`), looked up per batch.
 * @param maxBatch Most images in one run. @default 64
 * @returns `submit(images)`, resolving with that caller's predictions.
 */
export function createBatcher(run: () => BatchRunner, maxBatch = 64) {
  const queue: Pending[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (queue.length > 0) {
      const items: Pending[] = [];
      let n = 0;
      while (queue.length > 0 && (items.length === 0 || n + queue[0].images.length <= maxBatch)) {
        const item = queue.shift()!;
        items.push(item);
        n += item.images.length;
      }
      try {
        const predictions = await run()(items.flatMap((i) => i.images));
        let k = 0;
        for (const item of items) {
          item.resolve(predictions.slice(k, k + item.images.length));
          k += item.images.length;
        }
      } catch (e) {
        for (const item of items) item.reject(e);
      }
    }
    running = false;
  }

  return {
    /** Queue images; resolves when their batch has run. */
    submit(images: Float32Array[]): Promise<Prediction[]> {
      const { promise, resolve, reject } = Promise.withResolvers<Prediction[]>();
      queue.push({ images, resolve, reject });
      if (!running) drain();
      return promise;
    },
    /** Images waiting now. */
    get waiting(): number {
      return queue.reduce((s, i) => s + i.images.length, 0);
    },
  };
}
