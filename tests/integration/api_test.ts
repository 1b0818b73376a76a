/**
 * The real server process on a free port, exercised over real HTTP with real image files.
 */
import assert from "node:assert/strict";
import { loadMnist } from "../support/mnist_idx.ts";
import { copyModelDir, postPredict, ROOT, type ServerHandle, startServer } from "../support/test_utils.ts";

const IMAGES = `${ROOT}tests/testdata/images/`;
const opts = { sanitizeOps: false, sanitizeResources: false };

/** Assert a problem-details error and return its body. */
async function assertProblem(res: Response, status: number, detail?: RegExp) {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
  assert.equal(body.status, status);
  assert.equal(typeof body.detail, "string");
  assert.ok(body.title);
  if (detail) assert.match(body.detail, detail);
  return body;
}

/** An Open Inference Protocol error: JSON with a string `error`, plus our `detail` and `request_id`. */
async function assertInferenceError(res: Response, status: number) {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(typeof body.error, "string");
  assert.equal(body.detail, body.error);
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
};

Deno.test({
  name: "server API over real HTTP",
  ...opts,
  async fn(t) {
    const dir = await copyModelDir();
    const srv: ServerHandle = await startServer({ MODEL_DIR: dir, WATCH_MODELS: "false" });
    const url = srv.url;
    try {
      await t.step("GET /health keeps the old body and adds the model version", async () => {
        const body = await (await fetch(`${url}/health`)).json();
        assert.equal(body.status, "healthy");
        assert.equal(body.service, "mnist-backend");
        assert.match(body.model_version, /^\d+\.\d+\.\d+$/);
      });

      await t.step("GET /ready is 200 once the model is loaded", async () => {
        const res = await fetch(`${url}/ready`);
        assert.equal(res.status, 200);
        assert.equal((await res.json()).ready, true);
      });

      await t.step("the old Streamlit client's call works unchanged", async () => {
        // requests.post(f"{API}/api/v1/predict", files={"file": ("digit.png", png_bytes, "image/png")})
        const png = await Deno.readFile(`${IMAGES}7_bench.png`);
        const res = await postPredict(url, png, "digit.png");
        assert.equal(res.status, 200);
        const r = await res.json();
        assert.equal(r.predicted_class, 7);
        assert.ok(r.confidence > 0.5 && r.confidence <= 1);
        assert.equal(r.probabilities.length, 10);
        assert.ok(Math.abs(r.probabilities.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4);
        assert.equal(r.confidence, Math.max(...r.probabilities));
        assert.equal(r.backend, "wasm");
        assert.equal(r.is_digit, true);
        assert.ok(r.digit_score > 0.5 && r.digit_score <= 1);
        assert.ok(r.timings_ms.total >= r.timings_ms.inference);
        assert.ok(res.headers.get("x-request-id"));
      });

      await t.step("every format and variant of a real digit is classified", async () => {
        const files = [...Deno.readDirSync(IMAGES)].map((e) => e.name).filter((n) => /^\d_/.test(n)).sort();
        assert.ok(files.length >= 20);
        const wrong: string[] = [];
        for (const name of files) {
          const ext = name.split(".").pop()!;
          const res = await postPredict(url, await Deno.readFile(IMAGES + name), name, MIME[ext]);
          const body = await res.json();
          assert.equal(res.status, 200, `${name}: ${JSON.stringify(body)}`);
          if (body.predicted_class !== Number(name[0])) wrong.push(`${name} → ${body.predicted_class}`);
          if (body.is_digit !== true) wrong.push(`${name} → not a digit (${body.digit_score})`);
        }
        assert.deepEqual(wrong, []);
      });

      await t.step("a raw image/* body is accepted", async () => {
        const res = await fetch(`${url}/api/v1/predict`, {
          method: "POST",
          headers: { "content-type": "image/jpeg" },
          body: await Deno.readFile(`${IMAGES}5_canvas.jpg`),
        });
        assert.equal((await res.json()).predicted_class, 5);
      });

      await t.step("JSON images: 784 numbers 0–255 and 28×28 rows 0–1", async () => {
        const mnist = await loadMnist("t10k");
        for (const i of [0, 1, 2]) {
          const img = Array.from(mnist.image(i));
          const rows = Array.from(
            { length: 28 },
            (_, y) => img.slice(y * 28, y * 28 + 28).map((v) => v / 255),
          );
          for (const image of [img, rows]) {
            const res = await fetch(`${url}/api/v1/predict`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ image }),
            });
            assert.equal((await res.json()).predicted_class, mnist.labels[i]);
          }
        }
      });

      await t.step("batch: one result per file, in order, errors in place", async () => {
        const form = new FormData();
        for (const n of ["3_canvas.png", "blank.png", "8_canvas.bmp", "5_canvas.jpg"]) {
          form.append("file", new Blob([await Deno.readFile(IMAGES + n)]), n);
        }
        form.append("file", new Blob(["not an image"]), "notes.txt");
        const res = await fetch(`${url}/api/v1/predict/batch`, { method: "POST", body: form });
        const body = await res.json();
        assert.equal(res.status, 200);
        assert.equal(body.results.length, 5);
        assert.equal(body.results[0].predicted_class, 3);
        assert.equal(body.results[1].error.status, 422);
        assert.match(body.results[1].error.detail, /no digit/i);
        assert.equal(body.results[2].predicted_class, 8);
        assert.equal(body.results[3].predicted_class, 5);
        assert.equal(body.results[4].error.status, 415);
      });

      await t.step("batch: more files than the limit is 413", async () => {
        const form = new FormData();
        const png = await Deno.readFile(`${IMAGES}3_mnist28.png`);
        for (let i = 0; i < 65; i++) form.append("file", new Blob([png]), `${i}.png`);
        await assertProblem(await fetch(`${url}/api/v1/predict/batch`, { method: "POST", body: form }), 413);
      });

      await t.step("bad input gets the documented status and a detail", async () => {
        const post = (body: BodyInit, type?: string) =>
          fetch(`${url}/api/v1/predict`, {
            method: "POST",
            body,
            headers: type ? { "content-type": type } : {},
          });
        await assertProblem(
          await post("--x\r\nbroken", "multipart/form-data; boundary=zzz"),
          400,
          /multipart/i,
        );
        await assertProblem(await post("{not json", "application/json"), 400, /JSON/);
        await assertProblem(await post(JSON.stringify({ image: "abc" }), "application/json"), 422);
        await assertProblem(
          await post(JSON.stringify({ image: Array(784).fill(NaN) }), "application/json"),
          422,
        );
        const noFile = new FormData();
        noFile.append("image", "x");
        await assertProblem(await post(noFile), 422, /"file"/);
        await assertProblem(
          await postPredict(url, new TextEncoder().encode("hello"), "a.txt", "text/plain"),
          415,
        );
        await assertProblem(await post("hello", "text/plain"), 415);
        await assertProblem(await post("hello"), 415);
        await assertProblem(
          await postPredict(url, await Deno.readFile(`${IMAGES}blank.png`)),
          422,
          /no digit/i,
        );
        await assertProblem(
          await postPredict(url, await Deno.readFile(`${IMAGES}one_pixel.png`)),
          422,
          /no digit/i,
        );
        const png = await Deno.readFile(`${IMAGES}7_bench.png`);
        await assertProblem(await postPredict(url, png.subarray(0, png.length / 2)), 400, /truncated/);
      });

      await t.step("a decompression bomb is refused from its header", async () => {
        // A real PNG header declaring 50,000 × 50,000 pixels, in a few hundred bytes.
        const png = await Deno.readFile(`${IMAGES}3_mnist28.png`);
        const bomb = png.slice();
        const v = new DataView(bomb.buffer);
        v.setUint32(16, 50_000);
        v.setUint32(20, 50_000);
        await assertProblem(await postPredict(url, bomb), 413, /50000×50000/);
      });

      await t.step("a body over the limit is refused while streaming", async () => {
        let sent = 0;
        const chunk = new Uint8Array(64 * 1024);
        const body = new ReadableStream<Uint8Array>({
          pull(c) {
            // Endless without the limit: the server must stop reading.
            if (sent > 64 * 1024 * 1024) return c.close();
            sent += chunk.length;
            c.enqueue(chunk);
          },
        });
        const res = await fetch(`${url}/api/v1/predict`, {
          method: "POST",
          headers: { "content-type": "image/png" },
          body,
        });
        await assertProblem(res, 413, /limit/);
        assert.ok(sent < 32 * 1024 * 1024, `client pushed ${sent} bytes`);
      });

      await t.step("the server still serves after all of that", async () => {
        const res = await postPredict(url, await Deno.readFile(`${IMAGES}4_canvas.png`));
        assert.equal((await res.json()).predicted_class, 4);
        assert.ok(!srv.logs.some((l) => l.includes('"status":500')));
      });

      await t.step("GET /api/info names the service, model, backend and limits", async () => {
        const info = await (await fetch(`${url}/api/info`)).json();
        const meta = JSON.parse(await Deno.readTextFile(`${dir}/convnet.json`));
        assert.equal(info.version, "2.0.0");
        assert.equal(info.model_info.sha256, meta.sha256);
        assert.equal(info.model_info.version, meta.version);
        assert.equal(info.model_info.test_accuracy, meta.test.accuracy);
        assert.equal(info.backend.name, "wasm");
        assert.ok(Array.isArray(info.backend.attempts));
        assert.equal(info.limits.max_upload_bytes, 5 * 1024 * 1024);
        assert.ok(info.runtime.deno);
      });

      await t.step(
        "GET /openapi.json describes every route; /docs and /redoc are served locally",
        async () => {
          const doc = await (await fetch(`${url}/openapi.json`)).json();
          for (
            const p of [
              "/api/v1/predict",
              "/api/v1/predict/batch",
              "/health",
              "/ready",
              "/api/info",
              "/metrics",
            ]
          ) {
            assert.ok(doc.paths[p], p);
          }
          for (const page of ["/docs", "/redoc"]) {
            const html = await (await fetch(url + page)).text();
            for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
              const res = await fetch(new URL(src[1], url + page));
              assert.equal(res.status, 200, src[1]);
              await res.body?.cancel();
            }
          }
        },
      );

      await t.step("GET /metrics has the Prometheus series", async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        for (
          const m of [
            'http_requests_total{route="/api/v1/predict",method="POST",status="200"}',
            "http_request_duration_seconds_bucket",
            'inference_duration_seconds_bucket{le="0.005",backend="wasm"',
            'predictions_total{class="7"}',
            "model_info{",
          ]
        ) assert.ok(text.includes(m), m);
      });

      await t.step("Open Inference Protocol v2 routes", async () => {
        assert.equal((await (await fetch(`${url}/v2/health/live`)).json()).live, true);
        assert.equal((await fetch(`${url}/v2/health/ready`)).status, 200);
        const meta = await (await fetch(`${url}/v2/models/mnist`)).json();
        assert.deepEqual(meta.inputs[0].shape, [-1, 1, 28, 28]);
        const mnist = await loadMnist("t10k");
        const data = Array.from(mnist.images.subarray(0, 2 * 784), (v) => (v / 255 - 0.1307) / 0.3081);
        const res = await fetch(`${url}/v2/models/mnist/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            id: "r1",
            inputs: [{ name: "input", shape: [2, 1, 28, 28], datatype: "FP32", data }],
          }),
        });
        const out = await res.json();
        assert.equal(out.id, "r1");
        const probs = out.outputs.find((o: { name: string }) => o.name === "probabilities");
        assert.deepEqual(probs.shape, [2, 10]);
        for (let r = 0; r < 2; r++) {
          const row = probs.data.slice(r * 10, r * 10 + 10);
          assert.equal(row.indexOf(Math.max(...row)), mnist.labels[r]);
        }
        // The protocol's error body: {"error": "<message>"} (inference_rest.md), not problem details.
        await assertInferenceError(await fetch(`${url}/v2/models/resnet`), 404);
        await assertInferenceError(
          await fetch(`${url}/v2/models/mnist/infer`, {
            method: "POST",
            body: JSON.stringify({
              inputs: [{ name: "input", shape: [1, 3, 28, 28], datatype: "FP32", data: [] }],
            }),
          }),
          400,
        );
      });

      await t.step("GET / is the page for browsers and a JSON index for clients", async () => {
        const index = await (await fetch(url)).json();
        assert.equal(index.endpoints.predict, "/api/v1/predict");
        const page = await fetch(url, { headers: { accept: "text/html" } });
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<html/i);
        assert.match(page.headers.get("content-security-policy") ?? "", /wasm-unsafe-eval/);
        assert.equal(page.headers.get("cross-origin-opener-policy"), "same-origin");
        assert.equal(page.headers.get("cross-origin-embedder-policy"), "require-corp");
        assert.equal(page.headers.get("x-content-type-options"), "nosniff");
      });

      await t.step("path traversal is refused in every encoding", async () => {
        for (
          const p of [
            "/../deno.json",
            "/%2e%2e/deno.json",
            "/%252e%252e/deno.json",
            "/..%2fdeno.json",
            "/assets/..%5c..%5cdeno.json",
          ]
        ) {
          const res = await fetch(url + p);
          const text = await res.text();
          assert.ok(res.status === 400 || res.status === 404, `${p}: ${res.status}`);
          assert.ok(!text.includes('"tasks"'), p);
        }
      });

      await t.step("no CORS header unless CORS_ORIGINS allows the origin", async () => {
        const res = await fetch(`${url}/health`, { headers: { origin: "https://evil.example" } });
        await res.body?.cancel();
        assert.equal(res.headers.get("access-control-allow-origin"), null);
      });

      await t.step("GET /model/* serves the live model, with a 304 for a known ETag", async () => {
        const meta = await (await fetch(`${url}/model/convnet.json`)).json();
        const res = await fetch(`${url}/model/${meta.file}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual(bytes, await Deno.readFile(`${dir}/${meta.file}`));
        const again = await fetch(`${url}/model/${meta.file}`, {
          headers: { "if-none-match": res.headers.get("etag")! },
        });
        await again.body?.cancel();
        assert.equal(again.status, 304);
        await assertProblem(await fetch(`${url}/model/other.onnx`), 404);
      });

      await t.step("a valid request id is echoed", async () => {
        const res = await fetch(`${url}/health`, { headers: { "x-request-id": "abc-123" } });
        await res.body?.cancel();
        assert.equal(res.headers.get("x-request-id"), "abc-123");
      });
    } finally {
      assert.equal(await srv.stop(), 0);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
