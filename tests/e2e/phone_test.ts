/**
 * End-to-end tests of the drawing page on a phone (390×844, touch, 3× pixels) and of
 * what does not depend on the backend: where the answer lands, the empty state, quick
 * taps on Undo and Clear right after a stroke, the contrast of the pad and controls in
 * both themes, and one accessible upload control. Headless Chromium against the real
 * server, WASM only (the backends are covered by `page_test.ts`).
 *
 * Run: `deno task build && deno test --allow-all tests/e2e/phone_test.ts`. Saves
 * `tests/e2e/screenshots/phone.png`.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { loadMnist, type MnistSet } from "../support/mnist_idx.ts";
import { type ServerHandle, startServer } from "../support/test_utils.ts";
import { drawStrokes, launchChromium, touchStrokes, waitForBackend, waitForPrediction } from "./browser.ts";
import { traceStrokes } from "./mnist_strokes.ts";

const SCREENSHOT = new URL("./screenshots/phone.png", import.meta.url);

/** A phone as the issue describes it (about an iPhone 12–15). */
const PHONE: BrowserContextOptions = Object.freeze({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
});

/** t10k #0 is a 7 drawn in one stroke, #4 a 4 in two. */
const SEVEN = 0, FOUR = 4;

async function openPage(browser: Browser, base: string, options: BrowserContextOptions): Promise<Page> {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  await page.goto(`${base}/?backend=wasm`);
  assert.equal((await waitForBackend(page)).name, "wasm");
  return page;
}

type Box = { x: number; y: number; width: number; height: number };

async function box(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).boundingBox();
  assert.ok(b, `${selector} is rendered`);
  return b;
}

const span = (b: Box) =>
  `x ${Math.round(b.x)}–${Math.round(b.x + b.width)}, y ${Math.round(b.y)}–${Math.round(b.y + b.height)}`;

/** Assert that box `b` lies within `outer` (the viewport when given as width × height). */
function assertInside(what: string, b: Box, outer: Box) {
  assert.ok(
    b.x >= outer.x && b.y >= outer.y && b.x + b.width <= outer.x + outer.width &&
      b.y + b.height <= outer.y + outer.height,
    `${what} at ${span(b)} lies within ${span(outer)}`,
  );
}

const screen = (width: number, height: number): Box => ({ x: 0, y: 0, width, height });

/** WCAG 2 contrast ratio of two computed `rgb()`/`rgba()` colours (alpha ignored). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const m = css.match(/rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/);
    if (!m) throw new Error(`Not an rgb() colour: ${css}`);
    const [r, g, bl] = [m[1], m[2], m[3]].map((v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** An element's border colour, its own background and the background around it, as computed. */
function edgeColours(page: Page, selector: string) {
  return page.evaluate((selector) => {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`No ${selector}`);
    const opaque = (c: string) => !/rgba\(.*,\s*0\)$|transparent/.test(c);
    let around = el.parentElement;
    while (around && !opaque(getComputedStyle(around).backgroundColor)) around = around.parentElement;
    const own = getComputedStyle(el).backgroundColor;
    return {
      border: getComputedStyle(el).borderTopColor,
      around: around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)",
      inside: opaque(own) ? own : undefined,
    };
  }, selector);
}

/** The state of the prediction element's test hooks. */
function predictionHooks(page: Page) {
  return page.getByTestId("prediction").evaluate((el: HTMLElement) => ({
    state: el.dataset.state,
    digit: el.dataset.digit,
    text: el.textContent?.trim(),
  }));
}

async function drawOnPhone(page: Page, mnist: MnistSet, index: number) {
  await touchStrokes(page, traceStrokes(mnist.image(index)));
  return await waitForPrediction(page);
}

