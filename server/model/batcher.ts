/**
 * Micro-batching: requests that reach the model while it is busy are queued and run
 * together in one `run()` when it frees, up to a batch limit. One session per worker
 * runs one batch at a time either way; this only changes how many inputs each run takes.
 *
 * Runs in Deno.
 * @module
 */

/** One run's answers, one per input, and what the whole run shares (the model that ran it). */
export interface BatchResult<R, M> {
  items: R[];
  meta: M;
}

/** Runs a batch of inputs at once. */
export type BatchRunner<T, R, M> = (inputs: T[]) => Promise<BatchResult<R, M>>;

interface Pending<T, R, M> {
  inputs: T[];
  resolve: (r: BatchResult<R, M>) => void;
  reject: (e: unknown) => void;
}

/**
 * Create a micro-batching front for a runner.
 *
 * @param run Runs one batch (e.g. on the classifier the router picks for its size).
 * @param maxBatch Most inputs in one run. @default 64
 * @returns `submit(inputs)`, resolving with that caller's answers and the run's `meta`.
 * @example
 * ```ts
 * const b = createBatcher(async (xs: number[]) => ({ items: xs.map((x) => x * 2), meta: "cpu" }));
 * await b.submit([1, 2]); // { items: [2, 4], meta: "cpu" }
 * ```
 */
export function createBatcher<T, R, M>(run: BatchRunner<T, R, M>, maxBatch = 64) {
  const queue: Pending<T, R, M>[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (queue.length > 0) {
      const batch: Pending<T, R, M>[] = [];
      let n = 0;
      while (queue.length > 0 && (batch.length === 0 || n + queue[0].inputs.length <= maxBatch)) {
        const item = queue.shift()!;
        batch.push(item);
        n += item.inputs.length;
      }
      try {
        const { items, meta } = await run(batch.flatMap((p) => p.inputs));
        let k = 0;
        for (const p of batch) {
          p.resolve({ items: items.slice(k, k + p.inputs.length), meta });
          k += p.inputs.length;
        }
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    running = false;
  }

  return {
    /** Queue inputs; resolves when their batch has run. */
    submit(inputs: T[]): Promise<BatchResult<R, M>> {
      const { promise, resolve, reject } = Promise.withResolvers<BatchResult<R, M>>();
      queue.push({ inputs, resolve, reject });
      if (!running) drain();
      return promise;
    },
  };
}
