/**
 * The single executable (`deno task compile` → dist/mnist-server), built and run alone
 * from a temporary directory outside the repository, with no Deno on PATH and an empty
 * environment: it must start, serve `/api/v1/predict` (a PNG inline, a JPEG through the
 * decode worker) and the page from its embedded copies, and drain on SIGTERM.
 *
 * Not a `*_test.ts` file on purpose: `deno compile` downloads its runtime (denort) from
 * dl.deno.land, which the team's machines and `.ci/run` cannot reach. The workflow's
 * "single-executable" job runs it: `deno test --allow-all tests/deploy/single_executable.ts`.
 * The compile task's flags are checked without compiling in compile_task_test.ts, which CI runs.
 * @module
 */

import assert from "node:assert/strict";
import { freePort, postPredict, ROOT } from "../support/test_utils.ts";

const BINARY = "dist/mnist-server";

Deno.test("dist/mnist-server runs alone from a temporary directory: predicts and serves the page", async () => {
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(build.success, new TextDecoder().decode(build.stderr));

  const dir = await Deno.makeTempDir({ prefix: "mnist-binary-" });
  try {
    await Deno.copyFile(`${ROOT}${BINARY}`, `${dir}/mnist-server`);
    await Deno.chmod(`${dir}/mnist-server`, 0o755);
    const port = freePort();
    const server = new Deno.Command(`${dir}/mnist-server`, {
      cwd: dir,
      clearEnv: true,
      env: { PORT: String(port), HOST: "127.0.0.1", WORKERS: "1", HOME: dir, PATH: "/usr/bin:/bin" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = Promise.all([server.stdout, server.stderr].map((s) => new Response(s).text()));
    const url = `http://127.0.0.1:${port}`;
    try {
      let ready = 0;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && ready !== 200;) {
        ready = await fetch(`${url}/ready`).then(async (r) => (await r.body?.cancel(), r.status), () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready, 200, "/ready");

      const predict = async (name: string, type: string) =>
        postPredict(url, await Deno.readFile(`${ROOT}tests/testdata/images/${name}`), name, type);
      const res = await predict("7_bench.png", "image/png");
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.predicted_class, 7);
      assert.equal(body.backend, "wasm");

      // JPEG goes through the decode worker, a module of its own that must be embedded too.
      const jpegRes = await predict("5_canvas.jpg", "image/jpeg");
      assert.equal(jpegRes.status, 200);
      assert.equal((await jpegRes.json()).predicted_class, 5);

      const page = await fetch(`${url}/`, { headers: { accept: "text/html" } });
      assert.equal(page.status, 200);
      const html = await page.text();
      const script = html.match(/<script[^>]+src="([^"]*assets\/main-[^"]+\.js)"/)?.[1];
      assert.ok(script, "the page references its bundle");
      const js = await fetch(new URL(script, `${url}/`));
      assert.equal(js.status, 200);
      assert.ok((await js.arrayBuffer()).byteLength > 1000);
    } finally {
      server.kill("SIGTERM");
    }
    const status = await server.status;
    const logs = (await output).join("");
    assert.equal(status.code, 0, logs);
    assert.match(logs, /"msg":"model loaded"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
