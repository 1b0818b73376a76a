/**
 * Where the onnxruntime-web WASM binaries of this build live.
 *
 * Runs in the browser. `web/build.ts` copies each binary under a fingerprinted name
 * and defines `__ORT_WASM__` (backend → dist-relative path). Each ORT build has its own
 * binary (WebGPU: the asyncify one; WASM: the plain one; WebGL: none), so the page
 * passes {@linkcode wasmPathsFor} itself as the `wasmPaths` option, which `src/` asks
 * for each backend it tries.
 * @module
 */

import type { BackendName, WasmPaths } from "../src/mod.ts";

declare const __ORT_WASM__: Partial<Record<BackendName, string>>;

/**
 * The `wasmPaths` option for one backend's ORT build.
 *
 * An object with only `wasm` (no `mjs`, no prefix) keeps the glue code embedded in the
 * bundled build, so only the binary is fetched; a string prefix would make ORT import a
 * separate `.mjs` too. The URL is made absolute because ORT may resolve it from a worker.
 *
 * @param backend The backend about to be tried.
 * @param base URL that relative paths resolve against. @default document.baseURI
 * @returns The option, or undefined for a build without WASM (WebGL).
 * @example
 * ```ts
 * await createClassifier(bytes, meta, { wasmPaths: wasmPathsFor }); // asked once per backend
 * ```
 */
export function wasmPathsFor(
  backend: BackendName,
  base: string = document.baseURI,
): WasmPaths | undefined {
  const rel = __ORT_WASM__[backend];
  return rel ? { wasm: new URL(rel, base).href } : undefined;
}
