/**
 * onnxruntime-web's WASM binary compiled once per process instead of once per worker:
 * the main thread reads and compiles it while the workers start, and each worker
 * instantiates that module, whose compiled code V8 shares between the isolates.
 * Measured with 2 workers: ready 0.2 s sooner (median of 5 starts, 1,778 → 1,578 ms) and
 * 53 MB less resident memory while idle; about the same after load (docs/performance.md).
 *
 * onnxruntime-web takes the binary's bytes (`env.wasm.wasmBinary`), not a compiled
 * module, and its Emscripten glue hands those bytes to `WebAssembly.instantiate`. So a
 * worker passes a short marker as the binary and wraps `WebAssembly.instantiate` to
 * answer that marker with the shared module; every other call goes through untouched.
 * The version is pinned in deno.json, and every server test starts through this path.
 *
 * Runs in Deno.
 * @module
 */

/** The file of the WASM build's binary, next to the build's module. */
const WASM_FILE = "ort-wasm-simd-threaded.wasm";
const MARKER = "onnxruntime-web: shared compiled module";

/**
 * Compile the WASM build's binary, or undefined when it cannot be found or compiled
 * here (the workers then load it themselves, as onnxruntime-web does by default).
 *
 * @returns The compiled module, to post to workers.
 */
export async function compileOrtWasm(): Promise<WebAssembly.Module | undefined> {
  try {
    const url = new URL(WASM_FILE, import.meta.resolve("onnxruntime-web/wasm"));
    // One allocation of the file's size: Deno.readFile grows its buffer while reading,
    // which costs twice the time on this file (14 MB).
    using file = await Deno.open(url);
    const bytes = new Uint8Array((await file.stat()).size);
    for (let at = 0; at < bytes.length;) {
      const n = await file.read(bytes.subarray(at));
      if (n === null) throw new Error(`${url} is shorter than its size`);
      at += n;
    }
    return await WebAssembly.compile(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Make this isolate instantiate `module` when onnxruntime-web asks for its binary.
 *
 * @param module From {@linkcode compileOrtWasm}, posted by the main thread.
 * @returns The bytes to give onnxruntime-web's WASM build as `env.wasm.wasmBinary`.
 */
export function useSharedOrtWasm(module: WebAssembly.Module): Uint8Array {
  const marker = new TextEncoder().encode(MARKER);
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const isMarker = (source: unknown) =>
    (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) && source.byteLength === marker.length &&
    new TextDecoder().decode(source) === MARKER;
  // deno-lint-ignore no-explicit-any
  (WebAssembly as any).instantiate = (source: any, imports?: WebAssembly.Imports) =>
    isMarker(source)
      ? instantiate(module, imports).then((instance) => ({ instance, module }))
      : instantiate(source, imports);
  return marker;
}
