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
  /**
   * The drain, in order (main.ts): `drain` (readiness 503, `Connection: close`), after
   * DRAIN_DELAY_MS `hold` (requests wait at the gate), once every worker is quiet `close`
   * (the listener closes), once every listener is closed `release` (the gate opens).
   */
  | { type: "drain" }
  | { type: "hold" }
  /** Wait for request bodies still coming in (bounded by DRAIN_TIMEOUT_MS), then say `settled`. */
  | { type: "settle" }
  | { type: "close" }
  | { type: "release" }
  | { type: "snapshot-request"; id: number; requester: number }
  | { type: "gathered"; id: number; snapshots: unknown[] }
  /** The port to a decode worker started for this worker, or its failure (see images/link.ts). */
  | DecodeWorkerReply;

/** Worker → main thread. */
export type WorkerMessage =
  /** `model`: the files this worker's model came from. */
  | { type: "listening"; port: number; model?: ModelFiles }
  | { type: "fatal"; error: string }
  /** No request arrived for a while (cluster/drain.ts); `busy` when one arrives after all. */
  | { type: "quiet" }
  /** No request body is still coming in (or the drain deadline passed): ready to close at once. */
  | { type: "settled" }
  | { type: "busy" }
  /** The listener is closed; `held` requests wait at the gate, `inflight` heavy ones run. */
  | { type: "closed"; held: number; inflight: number }
  /** Done: `inflight` heavy requests were still running at the drain timeout. */
  | { type: "drained"; inflight: number }
  | { type: "gather"; id: number }
  | { type: "snapshot"; id: number; requester: number; data: unknown }
  /** Start or stop a decode worker for this worker. */
  | DecodeWorkerRequest;
