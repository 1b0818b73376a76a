/**
 * Decode uploads safely: header checks and the fast PNG path run inline; every other
 * image goes to a decode worker with a deadline. A decoder that overruns it is
 * terminated and replaced, and that upload is answered 400; other uploads are resent.
 * A new worker takes uploads only after it has warmed up (see warmup.ts): its
 * first message and first decodes are slow, and would otherwise overrun a tight
 * deadline, get it replaced by another cold worker, and so on for every upload.
 *
 * Runs in Deno.
 * @module
 */

import { CorruptImageError, ImageTooLargeError, type Pixels, UnsupportedImageError } from "../../src/mod.ts";
import { type DecodeWorkerLink, type SpawnDecodeWorker, spawnNested } from "./link.ts";
import { decodeInline } from "./header.ts";

const ERRORS: Record<string, new (m: string) => Error> = {
  CorruptImageError,
  ImageTooLargeError,
  UnsupportedImageError,
};

/** A decode worker's message (decode_worker.ts). */
interface Reply {
  ready?: true;
  id?: number;
  pixels?: Pixels;
  error?: { name: string; message: string };
}

interface Job {
  id: number;
  bytes: Uint8Array;
  resolve: (p: Pixels) => void;
  reject: (e: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Options of {@linkcode createDecodePool}. */
export interface DecodePoolOptions {
  /** Most pixels an image may declare. */
  maxPixels: number;
  /** Longest time one decode may take in the worker. @default 2000 */
  timeoutMs?: number;
  /** Called when a decode overran its deadline and the worker was replaced. */
  onTimeout?: () => void;
  /** Starts a decode worker. @default spawnNested (a worker of this thread) */
  spawn?: SpawnDecodeWorker;
}

// The longest a new worker may take to load and warm up before it counts as failed to start.
const START_TIMEOUT_MS = 10_000;

/**
 * Create a decoder backed by one worker, which decodes one image at a time; each
 * decode's deadline starts when the worker takes it, so worker start-up, warm-up and
 * the queue do not count against it.
 *
 * @param options Limits.
 * @returns `decode(bytes)` and `close()`; the worker starts with the first upload that needs it.
 */
export function createDecodePool(options: DecodePoolOptions) {
  const timeoutMs = options.timeoutMs ?? 2000;
  const queue: Job[] = [];
  let current: Job | undefined;
  const spawnWorker = options.spawn ?? spawnNested;
  let worker: DecodeWorkerLink | undefined;
  let ready = false;
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 0;

  function spawn(): void {
    ready = false;
    const w = spawnWorker();
    worker = w;
    // A new worker first loads its modules, and each decoder's first run compiles it:
    // pay both here, before any upload's deadline.
    w.postMessage({ warm: true }, []);
    clearTimeout(startTimer);
    startTimer = setTimeout(
      () => startFailed(w, new CorruptImageError("Image decoder did not start")),
      Math.max(START_TIMEOUT_MS, timeoutMs),
    );
    w.onmessage = (message) => {
      if (w !== worker) return;
      const data = message as Reply;
      if (data.ready) {
        clearTimeout(startTimer);
        ready = true;
        return pump();
      }
      const job = current;
      if (!job || job.id !== data.id) return;
      current = undefined;
      clearTimeout(job.timer);
      if (data.pixels) job.resolve(data.pixels);
      else job.reject(new (ERRORS[data.error!.name] ?? CorruptImageError)(data.error!.message));
      pump();
    };
    w.onerror = (message) => {
      if (w !== worker) return;
      const error = new CorruptImageError(`Image decoder failed: ${message}`);
      if (ready) return fail(error);
      startFailed(w, error);
    };
  }

  /** A worker failed while starting: fail what waits and start afresh on the next upload, not in a loop. */
  function startFailed(w: DecodeWorkerLink, error: Error) {
    if (w !== worker) return;
    clearTimeout(startTimer);
    w.terminate();
    worker = undefined;
    for (const job of queue.splice(0)) job.reject(error);
  }

  /** Fail the decode in progress, replace the worker, go on with the queue. */
  function fail(error: Error) {
    const job = current;
    current = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    worker?.terminate();
    spawn();
  }

  function pump() {
    if (!ready || current || queue.length === 0) return;
    const job = queue.shift()!;
    current = job;
    job.timer = setTimeout(() => {
      options.onTimeout?.();
      fail(new CorruptImageError(`Image could not be decoded within ${timeoutMs} ms`));
    }, timeoutMs);
    worker!.postMessage({ id: job.id, bytes: job.bytes, maxPixels: options.maxPixels }, [
      job.bytes.buffer as ArrayBuffer,
    ]);
  }

  return {
    /**
     * Decode an upload.
     *
     * @throws {UnsupportedImageError} 415; {ImageTooLargeError} 413; {CorruptImageError} 400.
     */
    decode(bytes: Uint8Array): Promise<Pixels> {
      try {
        const { pixels } = decodeInline(bytes, options.maxPixels);
        if (pixels) return Promise.resolve(pixels);
      } catch (e) {
        return Promise.reject(e);
      }
      const { promise, resolve, reject } = Promise.withResolvers<Pixels>();
      queue.push({ id: nextId++, bytes: bytes.slice(), resolve, reject });
      if (!worker) spawn();
      pump();
      return promise;
    },
    /** Stop the worker. */
    close() {
      clearTimeout(startTimer);
      worker?.terminate();
      worker = undefined;
    },
  };
}
