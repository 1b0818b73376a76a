/**
 * One server worker: its own model session, metrics and `Deno.serve` listener on the
 * shared port (SO_REUSEPORT spreads connections across workers). Started and
 * stopped by `main.ts` through messages.
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import type { Classifier } from "../../src/mod.ts";
import { createApp } from "../app.ts";
import { BackendRouter } from "../model/router.ts";
import type { Config } from "../config.ts";
import { type Context, createContext } from "./context.ts";
import { DRAIN, whenQuiet } from "./drain.ts";
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
  // A signal that came while the model loaded: drain from the start, or do not listen at all.
  ctx.draining = draining;
  if (shutdown) return;
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
    } else if (isDrainStep(m)) {
      drain(m, { server, ctx, close: () => store.close() });
    }
  };
}

/** The drain steps of {@linkcode MainMessage}, in the order main.ts sends them. */
type DrainStep = Extract<MainMessage, { type: "drain" | "hold" | "settle" | "close" | "release" }>;
const isDrainStep = (m: MainMessage): m is DrainStep =>
  m.type === "drain" || m.type === "hold" || m.type === "settle" || m.type === "close" ||
  m.type === "release";

/** What a drain step acts on; nothing before the worker has started (then each step just answers). */
interface Serving {
  server?: Deno.HttpServer;
  ctx?: Context;
  close?: () => Promise<void>;
}

/** Resolves after `ms` (at once for 0 or less). */
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Set by the first drain step. */
let draining = false;
/** `server.shutdown()`, once the listener is told to close. */
let shutdown: Promise<void> | undefined;
/** Aborted when the listener is told to close: the hold's quiet reports stop. */
const closing = new AbortController();
const closingNow = new Promise<void>((r) => closing.signal.addEventListener("abort", () => r()));
/** DRAIN_TIMEOUT_MS after `hold`: the longest wait for bodies and in-flight work. */
let deadline = 0;

/**
 * One step of the drain (see cluster/drain.ts for why the gate). DRAIN_TIMEOUT_MS counts
 * from `hold`, the end of DRAIN_DELAY_MS.
 */
async function drain(m: DrainStep, { server, ctx, close }: Serving) {
  draining = true;
  if (m.type === "drain") {
    // Readiness turns 503 and every response says `Connection: close`; serving goes on.
    if (ctx) ctx.draining = true;
  } else if (m.type === "hold") {
    deadline = Date.now() + (ctx?.config.drainTimeoutMs ?? 0);
    if (!ctx) return post({ type: "quiet" });
    ctx.draining = true;
    ctx.gate.close();
    // Tell main.ts whenever this worker turns quiet or busy; it closes every listener at once.
    while (await whenQuiet(ctx.gate, { signal: closing.signal })) {
      post({ type: "quiet" });
      await Promise.race([ctx.gate.nextArrival(), closingNow]);
      if (closing.signal.aborted) break;
      post({ type: "busy" });
    }
  } else if (m.type === "settle") {
    // After shutdown() no unread body can be read: wait for those still coming in. Every
    // worker keeps listening (and holding) meanwhile, so that all close at the same moment.
    if (ctx) await Promise.race([ctx.gate.settled(), delay(deadline - Date.now())]);
    post({ type: "settled" });
  } else if (m.type === "close") {
    shutdown = server?.shutdown() ?? Promise.resolve();
    closing.abort();
    // shutdown() closes the listening socket on the event loop's next turn.
    await delay(DRAIN.tickMs);
    post({ type: "closed", held: ctx?.gate.waiting ?? 0, inflight: ctx?.inflight ?? 0 });
  } else if (m.type === "release") {
    ctx?.gate.open();
    // shutdown() resolves once every request it read is answered.
    await Promise.race([shutdown, delay(deadline - Date.now())]);
    await close?.().catch(() => undefined);
    ctx?.close();
    post({ type: "drained", inflight: ctx?.inflight ?? 0 });
  }
}
const first = (m: MainMessage) => {
  if (m.type === "start") start(m.config, m.workerId, m.ortModule, m.model);
  else if (isDrainStep(m)) drain(m, {});
};
onMessage = first;
