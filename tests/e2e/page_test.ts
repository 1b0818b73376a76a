/**
 * End-to-end tests of the drawing page in headless Chromium, against the real server
 * (`server/main.ts` serving `web/dist`, built by `deno task build`).
 *
 * Digits are drawn with real pointer input replaying strokes traced from MNIST test
 * images (see `mnist_strokes.ts`). Each backend is forced with `?backend=` and must be
 * the one the page reports. Run: `deno task build && deno test --allow-all tests/e2e/`.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadMnist, type MnistSet } from "../support/mnist_idx.ts";
import { type ServerHandle, startServer } from "../support/test_utils.ts";
import {
  drawStrokes,
  launchChromium,
  padVersion,
  touchStrokes,
  waitForBackend,
  waitForPrediction,
} from "./browser.ts";
import { traceStrokes } from "./mnist_strokes.ts";

const SCREENSHOT = new URL("./screenshots/page.png", import.meta.url);
const UPLOAD = new URL("../testdata/images/3_canvas.png", import.meta.url).pathname;

/** MNIST t10k indices drawn on each backend: all ten digits over the three. */
const DIGITS: Record<"webgpu" | "webgl" | "wasm", number[]> = {
  webgpu: [3, 0, 4], // 0, 7, 4
  webgl: [1, 8, 61], // 2, 5, 8
  wasm: [2, 11, 7, 30], // 1, 6, 9, 3
};

/** Open the page on one backend in a fresh context and wait until it can classify. */
async function open(
  browser: Browser,
  base: string,
  backend: string,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // CSP violations, failed requests and ORT errors show up as console errors.
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${base}/?backend=${backend}`);
  const shown = await waitForBackend(page);
  assert.equal(
    shown.name,
    backend,
    `asked for ${backend}, page says "${shown.text}": ${await page.textContent("#status")}`,
  );
  assert.equal(shown.text.toLowerCase(), backend);
  assert.deepEqual(errors, []);
  return { ctx, page };
}

async function drawDigit(page: Page, mnist: MnistSet, index: number) {
  await page.keyboard.press("Escape");
  await drawStrokes(page, traceStrokes(mnist.image(index)));
  return await waitForPrediction(page);
}

function assertDistribution(p: number[]) {
  assert.equal(p.length, 10);
  assert.ok(p.every((v) => v >= 0 && v <= 1), `probabilities in 0–1: ${p}`);
  const sum = p.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities sum to ${sum}`);
}

