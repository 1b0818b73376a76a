/**
 * Messages between `main.ts` and its workers.
 * @module
 */

import type { Config } from "./config.ts";

/** Main thread → worker. */
export type MainMessage =
  /** `ortModule`: onnxruntime-web's WASM, compiled once by the main thread (see ort_wasm.ts). */
  | { type: "start"; config: Config; workerId: number; ortModule?: WebAssembly.Module }
  | { type: "drain" }
  | { type: "snapshot-request"; id: number; requester: number }
  | { type: "gathered"; id: number; snapshots: unknown[] };

/** Worker → main thread. */
export type WorkerMessage =
  | { type: "listening"; port: number }
  | { type: "fatal"; error: string }
  | { type: "drained"; inflight: number }
  | { type: "gather"; id: number }
  | { type: "snapshot"; id: number; requester: number; data: unknown };
