/**
 * Measures the drawing page in headless Chromium against the real server: bytes
 * transferred before the first prediction, time from navigation to the model being
 * ready and to the first prediction, and the time of one classification per backend.
 * The numbers go into `docs/web.md`.
 *
 * Runs in Deno: `deno task build && deno run -A tests/e2e/measure.ts [runs]`. Each
 * backend gets a fresh browser context (cold cache, no service worker); the first
 * prediction comes from uploading `tests/testdata/images/7_canvas.png` as soon as the
 * page has parsed, so it measures loading, not how fast a person draws.
 * @module
 */

import { startServer } from "../support/test_utils.ts";
import { launchChromium, padVersion, waitForBackend, waitForPrediction } from "./browser.ts";

const IMAGE = new URL("../testdata/images/7_canvas.png", import.meta.url).pathname;
const RUNS = Number(Deno.args[0] ?? 30);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
const browser = await launchChromium();
const rows: string[] = [];
try {
  for (const query of ["", "backend=webgpu", "backend=webgl", "backend=wasm", "backend=wasm&threads=2"]) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // Bytes on the wire (compressed bodies and headers) of every request of the context:
    // the page's and the service worker's (a page request the worker answers costs 0).
    const done: Promise<{ url: string; n: number; at: number }>[] = [];
    ctx.on("requestfinished", (r) => {
      const at = performance.now();
      const url = (r.serviceWorker() ? "(sw) " : "") + r.url().split("/").pop();
      done.push(r.sizes().then((s) => ({ url, n: s.responseBodySize + s.responseHeadersSize, at })));
    });
    await page.goto(`${server.url}/?${query}`, { waitUntil: "domcontentloaded" });
    await page.locator("#upload").setInputFiles(IMAGE);
    const backend = await waitForBackend(page);
    const first = await waitForPrediction(page, 120_000, 0);
    const firstAt = performance.now();
    const marks = await page.evaluate(() => ({ ...document.documentElement.dataset }));
    const before = (await Promise.all(done)).filter((r) => r.at <= firstAt);
    const total = before.reduce((s, r) => s + r.n, 0);

    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.getByRole("button", { name: "Clear" }).click();
      const cleared = await padVersion(page);
      await page.locator("#upload").setInputFiles(IMAGE);
      await waitForPrediction(page, 30_000, cleared);
      times.push(Number(await page.locator("#timing").getAttribute("data-ms")));
    }
    // A repeat visit: everything comes from the service worker's cache.
    await page.waitForFunction(() => document.documentElement.dataset.offline === "ready", null, {
      timeout: 60_000,
    });
    await page.reload({ waitUntil: "domcontentloaded" });
    await page.locator("#upload").setInputFiles(IMAGE);
    await waitForPrediction(page, 120_000, 0);
    const repeat = await page.evaluate(() => document.documentElement.dataset.firstPredictionMs);
    const files = before.filter((r) => r.n > 2048).map((r) =>
      `${r.url.split("/").pop()} ${(r.n / 1024).toFixed(0)} KiB`
    );
    rows.push(
      `| ${query || "(automatic)"} | ${backend.text} (${first.digit}) | ${
        (total / 1024).toFixed(0)
      } KiB | ${marks.readyMs} ms | ` +
        `${marks.firstPredictionMs} ms | ${repeat} ms | ${median(times).toFixed(1)} ms | ${
          Math.min(...times).toFixed(1)
        } ms |`,
    );
    rows.push(`|   | ${files.join(", ")} | | | | | | |`);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const head = "| query | backend (digit) | bytes before 1st prediction | ready | 1st prediction | " +
  `repeat visit: 1st prediction | median of ${RUNS} | fastest |\n|---|---|---|---|---|---|---|---|`;
await Deno.stdout.write(new TextEncoder().encode(`${head}\n${rows.join("\n")}\n`));
