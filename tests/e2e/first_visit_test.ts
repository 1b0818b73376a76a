/**
 * A first visit to the drawing page in real Chromium: against the real server, each
 * backend's `.wasm` binary is downloaded once (the service worker stores the very
 * response the page gets, instead of fetching it again); served by a plain static file
 * server, the page makes no request that fails and logs no console error.
 *
 * Run: `deno task build && deno test -A tests/e2e/first_visit_test.ts`.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { mimeOf } from "../../server/http/static_files.ts";
import { startServer } from "../support/test_utils.ts";
import { launchChromium, waitForBackend } from "./browser.ts";

const DIST = new URL("../../web/dist/", import.meta.url);

/** Console errors and uncaught exceptions of a page. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return errors;
}

/** Wait until the service worker has stored what the page loaded (`data-offline`). */
async function waitForOffline(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.offline === "ready", null, {
    timeout: 90_000,
  });
}

async function firstVisit(browser: Browser, base: string, backend: "webgpu" | "wasm") {
  const ctx = await browser.newContext();
  try {
    // Every .wasm request of the context, the page's and the service worker's: who made it,
    // and whether it reached the server (neither answered by the worker nor by the HTTP cache).
    type Seen = { url: string; fromWorker: boolean; byWorker: boolean; bytes: number };
    const wasm: Promise<Seen>[] = [];
    ctx.on("requestfinished", (r) => {
      if (!new URL(r.url()).pathname.endsWith(".wasm")) return;
      wasm.push(
        Promise.all([r.response(), r.sizes()]).then(([res, sizes]) => ({
          url: r.url(),
          fromWorker: res?.fromServiceWorker() ?? false,
          byWorker: r.serviceWorker() !== null,
          bytes: sizes.responseBodySize,
        })),
      );
    });
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(`${base}/?backend=${backend}`);
    assert.equal((await waitForBackend(page)).name, backend);
    await waitForOffline(page);
    const seen = await Promise.all(wasm);
    const downloads = seen.filter((s) => !s.fromWorker && s.bytes > 0);
    assert.equal(downloads.length, 1, `one download of the binary: ${JSON.stringify(seen)}`);
    // The page's own request was answered by the worker, which fetched it once and kept a copy.
    assert.ok(seen.some((s) => s.fromWorker && !s.byWorker), `the page got the binary from the worker`);
    const url = downloads[0].url;
    const stored = await page.evaluate(
      async (u) => (await (await caches.match(u))?.arrayBuffer())?.byteLength,
      url,
    );
    const name = new URL(url).pathname.split("/").pop()!;
    assert.equal(stored, (await Deno.stat(new URL(`assets/${name}`, DIST))).size, "stored whole, decoded");
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
}

Deno.test({
  name: "a first visit downloads the backend's .wasm once and the service worker stores that copy",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const browser = await launchChromium();
    const server = await startServer({ WATCH_MODELS: "false" });
    try {
      for (const backend of ["webgpu", "wasm"] as const) {
        await t.step(backend, () => firstVisit(browser, server.url, backend));
      }
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});

/**
 * A plain static file server of `web/dist`, as any host would be: files by path with a
 * content type, 404 otherwise; no API, no compression, no COOP/COEP or CSP.
 */
function staticHost(): { url: string; notFound: string[]; close(): Promise<void> } {
  const notFound: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const file = path.endsWith("/") ? `${path}index.html` : path;
    try {
      const bytes = await Deno.readFile(new URL(`.${file}`, DIST));
      return new Response(bytes, { headers: { "content-type": mimeOf(file) } });
    } catch {
      notFound.push(path);
      return new Response("Not found", { status: 404 });
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, notFound, close: () => server.shutdown() };
}

Deno.test({
  name: "web/dist on a plain static host: the page classifies with no failed request and no console error",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const host = staticHost();
    const browser = await launchChromium();
    try {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const errors = collectErrors(page);
      const failed: string[] = [];
      ctx.on("requestfailed", (r) => {
        // ERR_ABORTED: the page itself dropped a body it does not need (the probe's placeholder).
        if (r.failure()?.errorText !== "net::ERR_ABORTED") {
          failed.push(`${r.url()} ${r.failure()?.errorText}`);
        }
      });
      await page.goto(`${host.url}/?backend=wasm`);
      assert.equal((await waitForBackend(page)).name, "wasm");
      await waitForOffline(page);
      // The API probe has been answered (by the build's placeholder) and found no server.
      await page.waitForFunction(() =>
        performance.getEntriesByType("resource").some((e) => e.name.endsWith("/api/info"))
      );
      assert.equal(await page.locator("#compare").isHidden(), true, "no server to compare with");
      assert.deepEqual(host.notFound, [], "no request got a 404");
      assert.deepEqual(failed, []);
      assert.deepEqual(errors, []);
      await ctx.close();
    } finally {
      await browser.close();
      await host.close();
    }
  },
});
