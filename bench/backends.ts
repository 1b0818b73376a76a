/**
 * Inference per backend and batch size, as a Markdown table, with the adapter that
 * WebGPU got, the bare WebGPU round trip (write, copy, map for reading: the floor
 * under any `run()` that reads its result back) and the choice `BACKEND=auto` makes
 * from its own start-up measurement, i.e. what `/api/info` reports on this machine.
 *
 *     deno run -A bench/backends.ts [--runs 40] [--json out.json]
 *
 * `bench/gpu/run.sh` runs it on a GPU machine; docs/performance.md puts that table
 * beside this machine's.
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { type BackendName, createClassifier, parseMetadata } from "../src/mod.ts";
import { BackendRouter } from "../server/model/router.ts";
import { createLogger } from "../server/log.ts";
import { ModelStore } from "../server/model/store.ts";
import { loadMnist } from "../tests/support/mnist_idx.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BATCHES = [1, 8, 64, 256];

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "40" }, json: { type: "string" } },
});
const runs = Number(values.runs);

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[xs.length >> 1];

/** Median of `runs` timed calls after 3 untimed ones (the first compile kernels). */
async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

// deno-lint-ignore no-explicit-any
const gpu = (globalThis as any).navigator?.gpu;
// deno-lint-ignore no-explicit-any
const adapter: any = await gpu?.requestAdapter().catch(() => null);
const adapterInfo = adapter
  ? Object.fromEntries(["vendor", "architecture", "device", "description"].map((k) => [k, adapter.info?.[k]]))
  : null;

/**
 * Milliseconds for 40 bytes (one logits row) to go to the GPU, be copied and come back
 * mapped, for one buffer alone and for 4 at once: if 4 take as long as 1, the wait is
 * a polling interval, not work.
 */
async function roundTrip(): Promise<{ one: number; four: number } | null> {
  if (!adapter) return null;
  const device = await adapter.requestDevice();
  // deno-lint-ignore no-explicit-any
  const { GPUBufferUsage: B, GPUMapMode } = globalThis as any;
  const pairs = Array.from({ length: 4 }, () => ({
    src: device.createBuffer({ size: 40, usage: B.COPY_DST | B.COPY_SRC | B.STORAGE }),
    dst: device.createBuffer({ size: 40, usage: B.COPY_DST | B.MAP_READ }),
  }));
  const data = new Float32Array(10);
  // deno-lint-ignore no-explicit-any
  const trip = async ({ src, dst }: { src: any; dst: any }) => {
    device.queue.writeBuffer(src, 0, data);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, 40);
    device.queue.submit([enc.finish()]);
    await dst.mapAsync(GPUMapMode.READ);
    data.set(new Float32Array(dst.getMappedRange()));
    dst.unmap();
  };
  const one = await time(() => trip(pairs[0]));
  const four = await time(() => Promise.all(pairs.map(trip)));
  device.destroy();
  return { one, four };
}

