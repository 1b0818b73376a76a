/**
 * The whole application in process (no socket): `createApp` on the bundled model, called
 * with `new Request(...)`. Headers, CORS, routing (404/405/HEAD), the one error path,
 * limits, shedding and every route. Socket-level behaviour (slow clients, signals,
 * workers) stays in tests/integration and tests/reliability.
 */
import assert from "node:assert/strict";
import { createTestApp, uploadRequest } from "../../support/app_harness.ts";

const BASE = "http://localhost";
const PNG7 = await Deno.readFile(new URL("../../testdata/images/7_bench.png", import.meta.url));
const JPEG5 = await Deno.readFile(new URL("../../testdata/images/5_canvas.jpg", import.meta.url));
const opts = { sanitizeOps: false, sanitizeResources: false };

/** A problem-details body with the status it was sent with. */
async function problem(res: Response, status: number) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const body = await res.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.detail, "string");
  assert.equal(body.request_id, res.headers.get("x-request-id"));
  return body;
}

Deno.test({
  name: "createApp() in process: every route, headers, errors and limits",
  ...opts,
  async fn(t) {
    const { app, ctx, close } = await createTestApp({ MAX_UPLOAD_BYTES: "100000" });
    try {
      await t.step("every response carries the security headers and a request id", async () => {
        for (const path of ["/health", "/nope", "/api/info"]) {
          const res = await app(new Request(BASE + path));
          await res.body?.cancel();
          assert.equal(res.headers.get("x-content-type-options"), "nosniff");
          assert.equal(res.headers.get("cross-origin-opener-policy"), "same-origin");
          assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
          assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
        }
        const kept = await app(new Request(`${BASE}/health`, { headers: { "x-request-id": "abc.1" } }));
        assert.equal(kept.headers.get("x-request-id"), "abc.1");
        await kept.body?.cancel();
        const replaced = await app(new Request(`${BASE}/health`, { headers: { "x-request-id": "a b<" } }));
        assert.notEqual(replaced.headers.get("x-request-id"), "a b<");
        await replaced.body?.cancel();
      });

      await t.step("the API docs keep their own CSP", async () => {
        const res = await app(new Request(`${BASE}/docs`));
        await res.body?.cancel();
        assert.match(res.headers.get("content-security-policy") ?? "", /unsafe-inline/);
      });

      await t.step("no CORS header without CORS_ORIGINS; preflight is 204", async () => {
        const res = await app(new Request(`${BASE}/health`, { headers: { origin: "https://a.example" } }));
        await res.body?.cancel();
        assert.equal(res.headers.get("access-control-allow-origin"), null);
        const pre = await app(new Request(`${BASE}/api/v1/predict`, { method: "OPTIONS" }));
        assert.equal(pre.status, 204);
        assert.equal(pre.headers.get("access-control-allow-methods"), null);
      });

      await t.step(
        "unknown paths are 404, wrong methods 405 with Allow, HEAD is GET without a body",
        async () => {
          await problem(await app(new Request(`${BASE}/api/v1/nothing`, { method: "POST" })), 404);
          await problem(await app(new Request(`${BASE}/no-such-file.txt`)), 404);
          const wrong = await app(new Request(`${BASE}/api/v1/predict`));
          await problem(wrong, 405);
          assert.equal(wrong.headers.get("allow"), "POST");
          const get = await app(new Request(`${BASE}/health`));
          const head = await app(new Request(`${BASE}/health`, { method: "HEAD" }));
          assert.equal(head.status, 200);
          assert.equal(head.body, null);
          assert.equal(head.headers.get("content-type"), get.headers.get("content-type"));
          await get.body?.cancel();
          await problem(await app(new Request(`${BASE}/model/%E0%A4%A`)), 400);
        },
      );

      await t.step("a URL over 8192 characters is 414", async () => {
        await problem(await app(new Request(`${BASE}/health?${"x".repeat(8200)}`)), 414);
      });

      await t.step("operational routes answer", async () => {
        const health = await (await app(new Request(`${BASE}/health`))).json();
        assert.equal(health.status, "healthy");
        assert.equal(health.model_version, ctx.store.current.metadata.version);
        const ready = await app(new Request(`${BASE}/ready`));
        assert.equal(ready.status, 200);
        assert.equal((await ready.json()).ready, true);
        const info = await (await app(new Request(`${BASE}/api/info`))).json();
        assert.equal(info.backend.name, "wasm");
        assert.equal(info.limits.max_upload_bytes, 100000);
        const doc = await (await app(new Request(`${BASE}/openapi.json`))).json();
        assert.match(doc.openapi, /^3\./);
        const index = await (await app(new Request(`${BASE}/`, { headers: { accept: "application/json" } })))
          .json();
        assert.equal(index.endpoints.predict, "/api/v1/predict");
        const page = await app(new Request(`${BASE}/`, { headers: { accept: "text/html" } }));
        assert.match(await page.text(), /<html/i);
        for (const path of ["/docs", "/redoc"]) {
          const res = await app(new Request(BASE + path));
          assert.equal(res.status, 200);
          assert.match(await res.text(), /docs\/assets\//);
        }
      });

      await t.step("/docs/ redirects to /docs, and /favicon.ico is served", async () => {
        const slash = await app(new Request(`${BASE}/docs/?x=1`));
        assert.equal(slash.status, 308);
        assert.equal(slash.headers.get("location"), "../docs?x=1");
        await slash.body?.cancel();
        const icon = await app(new Request(`${BASE}/favicon.ico`));
        assert.equal(icon.status, 200);
        assert.equal(icon.headers.get("content-type"), "image/x-icon");
        assert.ok((await icon.arrayBuffer()).byteLength > 0);
      });

      await t.step("the live model's files, revalidated by ETag", async () => {
        const res = await app(new Request(`${BASE}/model/convnet.json`));
        assert.equal((await res.json()).sha256, ctx.store.current.metadata.sha256);
        const etag = res.headers.get("etag")!;
        const again = await app(
          new Request(`${BASE}/model/convnet.json`, { headers: { "if-none-match": etag } }),
        );
        assert.equal(again.status, 304);
        await problem(await app(new Request(`${BASE}/model/other.onnx`)), 404);
      });

      await t.step("POST /api/v1/predict: multipart PNG and JPEG, JSON, raw image body", async () => {
        const png = await (await app(uploadRequest(`${BASE}/api/v1/predict`, PNG7))).json();
        assert.equal(png.predicted_class, 7);
        assert.equal(png.backend, "wasm");
        assert.equal(png.model_version, ctx.store.current.metadata.version);
        assert.equal(png.probabilities.length, 10);
        const jpg = await (await app(uploadRequest(`${BASE}/api/v1/predict`, JPEG5, "image/jpeg"))).json();
        assert.equal(jpg.predicted_class, 5);
        const raw = await app(
          new Request(`${BASE}/api/v1/predict`, {
            method: "POST",
            body: PNG7,
            headers: { "content-type": "image/png" },
          }),
        );
        assert.equal((await raw.json()).predicted_class, 7);
        const one = Array.from({ length: 784 }, (_, i) => (i % 28 === 14 && i > 100 && i < 700 ? 255 : 0));
        const json = await app(
          new Request(`${BASE}/api/v1/predict`, {
            method: "POST",
            body: JSON.stringify({ image: one }),
            headers: { "content-type": "application/json" },
          }),
        );
        assert.equal((await json.json()).predicted_class, 1);
      });

      await t.step("a drawing that is not a digit answers 200 with is_digit false", async () => {
        // A zig-zag and a dot: the model's "not a digit" output, with its calibrated threshold.
        const zig = Array.from({ length: 784 }, (_, i) => {
          const x = i % 28, y = Math.floor(i / 28);
          return y > 4 && y < 24 && Math.abs(((x * 3) % 14) - (y % 14)) < 2 ? 255 : 0;
        });
        const dot = Array.from(
          { length: 784 },
          (_, i) => ((i % 28) - 14) ** 2 + (Math.floor(i / 28) - 14) ** 2 < 9 ? 255 : 0,
        );
        const threshold = ctx.store.current.metadata.not_digit!.threshold;
        for (const image of [zig, dot]) {
          const res = await app(
            new Request(`${BASE}/api/v1/predict`, {
              method: "POST",
              body: JSON.stringify({ image }),
              headers: { "content-type": "application/json" },
            }),
          );
          assert.equal(res.status, 200);
          const body = await res.json();
          assert.equal(body.is_digit, false);
          assert.ok(body.digit_score < threshold, `${body.digit_score}`);
          assert.equal(body.probabilities.length, 10, "old clients still get ten probabilities");
        }
        const seven = await (await app(uploadRequest(`${BASE}/api/v1/predict`, PNG7))).json();
        assert.equal(seven.is_digit, true);
        assert.ok(seven.digit_score >= threshold);
      });

      await t.step("POST /api/v1/predict/batch answers in order, errors in place", async () => {
        const form = new FormData();
        form.append("file", new Blob([PNG7], { type: "image/png" }), "a.png");
        form.append("file", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "b.png");
        form.append("file", new Blob([JPEG5], { type: "image/jpeg" }), "c.jpg");
        const res = await app(new Request(`${BASE}/api/v1/predict/batch`, { method: "POST", body: form }));
        const { results } = await res.json();
        assert.equal(results[0].predicted_class, 7);
        assert.equal(results[0].is_digit, true);
        assert.equal(results[1].error.status, 415);
        assert.equal(results[2].predicted_class, 5);
      });

      await t.step("bad input: 400, 413, 415, 422, each as problem details", async () => {
        const post = (body: BodyInit, type: string) =>
          app(
            new Request(`${BASE}/api/v1/predict`, {
              method: "POST",
              body,
              headers: { "content-type": type },
            }),
          );
        await problem(await post("{not json", "application/json"), 400);
        await problem(await post(new Uint8Array(100_001), "image/png"), 413);
        await problem(await post("hello", "text/plain"), 415);
        await problem(await post(JSON.stringify({ image: [1, 2] }), "application/json"), 422);
        const noFile = new FormData();
        noFile.append("other", "x");
        await problem(
          await app(new Request(`${BASE}/api/v1/predict`, { method: "POST", body: noFile })),
          422,
        );
        const blank = await Deno.readFile(new URL("../../testdata/images/blank.png", import.meta.url));
        const body = await problem(await app(uploadRequest(`${BASE}/api/v1/predict`, blank)), 422);
        assert.match(body.detail, /No digit found/);
      });

      await t.step('the Open Inference Protocol routes answer, errors as {"error"}', async () => {
        assert.deepEqual(await (await app(new Request(`${BASE}/v2/health/live`))).json(), { live: true });
        const meta = await (await app(new Request(`${BASE}/v2/models/mnist`))).json();
        assert.equal(meta.name, "mnist");
        const res = await app(new Request(`${BASE}/v2/models/nope`));
        assert.equal(res.status, 404);
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
        assert.equal(typeof (await res.json()).error, "string");
      });

      await t.step(
        "at capacity, heavy routes are shed with 503 and Retry-After; light ones pass",
        async () => {
          ctx.inflight = ctx.config.maxInflight;
          try {
            const shed = await app(uploadRequest(`${BASE}/api/v1/predict`, PNG7));
            await problem(shed, 503);
            assert.equal(shed.headers.get("retry-after"), "1");
            assert.equal((await app(new Request(`${BASE}/health`))).status, 200);
          } finally {
            ctx.inflight = 0;
          }
          const metrics = await (await app(new Request(`${BASE}/metrics`))).text();
          assert.match(metrics, /^http_requests_shed_total 1$/m);
        },
      );

      await t.step(
        "while draining, readiness is 503, predictions still answer, every response says Connection: close",
        async () => {
          ctx.draining = true;
          try {
            const ready = await app(new Request(`${BASE}/ready`));
            assert.equal(ready.status, 503);
            assert.equal(ready.headers.get("connection"), "close");
            assert.equal((await ready.json()).draining, true);
            const v2Ready = await app(new Request(`${BASE}/v2/health/ready`));
            assert.equal(v2Ready.status, 503);
            assert.equal(v2Ready.headers.get("connection"), "close");
            await v2Ready.body?.cancel();
            const res = await app(uploadRequest(`${BASE}/api/v1/predict`, PNG7));
            assert.equal(res.headers.get("connection"), "close");
            assert.equal((await res.json()).predicted_class, 7);
          } finally {
            ctx.draining = false;
          }
          const after = await app(new Request(`${BASE}/health`));
          await after.body?.cancel();
          assert.equal(after.headers.get("connection"), null);
        },
      );

      await t.step(
        "with the drain gate closed, an upload waits with its body read, then is answered",
        async () => {
          ctx.gate.close();
          let pending: Promise<Response> | undefined;
          try {
            pending = app(uploadRequest(`${BASE}/api/v1/predict`, PNG7));
            while (ctx.gate.waiting === 0) await new Promise((r) => setTimeout(r, 1));
            assert.equal(ctx.gate.unsettled, 0, "its body is in memory");
          } finally {
            ctx.gate.open();
          }
          assert.equal((await (await pending).json()).predicted_class, 7);
        },
      );

      await t.step("metrics count requests by route label and status", async () => {
        const text = await (await app(new Request(`${BASE}/metrics`))).text();
        assert.match(text, /route="\/api\/v1\/predict",method="POST",status="200"/);
        assert.match(text, /route="method_not_allowed"/);
      });
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "createApp() with CORS_ORIGINS names only allowed origins",
  ...opts,
  async fn() {
    const { app, close } = await createTestApp({ CORS_ORIGINS: "https://a.example" });
    try {
      const ok = await app(new Request(`${BASE}/health`, { headers: { origin: "https://a.example" } }));
      await ok.body?.cancel();
      assert.equal(ok.headers.get("access-control-allow-origin"), "https://a.example");
      assert.match(ok.headers.get("vary") ?? "", /Origin/);
      const other = await app(new Request(`${BASE}/health`, { headers: { origin: "https://b.example" } }));
      await other.body?.cancel();
      assert.equal(other.headers.get("access-control-allow-origin"), null);
      const pre = await app(
        new Request(`${BASE}/api/v1/predict`, {
          method: "OPTIONS",
          headers: { origin: "https://a.example" },
        }),
      );
      assert.equal(pre.status, 204);
      assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
      assert.equal(pre.headers.get("access-control-allow-origin"), "https://a.example");
      // An error still names the origin, so the browser shows the client the problem.
      const err = await app(new Request(`${BASE}/nope`, { headers: { origin: "https://a.example" } }));
      await err.body?.cancel();
      assert.equal(err.status, 404);
      assert.equal(err.headers.get("access-control-allow-origin"), "https://a.example");
    } finally {
      await close();
    }
  },
});
