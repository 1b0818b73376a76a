/**
 * The gate a server worker holds requests at just before its listener closes, and the
 * wait for a moment when closing it loses nothing.
 *
 * Why, from what `Deno.serve`'s `shutdown()` does (Deno 2.9.6, measured: docs/reliability.md):
 * 1. it closes the listening socket, and the kernel resets every connection still in its
 *    accept queue;
 * 2. it closes, without an answer, each connection it accepted whose request it has not
 *    parsed yet, even when the request's bytes have arrived;
 * 3. after it, a request body that JavaScript has not read in full can no longer be read
 *    (`BadResource`), even when its bytes have arrived.
 *
 * So the listener closes only when no connection is on its way in and no request body is
 * unread. Holding every new request at a gate makes the clients that wait for their answer
 * before they connect again (nearly all of them) stop connecting; a held request's body is
 * read at the gate first. Once no request has arrived for a while, with this thread free to
 * notice one, and every body is in, the listener closes; then the gate opens and the held
 * requests are answered.
 *
 * Runs in Deno (a server worker).
 * @module
 */

/** How the drain moves on; main.ts and the server workers use the same figures. */
export const DRAIN = Object.freeze({
  /** No new request for this long, with the event loop turning, counts as quiet. */
  quietMs: 100,
  /** Longest hold before the listeners close anyway (clients that never wait for answers). */
  holdMaxMs: 1000,
  /** The event-loop check's period; a tick later than 3 periods means the loop was blocked. */
  tickMs: 10,
});

/** Requests wait here while the gate is closed; it also counts what is still on its way in. */
export interface DrainGate {
  /** Whether requests wait. */
  readonly closed: boolean;
  /** Requests that have reached the gate so far. */
  readonly arrivals: number;
  /** Requests waiting now. */
  readonly waiting: number;
  /** Work that still reads a request body (see {@linkcode DrainGate.settle}). */
  readonly unsettled: number;
  /** Count one request's arrival. */
  arrive(): void;
  /**
   * Wait while the gate is closed.
   *
   * @returns `undefined` while the gate is open; otherwise a promise that resolves when it opens.
   */
  pass(): Promise<void> | undefined;
  /**
   * Count `work` (reading a body, or answering a request whose body someone downstream reads)
   * as unsettled until it settles.
   *
   * @param work The work.
   * @returns `work`.
   */
  settle<T>(work: Promise<T>): Promise<T>;
  /** Make requests wait. */
  close(): void;
  /** Let the waiting requests through, and any later ones. */
  open(): void;
  /** Resolves at the next request's arrival. */
  nextArrival(): Promise<void>;
  /** Resolves once nothing is unsettled. */
  settled(): Promise<void>;
}

/**
 * Create an open gate.
 *
 * @returns The gate.
 * @example
 * ```ts
 * const gate = createDrainGate();
 * gate.close();
 * const held = gate.pass(); // a promise: this request waits
 * gate.open();
 * await held;
 * ```
 */
export function createDrainGate(): DrainGate {
  let closed = false;
  let arrivals = 0;
  let waiting = 0;
  let unsettled = 0;
  let opened = Promise.withResolvers<void>();
  const arrived: (() => void)[] = [];
  const whenSettled: (() => void)[] = [];
  return {
    get closed() {
      return closed;
    },
    get arrivals() {
      return arrivals;
    },
    get waiting() {
      return waiting;
    },
    get unsettled() {
      return unsettled;
    },
    arrive() {
      arrivals++;
      for (const f of arrived.splice(0)) f();
    },
    pass() {
      if (!closed) return undefined;
      waiting++;
      return opened.promise.finally(() => waiting--);
    },
    settle(work) {
      unsettled++;
      return work.finally(() => {
        if (--unsettled === 0) { for (const f of whenSettled.splice(0)) f(); }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      opened = Promise.withResolvers<void>();
    },
    open() {
      closed = false;
      opened.resolve();
    },
    nextArrival() {
      return new Promise<void>((resolve) => arrived.push(resolve));
    },
    settled() {
      return unsettled === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenSettled.push(resolve));
    },
  };
}

/**
 * Wait until `quietMs` have passed with no arrival at the gate, nothing unsettled, and this
 * thread's event loop turning all along. A stretch where the loop was blocked (a decode, an
 * inference) does not count: connections that came in meanwhile are not parsed yet, so the
 * gate could not see them.
 *
 * @param gate The gate whose arrivals count.
 * @param options `quietMs` @default DRAIN.quietMs; `tickMs` @default DRAIN.tickMs; `signal` stops the wait.
 * @returns `true` once quiet, `false` when the signal stopped the wait first.
 */
export function whenQuiet(
  gate: DrainGate,
  options: { quietMs?: number; tickMs?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  const { quietMs = DRAIN.quietMs, tickMs = DRAIN.tickMs, signal } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    let seen = gate.arrivals;
    let last = performance.now();
    let since = last;
    const done = (quiet: boolean) => {
      clearInterval(timer);
      signal?.removeEventListener("abort", stop);
      resolve(quiet);
    };
    const stop = () => done(false);
    const timer = setInterval(() => {
      const now = performance.now();
      if (now - last > 3 * tickMs || gate.arrivals !== seen || gate.unsettled > 0) {
        since = now;
        seen = gate.arrivals;
      }
      last = now;
      if (now - since >= quietMs) done(true);
    }, tickMs);
    signal?.addEventListener("abort", stop);
  });
}
