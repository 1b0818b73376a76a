/**
 * The API documentation pages in real Chromium: Swagger UI (`/docs`) and ReDoc
 * (`/redoc`) render from locally served assets under the server's CSP and list the
 * operations; every request they make is to the server itself (none is even attempted
 * elsewhere, so the CSP has nothing to block) and no CSP violation is reported.
 *
 * The pages are opened as `http://docs.test:<port>` (mapped to the loopback address), as
 * on a real host: Swagger UI treats localhost specially (its validator badge).
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startServer } from "../support/test_utils.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./browser.ts";

Deno.test({
  name: "/docs and /redoc list the API's operations in Chromium, with same-origin requests only",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const srv = await startServer({ WATCH_MODELS: "false" });
    const origin = `http://docs.test:${srv.port}`;
    // Trusted like https, as a real deployment would be (else Chromium warns that it ignores COOP).
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        "--host-resolver-rules=MAP docs.test 127.0.0.1",
        `--unsafely-treat-insecure-origin-as-secure=${origin}`,
      ],
      timeout: 30_000,
    });
    try {
      const context = await browser.newContext();
      const offHost: string[] = [];
      const errors: string[] = [];
      const violations: string[] = [];
      const sameOrigin = (u: string) => u.startsWith(origin + "/") || /^(data|blob):/.test(u);
      context.on("request", (r) => sameOrigin(r.url()) || offHost.push(r.url()));
      // Requests not finished yet: named when the network does not settle, so a failure says why.
      const pending = new Set<string>();
      context.on("request", (r) => pending.add(r.url()));
      context.on("requestfinished", (r) => pending.delete(r.url()));
      context.on("requestfailed", (r) => pending.delete(r.url()));
      await context.exposeFunction("reportViolation", (v: string) => violations.push(v));
      await context.addInitScript(() =>
        document.addEventListener("securitypolicyviolation", (e) =>
          // deno-lint-ignore no-explicit-any
          (globalThis as any).reportViolation(`${e.violatedDirective} ${e.blockedURI}`))
      );
      const page = await context.newPage();
      const settled = async () => {
        try {
          await page.waitForLoadState("networkidle", { timeout: 60_000 });
        } catch (e) {
          throw new Error(
            `the page's network did not settle; pending: ${[...pending].join(", ") || "none"}`,
            {
              cause: e,
            },
          );
        }
      };
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));

      await page.goto(`${origin}/docs`);
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
      await settled();
      await page.screenshot({ path: new URL("screenshots/docs.png", import.meta.url).pathname });

      await page.goto(`${origin}/redoc`);
      await page.waitForSelector("h2", { timeout: 30_000 });
      const text = await page.textContent("body") ?? "";
      for (const summary of ["Classify one digit image", "Liveness", "Open Inference Protocol liveness"]) {
        assert.ok(text.includes(summary), `ReDoc shows "${summary}"`);
      }
      // The side menu's "API docs by Redocly" badge renders (its image is inline now).
      await page.getByText("API docs by Redocly").waitFor({ timeout: 10_000 });
      await settled();

      assert.deepEqual(offHost, [], "no request left the host");
      assert.deepEqual(violations, [], "no CSP violation");
      assert.deepEqual(errors, [], "no console error");
      await context.close();
    } finally {
      await browser.close();
      await srv.stop();
    }
  },
});
