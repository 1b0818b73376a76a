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

/** Main thread → server worker: the port to decode worker `id`, or why it failed. */
export type DecodeWorkerReply =
  | { type: "decode-worker-port"; id: number; port: MessagePort }
  | { type: "decode-worker-error"; id: number; error: string };

/** Server worker → main thread: start or stop decode worker `id`. */
export type DecodeWorkerRequest =
  | { type: "decode-worker-start"; id: number }
  | { type: "decode-worker-stop"; id: number };

/** The file every decode worker runs. */
const DECODE_WORKER_URL = new URL("./decode_worker.ts", import.meta.url);

/** What the pool needs of one decode worker. */
export interface DecodeWorkerLink {
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
export type SpawnDecodeWorker = () => DecodeWorkerLink;

// onnxruntime-web's WASM glue sees `process.versions.node` in Deno and replaces the
// global Worker with node:worker_threads' Worker. Keep the web Worker from before that.
const WebWorker = globalThis.Worker;

/**
 * Start a decode worker from this thread.
 *
 * @returns Its link.
 */
export function spawnNested(): DecodeWorkerLink {
  const worker = new WebWorker(DECODE_WORKER_URL, { type: "module" });
  const link: DecodeWorkerLink = {
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
 * @returns `spawn`, and `receive` for the main thread's decode-worker replies.
 */
export function decodeWorkersViaMain(post: (m: DecodeWorkerRequest) => void): {
  spawn: SpawnDecodeWorker;
  receive: (m: DecodeWorkerReply) => void;
} {
  const links = new Map<number, { link: DecodeWorkerLink; attach: (port: MessagePort) => void }>();
  let nextId = 0;
  return {
    spawn() {
      const id = nextId++;
      const waiting: [unknown, Transferable[]][] = [];
      let port: MessagePort | undefined;
      const link: DecodeWorkerLink = {
        postMessage(message, transfer) {
          if (port) port.postMessage(message, transfer);
          else waiting.push([message, transfer]);
        },
        onmessage: null,
        onerror: null,
        terminate() {
          links.delete(id);
          port?.close();
          post({ type: "decode-worker-stop", id });
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
      post({ type: "decode-worker-start", id });
      return link;
    },
    receive(m) {
      if (m.type === "decode-worker-port") {
        const entry = links.get(m.id);
        if (entry) entry.attach(m.port);
        else m.port.close(); // stopped before its port arrived
      } else if (m.type === "decode-worker-error") {
        links.get(m.id)?.link.onerror?.(m.error);
      }
    },
  };
}

/**
 * The main thread's side: starts decode workers for server workers, hands each a
 * MessagePort to it, reports its failures and stops it on request.
 *
 * @param send Sends a message, with transfers, to server worker `to`.
 * @returns `handle` for the workers' decode-worker messages (true when it was one), and `close`.
 */
export function createDecodeWorkerHost(
  send: (to: number, m: DecodeWorkerReply, transfer?: Transferable[]) => void,
): { handle: (from: number, m: { type: string }) => boolean; close: () => void } {
  const running = new Map<string, DecodeWorkerLink>();
  return {
    handle(from, message) {
      const m = message as DecodeWorkerRequest;
      if (m.type === "decode-worker-start") {
        const worker = spawnNested();
        const { port1, port2 } = new MessageChannel();
        worker.postMessage({ port: port1 }, [port1]);
        worker.onerror = (error) => send(from, { type: "decode-worker-error", id: m.id, error });
        running.set(`${from}:${m.id}`, worker);
        send(from, { type: "decode-worker-port", id: m.id, port: port2 }, [port2]);
        return true;
      }
      if (m.type === "decode-worker-stop") {
        const key = `${from}:${m.id}`;
        running.get(key)?.terminate();
        running.delete(key);
        return true;
      }
      return false;
    },
    close() {
      for (const worker of running.values()) worker.terminate();
      running.clear();
    },
  };
}
