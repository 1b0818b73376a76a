/**
 * Security promises of issue 8 checked on the real server process: response headers,
 * CORS only for CORS_ORIGINS, static files only from the web directory (symlinks out
 * of it not followed), and model files only from the model directory.
 */
import assert from "node:assert/strict";
import { copyModelDir, ROOT, startServer, startTaskArgs } from "../support/test_utils.ts";
import { rawRequest } from "../support/raw_http.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function get(url: string, headers: Record<string, string> = {}, method = "GET") {
  const res = await fetch(url, { headers, method });
  const text = await res.text();
  return { res, text };
}

Deno.test({
  name: "security headers: nosniff and Referrer-Policy everywhere, CSP and COOP/COEP on the page",
  ...opts,
  async fn() {
    const srv = await startServer({ WATCH_MODELS: "false" });
    try {
      const page = await get(srv.url + "/", { accept: "text/html" });
      assert.equal(page.res.status, 200);
      const csp = page.res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|(^|\s)\*/);
      assert.equal(page.res.headers.get("cross-origin-opener-policy"), "same-origin");
      assert.equal(page.res.headers.get("cross-origin-embedder-policy"), "require-corp");
      const bodies = [
        page,
        await get(srv.url + "/health"),
        await get(srv.url + "/nope"),
        await get(srv.url + "/api/v1/predict", {}, "GET"),
        await get(srv.url + "/docs"),
      ];
      for (const { res } of bodies) {
        assert.equal(res.headers.get("x-content-type-options"), "nosniff", res.url);
        assert.equal(res.headers.get("referrer-policy"), "no-referrer", res.url);
        assert.ok(res.headers.get("content-security-policy"), res.url);
      }
    } finally {
      await srv.stop();
    }
  },
});

Deno.test({
  name: "CORS: no Access-Control-Allow-Origin by default; only the listed origins with CORS_ORIGINS",
  ...opts,
  async fn() {
    const closed = await startServer({ WATCH_MODELS: "false" });
    try {
      for (const method of ["GET", "OPTIONS"]) {
        const { res } = await get(closed.url + "/health", { origin: "https://app.example" }, method);
        assert.equal(res.headers.get("access-control-allow-origin"), null, method);
        assert.equal(res.headers.get("access-control-allow-methods"), null, method);
      }
    } finally {
      await closed.stop();
    }
    const open = await startServer({ WATCH_MODELS: "false", CORS_ORIGINS: "https://app.example" });
    try {
      const ok = await get(open.url + "/health", { origin: "https://app.example" });
      assert.equal(ok.res.headers.get("access-control-allow-origin"), "https://app.example");
      assert.match(ok.res.headers.get("vary") ?? "", /Origin/i);
      const pre = await get(open.url + "/api/v1/predict", { origin: "https://app.example" }, "OPTIONS");
      assert.equal(pre.res.headers.get("access-control-allow-origin"), "https://app.example");
      for (const origin of ["https://evil.example", "https://app.example.evil", "null"]) {
        const { res } = await get(open.url + "/health", { origin });
        assert.equal(res.headers.get("access-control-allow-origin"), null, origin);
      }
    } finally {
      await open.stop();
    }
  },
});