Deno.test({
  name: "drawing page on a phone: answer in view, empty state, quick taps, contrast, one upload control",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const deadline = setTimeout(() => {
      throw new Error("phone e2e test exceeded 180 s");
    }, 180_000);
    const mnist = await loadMnist("t10k");
    const browser = await launchChromium();
    let server: ServerHandle | undefined;
    try {
      server = await startServer();
      const base = server.url;

      await t.step(
        "after drawing on a 390×844 phone, the digit, its confidence and the bars are in view",
        async () => {
          const page = await openPage(browser, base, PHONE);
          try {
            const shown = await drawOnPhone(page, mnist, SEVEN);
            assert.equal(shown.digit, mnist.labels[SEVEN], `drawn by touch: "${shown.text}"`);
            assert.equal(await page.evaluate(() => globalThis.scrollY), 0, "nothing scrolled");
            const { width, height } = PHONE.viewport!;
            const view = screen(width, height);
            for (
              const [what, selector] of Object.entries({
                pad: "#pad",
                digit: "#prediction .digit",
                confidence: "#prediction .confidence",
                bars: "#bars",
                preview: "#preview",
                "Clear button": "#clear",
              })
            ) {
              assertInside(what, await box(page, selector), view);
            }
            await page.screenshot({ path: SCREENSHOT.pathname });
          } finally {
            await page.context().close();
          }
        },
      );

      await t.step("desktop 1280×800 keeps the answer beside the pad", async () => {
        const page = await openPage(browser, base, { viewport: { width: 1280, height: 800 } });
        try {
          await drawStrokes(page, traceStrokes(mnist.image(SEVEN)));
          await waitForPrediction(page);
          const pad = await box(page, "#pad");
          const digit = await box(page, "#prediction .digit");
          assertInside("digit", digit, screen(1280, 800));
          assertInside("bars", await box(page, "#bars"), screen(1280, 800));
          assert.ok(digit.x > pad.x + pad.width, "the answer sits to the right of the pad");
          assert.ok(pad.width >= 400, `pad is ${pad.width} px wide`);
        } finally {
          await page.context().close();
        }
      });

      await t.step("the empty pad reads as empty, and the hint goes with the first stroke", async () => {
        const page = await openPage(browser, base, PHONE);
        try {
          const hint = page.locator(".pad-hint");
          assert.equal(await hint.isVisible(), true, "a hint on the empty pad");
          assert.match(await hint.textContent() ?? "", /draw a digit/i);
          assertInside("hint", await box(page, ".pad-hint"), await box(page, "#pad"));
          assert.deepEqual(await predictionHooks(page), {
            state: "empty",
            digit: "",
            text: "Nothing drawn yet",
          });
          const look = await page.evaluate(() => {
            const digit = getComputedStyle(document.querySelector("#prediction .digit")!);
            const root = getComputedStyle(document.documentElement);
            const preview = document.querySelector<HTMLElement>("#preview")!;
            return {
              digitColour: digit.color,
              digitSize: parseFloat(digit.fontSize),
              muted: root.getPropertyValue("--muted").trim(),
              previewEmpty: preview.dataset.empty,
              previewBorder: getComputedStyle(preview).borderTopStyle,
              previewBackground: getComputedStyle(preview).backgroundColor,
            };
          });
          assert.ok(
            look.digitSize < 32,
            `placeholder in text size, not the 80 px digit font: ${look.digitSize}`,
          );
          assert.equal(look.previewEmpty, "", "preview marked empty");
          assert.equal(look.previewBorder, "dashed");
          assert.notEqual(look.previewBackground, "rgb(0, 0, 0)", "empty preview is not a black square");
          // The placeholder is muted: its colour is the theme's --muted.
          const muted = await page.evaluate((c) => {
            const probe = document.createElement("span");
            probe.style.color = c;
            document.body.append(probe);
            const rgb = getComputedStyle(probe).color;
            probe.remove();
            return rgb;
          }, look.muted);
          assert.equal(look.digitColour, muted);

          await touchStrokes(page, traceStrokes(mnist.image(SEVEN)).slice(0, 1));
          assert.equal(await hint.isVisible(), false, "hint hidden once drawing starts");
          await waitForPrediction(page);
          const hooks = await predictionHooks(page);
          assert.equal(hooks.state, "digit");
          assert.match(hooks.digit ?? "", /^\d$/);
          assert.equal(await page.locator("#preview").getAttribute("data-empty"), null);
          await page.getByRole("button", { name: "Clear" }).tap();
          await waitForPrediction(page);
          assert.equal(await hint.isVisible(), true, "hint back on the cleared pad");
          assert.equal((await predictionHooks(page)).state, "empty");
        } finally {
          await page.context().close();
        }
      });

      await t.step("a tap on Clear or Undo right after a stroke acts, 4 of 4", async () => {
        const page = await openPage(browser, base, PHONE);
        try {
          const strokes = traceStrokes(mnist.image(FOUR));
          const count = async () => Number(await page.getByTestId("canvas").getAttribute("data-strokes"));
          const tapNow = async (selector: string) => {
            const b = await box(page, selector);
            await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
          };
          const settle = (want: number) =>
            page.waitForFunction(
              (want) => document.querySelector("[data-testid=canvas]")?.getAttribute("data-strokes") === want,
              String(want),
              { timeout: 2_000 },
            ).then(() => true, () => false);
          let cleared = 0, undone = 0;
          for (let i = 0; i < 4; i++) {
            // The stroke ends in motion, as a finger lifting off does; the tap follows at once.
            await touchStrokes(page, strokes);
            await tapNow("#clear");
            if (await settle(0)) cleared++;
            await page.keyboard.press("Escape");
          }
          for (let i = 0; i < 4; i++) {
            await touchStrokes(page, strokes);
            const before = await count();
            await tapNow("#undo");
            if (await settle(before - 1)) undone++;
            await page.keyboard.press("Escape");
          }
          assert.equal(cleared, 4, `Clear acted on ${cleared} of 4 quick taps`);
          assert.equal(undone, 4, `Undo acted on ${undone} of 4 quick taps`);
        } finally {
          await page.context().close();
        }
      });

      for (const colorScheme of ["light", "dark"] as const) {
        await t.step(
          `pad and control borders have at least 3:1 contrast (${colorScheme} theme)`,
          async () => {
            const page = await openPage(browser, base, { ...PHONE, colorScheme });
            try {
              for (const selector of ["#pad", "#undo", "#clear", ".upload", "#backend-select"]) {
                const c = await edgeColours(page, selector);
                const outside = contrast(c.border, c.around);
                assert.ok(
                  outside >= 3,
                  `${selector} border ${c.border} on ${c.around}: ${outside.toFixed(2)}:1`,
                );
                if (c.inside) {
                  const inside = contrast(c.border, c.inside);
                  assert.ok(
                    inside >= 3,
                    `${selector} border ${c.border} on ${c.inside}: ${inside.toFixed(2)}:1`,
                  );
                }
              }
            } finally {
              await page.context().close();
            }
          },
        );
      }

      await t.step("the upload control is one accessible button", async () => {
        const page = await openPage(browser, base, PHONE);
        try {
          assert.equal(await page.getByRole("button", { name: /upload/i }).count(), 1);
          const tree = await page.locator("#tools").ariaSnapshot();
          assert.equal(tree.match(/upload/gi)?.length, 1, `named once in the accessibility tree:\n${tree}`);
          assert.match(tree, /- button "Upload an image/);
        } finally {
          await page.context().close();
        }
      });
    } finally {
      clearTimeout(deadline);
      await browser.close();
      await server?.stop();
    }
  },
});