const meta = parseMetadata(JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`)));
const onnx = await Deno.readFile(`${ROOT}models/convnet.onnx`);
const rows: { backend: BackendName; batch: number; ms: number }[] = [];
const failures: Record<string, string> = {};

// The whole MNIST test set through each backend in batches of 256: does the GPU agree?
const test = await loadMnist("t10k");
const { mean, std } = meta.normalization;
const testInput = Float32Array.from(test.images, (v) => (v / 255 - mean) / std);
const testLogits: Partial<Record<BackendName, Float32Array>> = {};
const argmax = (l: Float32Array, i: number) => {
  let best = 0;
  for (let k = 1; k < 10; k++) if (l[i * 10 + k] > l[i * 10 + best]) best = k;
  return best;
};
for (const backend of ["wasm", "webgpu"] as const) {
  let c;
  try {
    c = await createClassifier(onnx, meta, { backend });
  } catch (e) {
    failures[backend] = (e as Error).message.split("\n")[0];
    continue;
  }
  for (const batch of BATCHES) {
    const tensor = new Float32Array(batch * 784).fill(0.5);
    rows.push({ backend, batch, ms: await time(() => c.logits(tensor, batch)) });
  }
  const all = new Float32Array(test.count * 10);
  for (let i = 0; i < test.count; i += 256) {
    const n = Math.min(256, test.count - i);
    all.set(await c.logits(testInput.subarray(i * 784, (i + n) * 784), n), i * 10);
  }
  testLogits[backend] = all;
  await c.release();
}
const trip = await roundTrip();
const accuracy = Object.fromEntries(
  Object.entries(testLogits).map(([b, l]) => {
    let right = 0;
    for (let i = 0; i < test.count; i++) if (argmax(l, i) === test.labels[i]) right++;
    return [b, right / test.count];
  }),
);
let agree: { sameDigit: number; maxLogitDiff: number } | null = null;
if (testLogits.wasm && testLogits.webgpu) {
  const [a, b] = [testLogits.wasm, testLogits.webgpu];
  let same = 0, diff = 0;
  for (let i = 0; i < test.count; i++) if (argmax(a, i) === argmax(b, i)) same++;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  agree = { sameDigit: same, maxLogitDiff: diff };
}

// What BACKEND=auto decides here, from its own (shorter) measurement.
const log = createLogger("error");
const store = new ModelStore({ dir: `${ROOT}models`, backends: ["wasm"], log });
await store.load();
const router = new BackendRouter(store, log);
await router.measure();

const cell = (b: BackendName, n: number) => rows.find((r) => r.backend === b && r.batch === n);
const fmt = (ms: number | undefined, n = 1) => ms === undefined ? "—" : (ms / n).toFixed(ms / n < 1 ? 3 : 2);
const lines = [
  `Deno ${Deno.version.deno}, onnxruntime-web ${store.current.runtimeVersion}, ${navigator.hardwareConcurrency} cores; ` +
  `WebGPU adapter: ${adapterInfo ? JSON.stringify(adapterInfo) : "none"}`,
  "",
  "| batch | WASM ms/run | WebGPU ms/run | WASM ms/image | WebGPU ms/image | WebGPU ÷ WASM | `BACKEND=auto` picks |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ...BATCHES.map((n) => {
    const w = cell("wasm", n)?.ms, g = cell("webgpu", n)?.ms;
    const pick = router.info.table.find((r) => r.batch === n)?.backend ?? router.info.state;
    return `| ${n} | ${fmt(w)} | ${fmt(g)} | ${fmt(w, n)} | ${fmt(g, n)} | ` +
      `${w && g ? (g / w).toFixed(2) : "—"} | ${pick} |`;
  }),
  "",
  "Bare WebGPU round trip (writeBuffer → copy → mapAsync, 40 bytes): " +
  (trip === null ? "—. " : `${trip.one.toFixed(2)} ms; 4 at once ${trip.four.toFixed(2)} ms. `) +
  `Medians of ${runs} runs after 3 warm-ups.`,
  `MNIST test set (${test.count} digits, batches of 256): accuracy ` +
  Object.entries(accuracy).map(([b, a]) => `${b} ${(a * 100).toFixed(2)} %`).join(", ") +
  (agree
    ? `; WebGPU and WASM name the same digit for ${agree.sameDigit} of ${test.count}, ` +
      `largest logit difference ${agree.maxLogitDiff.toExponential(2)}.`
    : "."),
  ...Object.entries(failures).map(([b, why]) => `${b} failed: ${why}`),
  router.info.reason ? `BACKEND=auto: ${router.info.state}: ${router.info.reason}` : "",
];
console.log(lines.join("\n"));
if (values.json) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      { adapter: adapterInfo, rows, roundTripMs: trip, routing: router.info, failures },
      null,
      1,
    ),
  );
}
await store.close();
Deno.exit(0); // WebGPU devices keep the event loop alive
