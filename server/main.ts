/**
 * Server entry point: reads the environment, starts one worker per core (each with
 * its own model session, all on one port), and drains them on SIGTERM/SIGINT.
 *
 *     deno task start        # PORT=8000 MODEL_DIR=models WORKERS=<cores>
 *
 * Runs in Deno.
 * @module
 */

import { type EmbeddedDirs, ENV_NAMES, loadConfig } from "./config.ts";
import { createDecodeWorkerHost } from "./images/link.ts";
import { createLogger } from "./log.ts";
import type { MainMessage, WorkerMessage } from "./cluster/messages.ts";
import { METADATA_FILE, type ModelFiles } from "./model/store.ts";
import { compileOrtWasm } from "./cluster/ort_wasm.ts";
import { DRAIN } from "./cluster/drain.ts";

/**
 * In a `deno compile` binary the default model and page are embedded beside this file
 * (`--include models --include web/dist`), not in the working directory, which may be
 * anywhere; the binary may read them whatever its `--allow-read` list says.
 */
function embeddedDirs(): EmbeddedDirs | undefined {
  if (!Deno.build.standalone || !import.meta.dirname) return undefined;
  const root = import.meta.dirname.replace(/\/server$/, "");
  return { modelDir: `${root}/models`, webDir: `${root}/web/dist` };
}

