/**
 * The API documentation pages in real Chromium: Swagger UI (`/docs`) and ReDoc
 * (`/redoc`) render from locally served assets under the server's CSP and list the
 * operations, with no request leaving the machine.
 */
import assert from "node:assert/strict";
import { startServer } from "../support/test_utils.ts";
import { launchChromium } from "./browser.ts";

Deno.test({
  name: "/docs and /redoc list the API's operations in Chromium, offline",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const srv = await startServer({ WATCH_MODELS: "false" });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      // ReDoc's footer names a logo on cdn.redoc.ly: the docs CSP (img-src 'self' data:) must stop
      // it in the browser, so every external request has to fail as blocked, never reach the network.
      const external: string[] = [];
      const errors: string[] = [];
      const isExternal = (u: string) =>
        !u.startsWith(srv.url) && !u.startsWith("data:") && !u.startsWith("blob:");
      context.on("requestfinished", (r) => isExternal(r.url()) && external.push(`${r.url()} (finished)`));
      context.on("requestfailed", (r) => {
        if (isExternal(r.url()) && !/BLOCKED_BY_CSP|csp/i.test(r.failure()?.errorText ?? "")) {
          external.push(`${r.url()} (${r.failure()?.errorText})`);
        }
      });
      const page = await context.newPage();
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));

      await page.goto(`${srv.url}/docs`);
      await page.waitForSelector(".opblock-summary-path", { timeout: 30_000 });
      const swaggerPaths = await page.$$eval(
        ".opblock-summary-path",
        (els) => els.map((e) => e.textContent?.trim()),
      );
      for (
        const p of ["/api/v1/predict", "/api/v1/predict/batch", "/health", "/ready", "/api/info", "/metrics"]
      ) {
        assert.ok(swaggerPaths.some((s) => s?.replace(/\u200b/g, "") === p), `Swagger UI lists ${p}`);
      }

      await page.screenshot({ path: new URL("screenshots/docs.png", import.meta.url).pathname });

      await page.goto(`${srv.url}/redoc`);
      await page.waitForSelector("h2", { timeout: 30_000 });
      const text = await page.textContent("body") ?? "";
      for (const summary of ["Classify one digit image", "Liveness", "Open Inference Protocol liveness"]) {
        assert.ok(text.includes(summary), `ReDoc shows "${summary}"`);
      }
      assert.deepEqual(external, [], "no request left the machine");
      assert.deepEqual(
        errors.filter((e) => /script|style|font/i.test(e) && /Content Security Policy|Refused/.test(e)),
        [],
        "scripts, styles and fonts are allowed by the CSP",
      );
      await context.close();
    } finally {
      await browser.close();
      await srv.stop();
    }
  },
});
