/**
 * Run an async task for the latest request only: at most one run in flight, and
 * requests made meanwhile collapse into one run with the newest value.
 *
 * Runs anywhere. Live prediction uses it: while the model classifies one frame of a
 * stroke, later frames replace each other, and only the newest is classified next, so
 * the page never queues stale work behind a slow backend. Backend switches use it the
 * same way: while one backend loads, later picks replace each other.
 * @module
 */

/** See {@linkcode latestRunner}. */
export interface LatestRunner<T> {
  /** Ask for a run with `value`; replaces any value still waiting. */
  request(value: T): void;
  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void>;
}

/**
 * Wrap a task so that runs never overlap and stale requests are dropped.
 *
 * @param task The work; its rejections are passed to `onError`.
 * @param onError Called with each error the task throws.
 * @returns The runner.
 * @example
 * ```ts
 * const live = latestRunner((final: boolean) => classify(final), reportError);
 * live.request(false); live.request(false); live.request(true); // runs at most twice
 * ```
 */
export function latestRunner<T>(
  task: (value: T) => Promise<void>,
  onError: (e: unknown) => void,
): LatestRunner<T> {
  let waiting: { value: T } | undefined;
  let running: Promise<void> | undefined;

  const loop = async () => {
    while (waiting) {
      const { value } = waiting;
      waiting = undefined;
      try {
        await task(value);
      } catch (e) {
        onError(e);
      }
    }
    running = undefined;
  };

  return {
    request(value) {
      waiting = { value };
      running ??= loop();
    },
    async idle() {
      while (running) await running;
    },
  };
}
