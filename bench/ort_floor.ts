/**
 * The cold-start floor of onnxruntime-web's WASM build in Deno: a process that does
 * nothing but load the bundled model and classify one blank image, by the fastest path
 * the server knows (the binary read in one buffer and compiled while the module
 * imports, as `server/cluster/ort_wasm.ts` does). No HTTP, no workers, no validation.
 *
 *     deno run -A bench/ort_floor.ts          # one JSON line when the first prediction is out
 *
 * `deno task load` spawns it a few times and prints the median from spawn to that line
 * beside the server's own cold start: no server built on onnxruntime-web starts faster.
 */
// deno-lint-ignore-file no-console
import { compileOrtWasm, useSharedOrtWasm } from "../server/cluster/ort_wasm.ts";

const t0 = performance.now();
const [ort, module] = await Promise.all([import("onnxruntime-web/wasm"), compileOrtWasm()]);
const t1 = performance.now();
ort.env.wasm.numThreads = 1;
if (module) ort.env.wasm.wasmBinary = useSharedOrtWasm(module);
const model = await Deno.readFile(new URL("../models/convnet.onnx", import.meta.url));
const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
const t2 = performance.now();
const input = new ort.Tensor("float32", new Float32Array(28 * 28), [1, 1, 28, 28]);
await session.run({ [session.inputNames[0]]: input });
const t3 = performance.now();
console.log(JSON.stringify({
  import_and_compile_ms: Math.round(t1 - t0),
  runtime_init_and_session_ms: Math.round(t2 - t1),
  first_run_ms: Math.round(t3 - t2),
  since_isolate_start_ms: Math.round(t3),
}));
await session.release();
