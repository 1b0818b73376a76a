/**
 * The three drawings on the real page in headless Chromium, drawn with real
 * pointer input: a zig-zag and a tap of the pen are answered "not a digit", a 7 drawn
 * across 15 % of the pad in its corner is read as a 7. The verdict comes from `src/`
 * (the model's "not a digit" output), shown by `web/result_view.ts` as `data-state`.
 * Run: `deno task build && deno test --allow-all tests/e2e/not_a_digit_test.ts`.
 * @module
 */

import assert from "node:assert/strict";
import type { Stroke } from "../../web/strokes.ts";
import { type ServerHandle, startServer } from "../support/test_utils.ts";
import { drawStrokes, launchChromium, waitForBackend, waitForPrediction } from "./browser.ts";

const ZIGZAG: Stroke = [[0.1, 0.3], [0.3, 0.7], [0.45, 0.3], [0.6, 0.7], [0.75, 0.3], [0.9, 0.7]]
  .map(([x, y]) => ({ x, y }));
const DOT: Stroke = [{ x: 0.5, y: 0.5 }];
/** A bar and a diagonal across 15 % of the pad, near its top left corner; points every 1 %. */
const SMALL_SEVEN: Stroke = [
  ...Array.from({ length: 16 }, (_, i) => ({ x: 0.03 + i * 0.01, y: 0.03 })),
  ...Array.from({ length: 15 }, (_, i) => ({ x: 0.18 - (i + 1) * 0.006, y: 0.03 + (i + 1) * 0.01 })),
];

Deno.test({
  name: "drawing page answers 'not a digit' for a zig-zag and a dot, and reads a small 7 in a corner",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const browser = await launchChromium();
    let server: ServerHandle | undefined;
    try {
      server = await startServer();
      const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${server.url}/?backend=wasm`);
      await waitForBackend(page);
      const state = () => page.getByTestId("prediction").getAttribute("data-state");
      const draw = async (stroke: Stroke) => {
        await page.keyboard.press("Escape");
        await drawStrokes(page, [stroke], 1);
        return await waitForPrediction(page);
      };
      try {
        await t.step("a zig-zag is not a digit", async () => {
          const shown = await draw(ZIGZAG);
          assert.equal(await state(), "not-digit", `zig-zag shown as "${shown.text}"`);
          assert.ok(!/^\d/.test(shown.text), `no digit shown: "${shown.text}"`);
        });
        await t.step("a tap of the pen is not a digit", async () => {
          const shown = await draw(DOT);
          assert.equal(await state(), "not-digit", `dot shown as "${shown.text}"`);
        });
        await t.step("a 7 across 15 % of the pad, in its corner, is a 7", async () => {
          const shown = await draw(SMALL_SEVEN);
          assert.equal(await state(), "digit", `small 7 shown as "${shown.text}"`);
          assert.equal(shown.digit, 7, `small 7 shown as "${shown.text}"`);
        });
      } finally {
        await ctx.close();
      }
    } finally {
      await browser.close();
      await server?.stop();
    }
  },
});
