/**
 * The one place that knows onnxruntime-web: which build runs which backend, how each
 * backend is probed, and how session creation and the runs on one session are queued.
 *
 * Runs in Deno and the browser. Each backend has its own build of onnxruntime-web,
 * loaded only when that backend is tried, so a page that runs on WASM never fetches
 * the WebGPU runtime:
 * - `webgpu`: `onnxruntime-web/webgpu` (WebGPU EP + asyncify WASM). In Deno this is
 *   the build to import: the package's plain `node` export is WASM-only.
 * - `webgl`: `onnxruntime-web/webgl`. Its kernels reject dynamic dimensions and ignore
 *   `freeDimensionOverrides`, so the model's batch dimension is rewritten to 1
 *   (`fixed_batch.ts`) and larger batches are run one image at a time.
 * - `wasm`: `onnxruntime-web/wasm`, the smallest build, and the fastest on a CPU.
 *
 * A backend is chosen only when its session is created and a smoke inference returns
 * finite outputs of the right shape; otherwise the next one in the order is tried and
 * the reason is recorded. Loads run one after another on one promise chain, as
 * transformers.js chains its inits: ORT refuses to initialise one build twice at once,
 * which a page switching backends quickly, or a server reloading its model, would
 * otherwise ask for.
 * @module
 */

import type * as Ort from "onnxruntime-web";
import { detectEnv } from "./env.ts";
import { NoBackendError } from "./errors.ts";
import { fixBatchToOne } from "./fixed_batch.ts";

/** Backend names, in the default order of preference. */
export const BACKENDS = Object.freeze(["webgpu", "webgl", "wasm"] as const);

/** One of {@linkcode BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

/** The subset of an onnxruntime-web build this module uses (injectable for tests). */
export interface OrtModule {
  env: typeof Ort.env;
  Tensor: typeof Ort.Tensor;
  InferenceSession: typeof Ort.InferenceSession;
}

/** What happened when one backend was tried. */
export interface BackendAttempt {
  backend: BackendName;
  status: "chosen" | "not available" | "failed to create" | "failed smoke test";
  /** Why it was skipped; absent for the chosen one. */
  reason?: string;
  /** Time spent on this backend, in milliseconds. */
  ms: number;
}

/** Where one ORT build finds its WASM binary: a URL prefix, or `{ wasm, mjs }` file URLs. */
export type WasmPaths = Ort.Env.WasmPrefixOrFilePaths;

/** Options of {@linkcode loadModel}. */
export interface LoadOptions {
  /** Use only this backend. Overrides `order`. */
  backend?: BackendName;
  /** Backends to try, in order. @default BACKENDS */
  order?: readonly BackendName[];
  /** Input and output names of the graph. @default "input", "logits" */
  inputName?: string;
  outputName?: string;
  /** Values per output item. @default 10 */
  outputSize?: number;
  /**
   * Where the WASM binaries live (browsers serving fingerprinted files): one value for
   * every build, or a function of the backend about to be tried, since the WebGPU and
   * WASM builds each have their own binary (undefined: the build's default).
   */
  wasmPaths?: WasmPaths | ((backend: BackendName) => WasmPaths | undefined);
  /** The `wasm` backend build's binary, when the caller already holds it (not used by the other builds). */
  wasmBinary?: Uint8Array;
  /** WASM threads; kept as the runtime decides when absent (1 without cross-origin isolation). */
  numThreads?: number;
  /** Graph optimisation level. @default "all" */
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /** Replaces how a backend's build is imported (tests use it to force failures). */
  loaders?: Partial<Record<BackendName, () => Promise<OrtModule>>>;
}

/** A model loaded on one backend; `run()` calls are queued, never interleaved. */
export interface LoadedModel {
  readonly backend: BackendName;
  /** Every backend tried, in order, the chosen one last. */
  readonly attempts: readonly BackendAttempt[];
  /** The onnxruntime-web build's version, e.g. "1.30.0". */
  readonly runtimeVersion: string;
  /** Largest batch one session call takes (1 on WebGL, else Infinity). */
  readonly maxBatch: number;
  /**
   * Run `batch` items laid out back to back in `input`.
   * @returns The outputs, `batch * outputSize` values.
   */
  run(input: Float32Array, batch: number): Promise<Float32Array>;
  /** Free the session. Further runs reject. */
  release(): Promise<void>;
}

const LOADERS: Record<BackendName, () => Promise<OrtModule>> = {
  webgpu: () => import("onnxruntime-web/webgpu"),
  webgl: () => import("onnxruntime-web/webgl"),
  wasm: () => import("onnxruntime-web/wasm"),
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];

/** Why a backend cannot run here, or undefined when it may be tried. */
async function unavailable(name: BackendName): Promise<string | undefined> {
  const env = detectEnv();
  if (name === "webgpu") {
    if (!env.webgpu) return "navigator.gpu is missing";
    // deno-lint-ignore no-explicit-any
    const adapter = await (globalThis as any).navigator.gpu.requestAdapter().catch(() => null);
    return adapter ? undefined : "no WebGPU adapter";
  }
  if (name === "webgl") {
    return env.webgl
      ? undefined
      : env.runtime === "browser"
      ? "no WebGL2 context"
      : `WebGL does not exist in ${env.runtime}`;
  }
  return typeof WebAssembly === "object" ? undefined : "WebAssembly is missing";
}

