/**
 * Runtime facts, detected once by feature and never by user agent: are we in Deno
 * or a browser, is WebGPU or WebGL there, how many cores.
 *
 * Runs in Deno and the browser. Nothing here reads a global at import time; the
 * first call of {@linkcode detectEnv} does, and its answer is frozen and reused.
 * @module
 */

/** What the current runtime offers. */
export interface RuntimeEnv {
  /** `"deno"`, `"browser"` (a window or worker) or `"other"` (Node, say). */
  readonly runtime: "deno" | "browser" | "other";
  /** `navigator.gpu` exists; an adapter may still be missing. */
  readonly webgpu: boolean;
  /** A WebGL2 context can be made (browsers only: Deno has no WebGL); checked on first read. */
  readonly webgl: boolean;
  /** Logical cores reported by the runtime, at least 1. */
  readonly cores: number;
}

let cached: RuntimeEnv | undefined;

// deno-lint-ignore no-explicit-any
const g = (): any => globalThis;

function canWebGL(): boolean {
  try {
    const gl = g();
    if (typeof gl.OffscreenCanvas === "function") {
      return new gl.OffscreenCanvas(1, 1).getContext("webgl2") !== null;
    }
    if (typeof gl.document?.createElement === "function") {
      return gl.document.createElement("canvas").getContext("webgl2") !== null;
    }
  } catch {
    // A context that throws is a context we cannot use.
  }
  return false;
}

/**
 * Detect the runtime's features (memoized).
 *
 * @returns A frozen description of this runtime.
 * @example
 * ```ts
 * const env = detectEnv();
 * if (env.webgpu) console.log("WebGPU may be tried");
 * ```
 */
export function detectEnv(): RuntimeEnv {
  if (cached) return cached;
  const gl = g();
  const runtime = typeof gl.Deno?.version?.deno === "string"
    ? "deno"
    : typeof gl.document !== "undefined" || typeof gl.WorkerGlobalScope !== "undefined"
    ? "browser"
    : "other";
  let webgl: boolean | undefined;
  cached = Object.freeze({
    runtime,
    webgpu: typeof gl.navigator?.gpu?.requestAdapter === "function",
    // Making a WebGL2 context takes 0.1–0.7 s: only when someone asks.
    get webgl() {
      return webgl ??= runtime === "browser" && canWebGL();
    },
    cores: Math.max(1, Number(gl.navigator?.hardwareConcurrency) || 1),
  });
  return cached;
}