Deno.test({
  name: "drawing page classifies drawn digits on WebGPU, WebGL and WASM, offline too",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const deadline = setTimeout(() => {
      throw new Error("e2e suite exceeded 240 s");
    }, 240_000);
    const mnist = await loadMnist("t10k");
    const browser = await launchChromium(); // first: without a browser there is nothing to stop
    let server: ServerHandle | undefined;
    try {
      server = await startServer();
      const base = server.url;
      for (const backend of ["webgpu", "webgl", "wasm"] as const) {
        await t.step(`draws MNIST digits on ${backend} and reports ${backend}`, async (s) => {
          const { ctx, page } = await open(browser, base, backend);
          try {
            for (const index of DIGITS[backend]) {
              const shown = await drawDigit(page, mnist, index);
              assert.equal(
                shown.digit,
                mnist.labels[index],
                `t10k #${index} drawn on ${backend}: "${shown.text}"`,
              );
              assertDistribution(shown.probabilities);
            }
            if (backend === "wasm") {
              await s.step({
                name: "an uploaded image is classified, and the selector switches backend in place",
                sanitizeOps: false,
                sanitizeResources: false,
                fn: async () => {
                  const before = await padVersion(page);
                  await page.locator("#upload").setInputFiles(UPLOAD);
                  const uploaded = await waitForPrediction(page, 30_000, before);
                  assert.equal(uploaded.digit, 3, `upload of 3_canvas.png: "${uploaded.text}"`);
                  await page.getByLabel("Backend").selectOption("webgl");
                  await page.waitForFunction(() =>
                    document.querySelector("[data-testid=backend]")?.getAttribute("data-backend") === "webgl"
                  );
                  assert.match(page.url(), /[?&]backend=webgl\b/);
                  const again = await waitForPrediction(page);
                  assert.equal(again.digit, 3);
                },
              });
              await s.step({
                name: "quick switches end on the last choice, and the selector stays usable while loading",
                sanitizeOps: false,
                sanitizeResources: false,
                fn: async () => {
                  // Two picks in one task: the second is made while the first still loads.
                  const seen = await page.evaluate(async () => {
                    const select = document.querySelector<HTMLSelectElement>("#backend-select")!;
                    const shown = document.querySelector<HTMLElement>("[data-testid=backend]")!;
                    const backends: string[] = [];
                    const observer = new MutationObserver(() => backends.push(shown.dataset.backend ?? ""));
                    observer.observe(shown, { attributeFilter: ["data-backend"] });
                    for (const value of ["wasm", "webgl"]) {
                      select.value = value;
                      select.dispatchEvent(new Event("change"));
                    }
                    await new Promise((r) => setTimeout(r, 0));
                    const disabledWhileLoading = select.disabled;
                    const deadline = Date.now() + 30_000;
                    while (backends.length === 0 && Date.now() < deadline) {
                      await new Promise((r) => setTimeout(r, 50));
                    }
                    await new Promise((r) => setTimeout(r, 500)); // a late swap to the earlier pick would show here
                    observer.disconnect();
                    return { backends, disabledWhileLoading };
                  });
                  assert.equal(seen.disabledWhileLoading, false);
                  assert.deepEqual(seen.backends, ["webgl"], "only the last choice is put in use");
                  assert.match(page.url(), /[?&]backend=webgl\b/);
                  const again = await waitForPrediction(page);
                  assert.equal(again.digit, 3);
                },
              });
            }
            if (backend === "webgpu") {
              await s.step({
                name: "probabilities match the server within 1e-3",
                sanitizeOps: false,
                sanitizeResources: false,
                fn: async () => {
                  await page.getByRole("button", { name: "Compare with server" }).click();
                  const server = page.getByTestId("compare-server");
                  await server.waitFor({ timeout: 30_000 });
                  const mine = JSON.parse(
                    await page.getByTestId("compare-page").getAttribute("data-probabilities") ?? "",
                  );
                  const theirs = JSON.parse(await server.getAttribute("data-probabilities") ?? "");
                  const shown = JSON.parse(
                    await page.getByTestId("prediction").getAttribute("data-probabilities") ?? "",
                  );
                  assertDistribution(theirs);
                  for (let i = 0; i < 10; i++) {
                    assert.ok(
                      Math.abs(mine[i] - theirs[i]) < 1e-3,
                      `class ${i}: page ${mine[i]}, server ${theirs[i]}`,
                    );
                    assert.ok(
                      Math.abs(shown[i] - theirs[i]) < 1e-3,
                      `class ${i}: shown ${shown[i]}, server ${theirs[i]}`,
                    );
                  }
                  await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
                },
              });
            }
          } finally {
            await ctx.close();
          }
        });
      }

      await t.step("reloads and classifies with the network cut", async () => {
        const { ctx, page } = await open(browser, base, "wasm");
        try {
          await page.waitForFunction(() => document.documentElement.dataset.offline === "ready", null, {
            timeout: 60_000,
          });
          await ctx.setOffline(true);
          await page.reload();
          assert.equal((await waitForBackend(page)).name, "wasm");
          const shown = await drawDigit(page, mnist, 0);
          assert.equal(shown.digit, mnist.labels[0]);
          assert.equal(await page.locator("#compare").isHidden(), true, "no server to compare with offline");
        } finally {
          await ctx.close();
        }
      });

      await t.step("a finger draws too, without scrolling the page", async () => {
        const ctx = await browser.newContext({
          hasTouch: true,
          isMobile: true,
          viewport: { width: 390, height: 800 },
        });
        try {
          const page = await ctx.newPage();
          await page.goto(`${base}/?backend=wasm`);
          assert.equal((await waitForBackend(page)).name, "wasm");
          await page.getByTestId("canvas").scrollIntoViewIfNeeded();
          const scrolled = await page.evaluate(() => globalThis.scrollY);
          const index = DIGITS.wasm[0];
          await touchStrokes(page, traceStrokes(mnist.image(index)));
          const shown = await waitForPrediction(page);
          assert.equal(shown.digit, mnist.labels[index], `t10k #${index} drawn by touch: "${shown.text}"`);
          assert.equal(await page.evaluate(() => globalThis.scrollY), scrolled, "drawing does not scroll");
        } finally {
          await ctx.close();
        }
      });

      await t.step("a backend the browser lacks is disabled with the reason", async () => {
        const ctx = await browser.newContext();
        try {
          // This browser without WebGPU: hide navigator.gpu before the page's scripts run.
          await ctx.addInitScript(() =>
            Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined })
          );
          const page = await ctx.newPage();
          await page.goto(`${base}/?backend=webgpu`);
          const shown = await waitForBackend(page);
          assert.equal(shown.text, "none");
          assert.match(
            await page.locator("#status").textContent() ?? "",
            /webgpu not available \(navigator\.gpu/,
          );
          const option = page.locator('#backend-select option[value="webgpu"]');
          assert.equal(await option.isDisabled(), true);
          assert.match(await option.textContent() ?? "", /unavailable: .*navigator\.gpu/);
        } finally {
          await ctx.close();
        }
      });

      await t.step("keyboard alone undoes and clears", async () => {
        const { ctx, page } = await open(browser, base, "wasm");
        try {
          const strokes = traceStrokes(mnist.image(4)); // a 4: two strokes
          assert.ok(strokes.length >= 2);
          await drawStrokes(page, strokes);
          await waitForPrediction(page);
          const canvas = page.getByTestId("canvas");
          const count = async () => Number(await canvas.getAttribute("data-strokes"));
          assert.equal(await count(), strokes.length);
          await page.keyboard.press("Control+z");
          assert.equal(await count(), strokes.length - 1);
          // Tab reaches the buttons; Enter on "Undo", Space on "Clear".
          const focus = async (id: string) => {
            for (let i = 0; i < 12 && await page.evaluate(() => document.activeElement?.id) !== id; i++) {
              await page.keyboard.press("Tab");
            }
            assert.equal(await page.evaluate(() => document.activeElement?.id), id, `Tab reaches #${id}`);
          };
          await focus("undo");
          await page.keyboard.press("Enter");
          assert.equal(await count(), Math.max(0, strokes.length - 2));
          await drawStrokes(page, strokes.slice(0, 1));
          await focus("clear");
          await page.keyboard.press(" ");
          assert.equal(await count(), 0);
          const cleared = await waitForPrediction(page);
          assert.ok(!/^\d/.test(cleared.text), `cleared pad shows no digit: "${cleared.text}"`);
          await drawStrokes(page, strokes);
          await waitForPrediction(page);
          await page.keyboard.press("Escape");
          assert.equal(await count(), 0);
        } finally {
          await ctx.close();
        }
      });
    } finally {
      clearTimeout(deadline);
      await browser.close();
      await server?.stop();
    }
  },
});
