/**
 * Measures bytes on the wire of a first visit, per backend, in headless Chromium against
 * the real server: every response body as sent (compressed), page and service worker,
 * from navigation until the worker has stored the page for offline use, grouped by kind.
 * Also the docs pages. The table goes into `docs/web.md` ("Bytes on the wire").
 *
 * Runs in Deno: `deno task build && deno run -A tests/e2e/wire_bytes.ts`. Each row is a
 * fresh browser context (cold HTTP cache, no service worker). Not a test.
 * @module
 */

import type { Request } from "playwright-core";
import { startServer } from "../support/test_utils.ts";
import { launchChromium, waitForBackend } from "./browser.ts";

/** The column a URL's bytes count in. */
function kind(url: string): string {
  const path = new URL(url).pathname;
  if (path.endsWith(".wasm")) return "wasm";
  if (path.startsWith("/model/")) return "model";
  if (/\/assets\/ort\.[^/]*\.js$/.test(path)) return "ORT JS";
  if (path.startsWith("/docs") || path.startsWith("/redoc")) return "docs";
  return "page";
}

const KINDS = ["page", "model", "ORT JS", "wasm"] as const;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

const server = await startServer();
const browser = await launchChromium();
const rows: string[] = [];
try {
  for (const target of ["webgpu", "webgl", "wasm", "docs", "redoc"]) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const sizes: Promise<{ kind: string; body: number }>[] = [];
    const onDone = (r: Request) => {
      sizes.push(
        r.sizes().then(async (s) => {
          const res = await r.response();
          // A page request the service worker answers is not on the wire (the worker's own fetch is);
          // one the HTTP cache answers reports a negative size.
          const body = res?.fromServiceWorker() ? 0 : Math.max(0, s.responseBodySize);
          return { kind: kind(r.url()), body };
        }),
      );
    };
    ctx.on("requestfinished", onDone);
    if (target === "docs" || target === "redoc") {
      await page.goto(`${server.url}/${target}`, { waitUntil: "networkidle" });
    } else {
      await page.goto(`${server.url}/?backend=${target}`);
      const shown = await waitForBackend(page);
      if (shown.name !== target) throw new Error(`asked for ${target}, got ${shown.text}`);
      await page.waitForFunction(() => document.documentElement.dataset.offline === "ready", null, {
        timeout: 120_000,
      });
    }
    const done = await Promise.all(sizes);
    const by = (k: string) => done.filter((d) => d.kind === k).reduce((s, d) => s + d.body, 0);
    const total = done.reduce((s, d) => s + d.body, 0);
    const wasmRequests = done.filter((d) => d.kind === "wasm" && d.body > 0).length;
    if (target === "docs" || target === "redoc") {
      rows.push(`| /${target} | ${kib(total)} | | | | | |`);
    } else {
      rows.push(
        `| ${target} | ${kib(total)} | ${KINDS.map((k) => kib(by(k))).join(" | ")} | ${wasmRequests} |`,
      );
    }
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const head = "| first visit | total | page (HTML, JS, CSS) | model | ORT JS | .wasm | .wasm downloads |\n" +
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |";
await Deno.stdout.write(new TextEncoder().encode(`${head}\n${rows.join("\n")}\n`));