/** Set runtime flags once per build, keeping any value the caller already set. */
function configure(ort: OrtModule, name: BackendName, opts: LoadOptions): void {
  const paths = typeof opts.wasmPaths === "function" ? opts.wasmPaths(name) : opts.wasmPaths;
  if (paths !== undefined && ort.env.wasm.wasmPaths === undefined) ort.env.wasm.wasmPaths = paths;
  if (name === "wasm" && opts.wasmBinary && ort.env.wasm.wasmBinary === undefined) {
    ort.env.wasm.wasmBinary = opts.wasmBinary;
  }
  if (opts.numThreads !== undefined) ort.env.wasm.numThreads = opts.numThreads;
  else if (detectEnv().runtime === "deno") ort.env.wasm.numThreads = 1; // no SharedArrayBuffer workers in Deno
  ort.env.logLevel = "error";
}

function isFiniteOutput(data: ArrayLike<number>, size: number): string | undefined {
  if (data.length !== size) return `expected ${size} outputs, got ${data.length}`;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) return `output ${i} is ${data[i]}`;
  }
  return undefined;
}

function wrap(
  ort: OrtModule,
  session: Ort.InferenceSession,
  name: BackendName,
  attempts: BackendAttempt[],
  opts: { inputName: string; outputName: string; inputSize: number; outputSize: number },
): LoadedModel {
  const maxBatch = name === "webgl" ? 1 : Infinity;
  let chain: Promise<unknown> = Promise.resolve();
  let released = false;

  async function runOnce(input: Float32Array, batch: number): Promise<Float32Array> {
    const tensor = new ort.Tensor("float32", input, [batch, 1, 28, 28]);
    const out = await session.run({ [opts.inputName]: tensor });
    const t = out[opts.outputName];
    const data = t.data as Float32Array;
    t.dispose?.();
    return data;
  }

  async function runAll(input: Float32Array, batch: number): Promise<Float32Array> {
    if (released) throw new Error("The model was released");
    if (input.length !== batch * opts.inputSize) {
      throw new TypeError(`Expected ${batch * opts.inputSize} input values, got ${input.length}`);
    }
    if (batch <= maxBatch) return await runOnce(input, batch);
    const out = new Float32Array(batch * opts.outputSize);
    for (let i = 0; i < batch; i++) {
      const one = input.subarray(i * opts.inputSize, (i + 1) * opts.inputSize);
      out.set(await runOnce(one, 1), i * opts.outputSize);
    }
    return out;
  }

  return {
    backend: name,
    attempts,
    runtimeVersion: ort.env.versions?.web ?? ort.env.versions?.common ?? "unknown",
    maxBatch,
    run(input, batch) {
      // onnxruntime-web sessions are not re-entrant: queue behind the previous run.
      const result = chain.then(() => runAll(input, batch));
      chain = result.catch(() => undefined);
      return result;
    },
    async release() {
      released = true;
      await chain;
      await session.release();
    },
  };
}

/** The load in progress, if any: each load starts when the previous one has settled. */
let loadChain: Promise<unknown> = Promise.resolve();

/**
 * Load an ONNX model on the first backend that works, in order.
 *
 * Loads are queued: a second call waits until the first has chosen its backend or
 * failed, and a failed load does not hold up the next.
 *
 * @param model The ONNX file's bytes.
 * @param options Backend choice and runtime flags.
 * @returns The loaded model, with the backend chosen and why earlier ones were skipped.
 * @throws {RangeError} When a backend name is unknown (the message lists valid ones).
 * @throws {NoBackendError} When every backend failed; it carries every attempt.
 * @example
 * ```ts
 * const m = await loadModel(bytes, { order: ["webgpu", "wasm"] });
 * console.log(m.backend, m.attempts);
 * ```
 */
export function loadModel(model: Uint8Array, options: LoadOptions = {}): Promise<LoadedModel> {
  const order = options.backend ? [options.backend] : options.order ?? BACKENDS;
  for (const name of order) {
    if (!BACKENDS.includes(name)) {
      return Promise.reject(new RangeError(`Unknown backend "${name}": use one of ${BACKENDS.join(", ")}`));
    }
  }
  const loaded = loadChain.then(() => firstWorking(model, order, options));
  loadChain = loaded.catch(() => undefined);
  return loaded;
}

/** Try each backend of `order` in turn; see {@linkcode loadModel}. */
async function firstWorking(
  model: Uint8Array,
  order: readonly BackendName[],
  options: LoadOptions,
): Promise<LoadedModel> {
  const io = {
    inputName: options.inputName ?? "input",
    outputName: options.outputName ?? "logits",
    inputSize: 28 * 28,
    outputSize: options.outputSize ?? 10,
  };
  const attempts: BackendAttempt[] = [];
  for (const name of new Set(order)) {
    const start = performance.now();
    const skip = (status: BackendAttempt["status"], reason: string) =>
      attempts.push({ backend: name, status, reason, ms: performance.now() - start });
    const why = options.loaders?.[name] ? undefined : await unavailable(name);
    if (why) {
      skip("not available", why);
      continue;
    }
    let ort: OrtModule;
    let session: Ort.InferenceSession;
    try {
      ort = await (options.loaders?.[name] ?? LOADERS[name])();
      configure(ort, name, options);
      session = await ort.InferenceSession.create(name === "webgl" ? fixBatchToOne(model) : model, {
        executionProviders: [name],
        graphOptimizationLevel: options.graphOptimizationLevel ?? "all",
      });
    } catch (e) {
      skip("failed to create", message(e));
      continue;
    }
    const loaded = wrap(ort, session, name, attempts, io);
    try {
      const out = await loaded.run(new Float32Array(io.inputSize), 1);
      const bad = isFiniteOutput(out, io.outputSize);
      if (bad) throw new Error(bad);
    } catch (e) {
      skip("failed smoke test", message(e));
      await session.release().catch(() => undefined);
      continue;
    }
    attempts.push({ backend: name, status: "chosen", ms: performance.now() - start });
    return loaded;
  }
  throw new NoBackendError(attempts);
}
