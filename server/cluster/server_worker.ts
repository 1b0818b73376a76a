/**
 * One server worker: its own model session, metrics and `Deno.serve` listener on the
 * shared port (SO_REUSEPORT spreads connections across workers). Started and
 * stopped by `main.ts` through messages.
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import type { Classifier } from "../../src/mod.ts";
import { createApp } from "../http/app.ts";
import { BackendRouter } from "../model/router.ts";
import type { Config } from "../config.ts";
import { createContext } from "./context.ts";
import { createLogger } from "../log.ts";
import { decodeWorkersViaMain } from "../images/link.ts";
import { createMetrics, mergeMetrics } from "../metrics.ts";
import { type ModelFiles, ModelStore } from "../model/store.ts";
import type { MainMessage, WorkerMessage } from "./messages.ts";
import { useSharedOrtWasm } from "./ort_wasm.ts";

// deno-lint-ignore no-explicit-any
const scope = self as any;

// A worker's location is its file: URL, whose origin is "null"; onnxruntime-web's WASM
// build resolves its own URL against location.origin at import and throws on "null".
// Hiding location makes it use import.meta.url alone, as on the main thread.
Object.defineProperty(scope, "location", { value: undefined, configurable: true });
const post = (m: WorkerMessage) => scope.postMessage(m);

// Decode workers are started by the main thread: see images/link.ts for why.
const decoders = decodeWorkersViaMain(post);
let onMessage: (m: MainMessage) => void = () => undefined;
scope.onmessage = (e: MessageEvent<MainMessage>) => {
  const m = e.data;
  if (m.type === "decode-worker-port" || m.type === "decode-worker-error") decoders.receive(m);
  else onMessage(m);
};

const pending = new Map<number, (s: unknown[]) => void>();
let nextId = 0;

async function start(config: Config, workerId: number, ortModule?: WebAssembly.Module, model?: ModelFiles) {
  const log = createLogger(config.logLevel, { worker: workerId });
  const metrics = createMetrics();
  const setInfo = (c: Classifier) => {
    const { name, version, sha256 } = c.metadata;
    metrics.modelInfo.reset();
    metrics.modelInfo.set({ name, version, sha256, backend: c.backend }, 1);
  };
  const onSwap = (c: Classifier) => {
    setInfo(c);
    // BACKEND=auto: measured in the background; the worker is ready on WASM meanwhile.
    router?.measure().catch((e) => log.warn("backend routing failed", { error: (e as Error).message }));
  };
  const wasmBinary = ortModule ? useSharedOrtWasm(ortModule) : undefined;
  const store = new ModelStore({
    dir: config.modelDir,
    backends: config.backends,
    wasmBinary,
    log,
    onSwap,
    initial: model,
  });
  const router = config.autoBackend ? new BackendRouter(store, log) : undefined;
  try {
    await store.load();
  } catch (e) {
    post({ type: "fatal", error: (e as Error).message });
    return;
  }
  if (config.watchModels) {
    store.watch();
    // Started from another worker's files: catch a change made before watching began
    // (in the background: the same files are a cheap no-op, other files a normal reload).
    if (model) store.load().catch(() => undefined);
  }
  const ctx = createContext({
    config,
    store,
    metrics,
    log,
    router,
    spawnDecodeWorker: decoders.spawn,
    gatherMetrics: config.workers > 1
      ? () =>
        new Promise((resolve) => {
          const id = nextId++;
          pending.set(id, (snapshots) => resolve(mergeMetrics(snapshots as never)));
          post({ type: "gather", id });
        })
      : undefined,
  });
  const handler = createApp(ctx);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    reusePort: config.workers > 1,
    onListen: ({ port }) => post({ type: "listening", port, model: store.files }),
  }, handler);

  onMessage = async (m) => {
    if (m.type === "snapshot-request") {
      post({
        type: "snapshot",
        id: m.id,
        requester: m.requester,
        data: await metrics.registry.getMetricsAsJSON(),
      });
    } else if (m.type === "gathered") {
      pending.get(m.id)?.(m.snapshots);
      pending.delete(m.id);
    } else if (m.type === "drain") {
      ctx.draining = true;
      // Answer what was accepted; new heavy requests get 503 while we wait.
      const deadline = Date.now() + config.drainTimeoutMs;
      while (ctx.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await Promise.race([
        server.shutdown(),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
      await store.close().catch(() => undefined);
      ctx.close();
      post({ type: "drained", inflight: ctx.inflight });
    }
  };
}

const first = (m: MainMessage) => {
  if (m.type === "start") start(m.config, m.workerId, m.ortModule, m.model);
};
onMessage = first;
