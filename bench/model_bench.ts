/**
 * Per-image inference time of each candidate model on the WASM backend, batch 1, one
 * thread: what every request pays on the server. Target for the production model:
 * at most 0.5 ms per image on the project's 2-core machine.
 *
 * Runs in Deno:
 * ```sh
 * deno bench --allow-read --allow-env bench/model_bench.ts
 * MODEL_BENCH_FILES=/tmp/cands/s/convnet.onnx,/tmp/cands/m/convnet.onnx deno bench --allow-read --allow-env bench/model_bench.ts
 * ```
 * By default it times every `*.onnx` in `models/` and the converted kedro model in
 * `tests/testdata/seed/`; `MODEL_BENCH_FILES` (comma-separated ONNX paths, each with
 * its metadata JSON beside it, same stem) replaces that list.
 * @module
 */

import { loadModel } from "../src/backend.ts";
import { outputColumns, parseMetadata } from "../src/metadata.ts";
import { normalize } from "../src/preprocess.ts";
import { loadMnist } from "../tests/support/mnist_idx.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function onnxFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".onnx")) out.push(dir + e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

const files = Deno.env.get("MODEL_BENCH_FILES")?.split(",").filter(Boolean) ??
  [...await onnxFiles(`${ROOT}models/`), `${ROOT}tests/testdata/seed/convnet.onnx`];

const test = await loadMnist("t10k");
const digit = Float32Array.from(test.image(0), (v) => v / 255);

for (const path of files) {
  const metadata = parseMetadata(JSON.parse(await Deno.readTextFile(path.replace(/\.onnx$/, ".json"))));
  const model = await loadModel(await Deno.readFile(path), {
    backend: "wasm",
    numThreads: 1,
    inputName: metadata.input.name,
    outputName: metadata.output.name,
    outputSize: outputColumns(metadata),
  });
  const input = normalize(digit, metadata.normalization.mean, metadata.normalization.std);
  const macs = typeof metadata.macs === "number" ? `, ${(metadata.macs / 1e6).toFixed(2)} M MACs` : "";
  Deno.bench({
    name: `${metadata.name} (${path.slice(path.lastIndexOf("/", path.lastIndexOf("/") - 1) + 1)}, ` +
      `${metadata.parameters ?? "?"} params${macs})`,
    group: "wasm, batch 1, 1 thread",
    baseline: path === `${ROOT}models/convnet.onnx`,
    async fn() {
      await model.run(input, 1);
    },
  });
}
