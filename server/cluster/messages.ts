/**
 * Messages between `main.ts` and its workers.
 * @module
 */

import type { Config } from "../config.ts";
import type { DecodeWorkerReply, DecodeWorkerRequest } from "../images/link.ts";
import type { ModelFiles } from "../model/store.ts";

/** Main thread → worker. */
export type MainMessage =
  /**
   * `ortModule`: onnxruntime-web's WASM, compiled once by the main thread (see ort_wasm.ts).
   * `model`: the files the first worker loaded, for the workers started after it.
   */
  | {
    type: "start";
    config: Config;
    workerId: number;
    ortModule?: WebAssembly.Module;
    model?: ModelFiles;
  }
  | { type: "drain" }
  | { type: "snapshot-request"; id: number; requester: number }
  | { type: "gathered"; id: number; snapshots: unknown[] }
  /** The port to a decode worker started for this worker, or its failure (see images/link.ts). */
  | DecodeWorkerReply;

/** Worker → main thread. */
export type WorkerMessage =
  /** `model`: the files this worker's model came from. */
  | { type: "listening"; port: number; model?: ModelFiles }
  | { type: "fatal"; error: string }
  | { type: "drained"; inflight: number }
  | { type: "gather"; id: number }
  | { type: "snapshot"; id: number; requester: number; data: unknown }
  /** Start or stop a decode worker for this worker. */
  | DecodeWorkerRequest;
