/**
 * Each stage of a request on a real 280×280 PNG and a 28×28 one: multipart parse,
 * decode, pre-processing, inference per backend and batch size, and the whole
 * handler in-process (no socket).
 *
 *     deno bench -A bench/stages_bench.ts
 */
import { createClassifier, parseMetadata, preprocess } from "../src/mod.ts";
import { createApp } from "../server/app.ts";
import { readForm } from "../server/http/body.ts";
import { loadConfig } from "../server/config.ts";
import { createContext } from "../server/cluster/context.ts";
import { decodeImage } from "../server/images/decode.ts";
import { createLogger } from "../server/log.ts";
import { createMetrics } from "../server/metrics.ts";
import { ModelStore } from "../server/model/store.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const IMAGES: Record<string, Uint8Array> = {
  "280": await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`),
  "28": await Deno.readFile(`${ROOT}tests/testdata/images/3_mnist28.png`),
};
const meta = parseMetadata(JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`)));
const onnx = await Deno.readFile(`${ROOT}models/convnet.onnx`);

function multipart(bytes: Uint8Array): Request {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/png" }), "digit.png");
  return new Request("http://localhost/api/v1/predict", { method: "POST", body: form });
}

for (const [size, bytes] of Object.entries(IMAGES)) {
  const sample = multipart(bytes);
  const type = sample.headers.get("content-type")!;
  const body = new Uint8Array(await sample.arrayBuffer());
  const limits = { maxBytes: 5 << 20, timeoutMs: 30_000 };
  Deno.bench(`multipart parse ${size}px`, { group: `stages ${size}` }, async () => {
    // The server's own path: the body read under its limits, then parsed in place.
    await readForm(
      new Request("http://x/", { method: "POST", body, headers: { "content-type": type } }),
      limits,
    );
  });
  Deno.bench(`multipart parse ${size}px, Request.formData()`, { group: `stages ${size}` }, async () => {
    const form = await new Request("http://x/", { method: "POST", body, headers: { "content-type": type } })
      .formData();
    await (form.get("file") as File).arrayBuffer();
  });
  Deno.bench(`decode ${size}px PNG`, { group: `stages ${size}` }, () => {
    decodeImage(bytes);
  });
  const pixels = decodeImage(bytes);
  Deno.bench(`preprocess ${size}px`, { group: `stages ${size}` }, () => {
    preprocess(pixels);
  });
}

const backends = ["wasm", "webgpu"] as const;
for (const backend of backends) {
  const c = await createClassifier(onnx, meta, { backend });
  for (const batch of [1, 8, 64, 256]) {
    const tensor = new Float32Array(batch * 784).fill(0.5);
    Deno.bench(`inference ${backend} batch ${batch}`, {
      group: `inference batch ${batch}`,
      baseline: backend === "wasm",
    }, async () => {
      await c.logits(tensor, batch);
    });
  }
}

const config = loadConfig({ MODEL_DIR: `${ROOT}models`, WATCH_MODELS: "false", LOG_LEVEL: "error" });
const log = createLogger("error");
const store = new ModelStore({ dir: config.modelDir, backends: ["wasm"], log });
await store.load();
const handler = createApp(createContext({ config, store, metrics: createMetrics(), log }));
for (const [size, bytes] of Object.entries(IMAGES)) {
  Deno.bench(`handler POST /api/v1/predict ${size}px`, { group: "handler" }, async () => {
    const res = await handler(multipart(bytes));
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.arrayBuffer();
  });
}