async function main(): Promise<number> {
  let config;
  try {
    // Read only the variables we use: the start task allows exactly these.
    const env = Object.fromEntries(ENV_NAMES.map((n) => [n, Deno.env.get(n)]));
    config = loadConfig(env, navigator.hardwareConcurrency, embeddedDirs());
  } catch (e) {
    createLogger("error").error("invalid configuration", { error: (e as Error).message });
    return 2;
  }
  const log = createLogger(config.logLevel, { worker: "main" });
  try {
    await Deno.stat(`${config.modelDir}/${METADATA_FILE}`);
  } catch (e) {
    log.error("model not found", {
      error: `Cannot read ${config.modelDir}/${METADATA_FILE} (${(e as Error).name}). Set MODEL_DIR to a ` +
        `directory holding ${METADATA_FILE} and its ONNX file (the repository ships one in models/), ` +
        `and allow reading it (--allow-read)`,
    });
    return 1;
  }

  const started = performance.now();
  const workers = Array.from(
    { length: config.workers },
    () => new Worker(new URL("./cluster/server_worker.ts", import.meta.url), { type: "module" }),
  );
  const send = (w: Worker, m: MainMessage, transfer: Transferable[] = []) => w.postMessage(m, transfer);
  const decoders = createDecodeWorkerHost((to, m, transfer) => send(workers[to], m, transfer));
  const gathering = new Map<string, { snapshots: unknown[]; requester: number }>();
  let listening = 0;
  let onDrainMessage: (worker: number, m: WorkerMessage) => void = () => undefined;
  let drained = 0;
  const { promise: done, resolve: finish } = Promise.withResolvers<number>();

  workers.forEach((w, i) => {
    w.onerror = (e) => {
      e.preventDefault();
      log.error("worker crashed", { worker: i, error: e.message });
      finish(1);
    };
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (decoders.handle(i, m)) return;
      if (m.type === "listening") {
        // The rest start once the first listens, unless a stop came first.
        if (++listening === 1 && !stopping) { for (let k = 1; k < workers.length; k++) start(k, m.model); }
        if (listening === workers.length) {
          log.info("listening", {
            url: `http://${config.host}:${m.port}`,
            port: m.port,
            workers: workers.length,
            startup_ms: Math.round(performance.now() - started),
          });
        }
      } else if (m.type === "fatal") {
        log.error("cannot start", { worker: i, error: m.error });
        finish(1);
      } else if (m.type === "drained") {
        // A worker that reached DRAIN_TIMEOUT_MS with requests still running says so here.
        if (m.inflight > 0) log.warn("drain cut requests", { worker: i, inflight: m.inflight });
        if (++drained === workers.length) finish(0);
      } else if (m.type === "quiet" || m.type === "busy" || m.type === "settled" || m.type === "closed") {
        onDrainMessage(i, m);
      } else if (m.type === "gather") {
        gathering.set(`${i}:${m.id}`, { snapshots: [], requester: i });
        workers.forEach((o) => send(o, { type: "snapshot-request", id: m.id, requester: i }));
      } else if (m.type === "snapshot") {
        const key = `${m.requester}:${m.id}`;
        const g = gathering.get(key);
        if (!g) return;
        g.snapshots.push(m.data);
        if (g.snapshots.length === workers.length) {
          gathering.delete(key);
          send(workers[m.requester], { type: "gathered", id: m.id, snapshots: g.snapshots });
        }
      }
    };
  });
  // Compiled here while the workers import their modules, then shared with them.
  const ortModule = config.backends.includes("wasm") ? await compileOrtWasm() : undefined;
  // One worker starts first, the rest once it listens, from the files it loaded: /ready
  // answers as soon as one worker can serve, the others find onnxruntime-web's lazily
  // compiled functions already in the shared module, and every worker starts on the same
  // model even if the files change meanwhile (each then checks the directory itself).
  const start = (i: number, model?: ModelFiles) =>
    send(workers[i], { type: "start", config, workerId: i, ortModule, model });
  start(0);

  // The drain (cluster/drain.ts says why in this order): readiness 503 and `Connection:
  // close` for DRAIN_DELAY_MS, then requests wait at each worker's gate until no worker has
  // seen one for a while, then every listener closes at the same moment (a connection queued
  // on a closed SO_REUSEPORT socket is reset, and none must be sent to one that stays open
  // meanwhile), then the gates open and the workers answer what they hold and what runs.
  let stopping = false;
  const quiet = new Set<number>();
  let closing = false;
  let closed = 0;
  let settled = 0;
  let held = 0;
  let heldFrom = 0;
  let holdTimer: ReturnType<typeof setTimeout> | undefined;
  const closeListeners = (why: "quiet" | "hold limit") => {
    if (closing) return;
    closing = true;
    clearTimeout(holdTimer);
    log.info("closing listeners", { after: why, held_ms: Math.round(performance.now() - heldFrom) });
    // Each worker first waits for bodies still coming in; the listeners close together after.
    workers.forEach((w) => send(w, { type: "settle" }));
  };
  const hold = () => {
    heldFrom = performance.now();
    workers.forEach((w) => send(w, { type: "hold" }));
    holdTimer = setTimeout(
      () => closeListeners("hold limit"),
      Math.min(DRAIN.holdMaxMs, config.drainTimeoutMs / 2),
    );
  };
  onDrainMessage = (i, m) => {
    if (m.type === "quiet") quiet.add(i);
    else if (m.type === "busy") quiet.delete(i);
    else if (m.type === "settled") {
      if (++settled === workers.length) workers.forEach((w) => send(w, { type: "close" }));
    } else if (m.type === "closed") {
      held += m.held;
      if (++closed === workers.length) {
        log.info("listeners closed", { held_requests: held });
        workers.forEach((w) => send(w, { type: "release" }));
      }
    }
    if (quiet.size === workers.length) closeListeners("quiet");
  };
  const stop = (signal: Deno.Signal) => {
    if (stopping) return;
    stopping = true;
    log.info("draining", { signal, delay_ms: config.drainDelayMs, timeout_ms: config.drainTimeoutMs });
    workers.forEach((w) => send(w, { type: "drain" }));
    setTimeout(hold, config.drainDelayMs);
    setTimeout(() => {
      log.warn("drain timed out", { drained, workers: workers.length });
      finish(0);
    }, config.drainDelayMs + config.drainTimeoutMs + 1000);
  };
  for (const s of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(s, () => stop(s));

  const code = await done;
  decoders.close();
  workers.forEach((w) => w.terminate());
  log.info("stopped", { code });
  return code;
}

if (import.meta.main) Deno.exit(await main());
