/**
 * How a decode pool reaches its decode worker. Nested in the pool's own thread by
 * default; in a server worker, started by the main thread and reached over a
 * MessagePort, because in Deno (2.9.6) a worker started from a worker gets its first
 * two messages to and from its parent about 500 ms late each, and one started from the
 * main thread does not (docs/reliability.md). The first JPEG, GIF or BMP a server
 * worker receives waits for that start.
 *
 * Runs in Deno.
 * @module
 */

import type { MainMessage, WorkerMessage } from "../cluster/messages.ts";

/** The file every decode worker runs. */
const DECODE_WORKER_URL = new URL("./decode_worker.ts", import.meta.url);

/** What the pool needs of one decode worker. */
export interface DecoderLink {
  /** Send a message (and transfer buffers) to the worker. */
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Called with each message's data from the worker. */
  onmessage: ((data: unknown) => void) | null;
  /** Called when the worker fails to load or throws. */
  onerror: ((message: string) => void) | null;
  /** Stop the worker; nothing more arrives from it. */
  terminate(): void;
}

/** Starts a decode worker. */
export type SpawnDecoder = () => DecoderLink;

// onnxruntime-web's WASM glue sees `process.versions.node` in Deno and replaces the
// global Worker with node:worker_threads' Worker. Keep the web Worker from before that.
const WebWorker = globalThis.Worker;

/**
 * Start a decode worker from this thread.
 *
 * @returns Its link.
 */
export function spawnNested(): DecoderLink {
  const worker = new WebWorker(DECODE_WORKER_URL, { type: "module" });
  const link: DecoderLink = {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    onmessage: null,
    onerror: null,
    terminate: () => worker.terminate(),
  };
  worker.onmessage = (e) => link.onmessage?.(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    link.onerror?.(e.message);
  };
  return link;
}

/**
 * Decode workers started by the main thread on this worker's behalf: `spawn` asks for
 * one and returns its link at once; messages wait until the main thread's port arrives.
 *
 * @param post Sends a message to the main thread.
 * @returns `spawn`, and `receive` for the main thread's decoder messages.
 */
export function decodersViaMain(post: (m: WorkerMessage) => void): {
  spawn: SpawnDecoder;
  receive: (m: MainMessage) => void;
} {
  const links = new Map<number, { link: DecoderLink; attach: (port: MessagePort) => void }>();
  let nextId = 0;
  return {
    spawn() {
      const id = nextId++;
      const waiting: [unknown, Transferable[]][] = [];
      let port: MessagePort | undefined;
      const link: DecoderLink = {
        postMessage(message, transfer) {
          if (port) port.postMessage(message, transfer);
          else waiting.push([message, transfer]);
        },
        onmessage: null,
        onerror: null,
        terminate() {
          links.delete(id);
          port?.close();
          post({ type: "decoder-stop", id });
        },
      };
      links.set(id, {
        link,
        attach(p) {
          port = p;
          port.onmessage = (e) => link.onmessage?.(e.data);
          for (const [message, transfer] of waiting.splice(0)) port.postMessage(message, transfer);
        },
      });
      post({ type: "decoder-start", id });
      return link;
    },
    receive(m) {
      if (m.type === "decoder-port") {
        const entry = links.get(m.id);
        if (entry) entry.attach(m.port);
        else m.port.close(); // stopped before its port arrived
      } else if (m.type === "decoder-error") {
        links.get(m.id)?.link.onerror?.(m.error);
      }
    },
  };
}

/**
 * The main thread's side: starts decode workers for server workers, hands each a
 * MessagePort to its decoder, reports decoder failures and stops them on request.
 *
 * @param send Sends a message, with transfers, to server worker `to`.
 * @returns `handle` for the workers' decoder messages (true when it was one), and `close`.
 */
export function createDecoderHost(
  send: (to: number, m: MainMessage, transfer?: Transferable[]) => void,
): { handle: (from: number, m: WorkerMessage) => boolean; close: () => void } {
  const running = new Map<string, DecoderLink>();
  return {
    handle(from, m) {
      if (m.type === "decoder-start") {
        const decoder = spawnNested();
        const { port1, port2 } = new MessageChannel();
        decoder.postMessage({ port: port1 }, [port1]);
        decoder.onerror = (error) => send(from, { type: "decoder-error", id: m.id, error });
        running.set(`${from}:${m.id}`, decoder);
        send(from, { type: "decoder-port", id: m.id, port: port2 }, [port2]);
        return true;
      }
      if (m.type === "decoder-stop") {
        const key = `${from}:${m.id}`;
        running.get(key)?.terminate();
        running.delete(key);
        return true;
      }
      return false;
    },
    close() {
      for (const decoder of running.values()) decoder.terminate();
      running.clear();
    },
  };
}