Deno.test({
  name: "static files: served only from WEB_DIR; symlinks out of it are not followed",
  ...opts,
  async fn() {
    const web = await Deno.makeTempDir({ prefix: "mnist-web-" });
    await Deno.writeTextFile(`${web}/index.html`, "<!doctype html><html>inside</html>");
    await Deno.writeTextFile(`${web}/inside.txt`, "inside the web dir");
    // Targets the server may read (its --allow-read covers server/ and src/): only the link check stops them.
    await Deno.symlink(`${ROOT}server/app.ts`, `${web}/leak.txt`);
    await Deno.symlink(`${ROOT}src`, `${web}/srcdir`);
    await Deno.symlink(`${web}/inside.txt`, `${web}/alias.txt`);
    const srv = await startServer({ WATCH_MODELS: "false", WEB_DIR: web }, {
      args: startTaskArgs([web]),
    });
    try {
      assert.equal((await get(srv.url + "/inside.txt")).text, "inside the web dir");
      assert.equal(
        (await get(srv.url + "/alias.txt")).text,
        "inside the web dir",
        "a link inside stays served",
      );
      for (
        const p of [
          "/leak.txt",
          "/srcdir/mod.ts",
          "/srcdir/../../server/app.ts",
          "/%2e%2e/server/app.ts",
        ]
      ) {
        const res = await rawRequest(srv.port, { method: "GET", target: p });
        const text = new TextDecoder().decode(res.body);
        assert.ok(res.status === 404 || res.status === 400, `${p}: ${res.status}`);
        assert.ok(!text.includes("createApp(") && !text.includes("@module"), `${p} leaked a file`);
      }
    } finally {
      await srv.stop();
      await Deno.remove(web, { recursive: true });
    }
  },
});

Deno.test({
  name: "model files: metadata naming a path outside MODEL_DIR is refused at start and on reload",
  ...opts,
  async fn() {
    for (const file of ["../convnet.onnx", `${ROOT}models/convnet.onnx`, "sub/convnet.onnx", ".."]) {
      const dir = await copyModelDir();
      const meta = JSON.parse(await Deno.readTextFile(`${dir}/convnet.json`));
      await Deno.writeTextFile(`${dir}/convnet.json`, JSON.stringify({ ...meta, file }));
      const srv = await startServer({ MODEL_DIR: dir }, { waitReady: false });
      const code = await Promise.race([
        srv.exited,
        new Promise<number>((r) => setTimeout(() => r(-1), 20_000)),
      ]);
      await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
      assert.equal(code, 1, file);
      assert.match(srv.logs.join("\n"), /plain \.onnx file name/, file);
    }
    // On reload: the live model keeps serving and /api/info records the refusal.
    const dir = await copyModelDir();
    const srv = await startServer({ MODEL_DIR: dir });
    try {
      const meta = JSON.parse(await Deno.readTextFile(`${dir}/convnet.json`));
      const before = (await (await fetch(`${srv.url}/api/info`)).json()).model_info.sha256;
      await Deno.writeTextFile(
        `${dir}/convnet.json`,
        JSON.stringify({ ...meta, file: "../../server/app.ts" }),
      );
      let reloads: { ok: boolean; error?: string }[] = [];
      for (let i = 0; i < 100 && !reloads.some((r) => !r.ok); i++) {
        await new Promise((r) => setTimeout(r, 100));
        reloads = (await (await fetch(`${srv.url}/api/info`)).json()).model_reloads;
      }
      const failed = reloads.find((r) => !r.ok);
      assert.ok(failed, "the bad metadata was seen and refused");
      assert.match(failed.error ?? "", /plain \.onnx file name/);
      assert.equal((await (await fetch(`${srv.url}/api/info`)).json()).model_info.sha256, before);
    } finally {
      await srv.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "model files: a model-file symlink leading out of MODEL_DIR is not loaded",
  ...opts,
  async fn() {
    // A valid model (the seed) that lies outside every directory the server may read.
    const dir = await Deno.makeTempDir({ prefix: "mnist-models-" });
    await Deno.copyFile(`${ROOT}tests/testdata/seed/convnet.json`, `${dir}/convnet.json`);
    await Deno.symlink(`${ROOT}tests/testdata/seed/convnet.onnx`, `${dir}/convnet.onnx`);
    try {
      // Either it refuses to start (exit 1), or it goes ready on the linked model.
      const started = await startServer({ MODEL_DIR: dir }, { timeoutMs: 20_000 }).then(
        async (srv) => {
          const info = await (await fetch(`${srv.url}/api/info`)).json();
          await srv.stop("SIGKILL");
          return `ready, serving model ${info.model_info.version} (sha256 ${
            info.model_info.sha256.slice(0, 12)
          }…)`;
        },
        (e: Error) => e.message,
      );
      assert.match(
        started,
        /^Server exited early/,
        `the model was read through a symlink out of MODEL_DIR: ${started}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
