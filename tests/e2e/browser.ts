/**
 * Helpers for the e2e tests: start headless Debian Chromium with the flags that give
 * WebGPU and WebGL on a CPU, and drive the drawing page through its test hooks.
 *
 * Runs in Deno, with playwright-core driving `/usr/bin/chromium` (override with
 * `CHROMIUM`). Nothing here skips: a missing browser or WebGPU adapter throws, so the
 * tests fail where the page could not be checked.
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";
import type { Stroke } from "../../web/strokes.ts";

/** Chromium flags: WebGPU through SwiftShader's Vulkan, WebGL through ANGLE on SwiftShader. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--no-sandbox",
  "--headless",
  "--disable-background-networking",
  "--disable-component-update",
]);

/** The browser binary. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/**
 * Launch Chromium.
 *
 * @returns The browser.
 * @throws {Error} When the binary is missing or does not start (the test then fails).
 */
export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium or set CHROMIUM`);
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: 30_000 });
}

/** What the page shows after a classification (from its `data-*` test hooks). */
export interface ShownPrediction {
  text: string;
  digit: number;
  probabilities: number[];
}

/**
 * Wait until the page names the backend in use (or reports that none loaded).
 *
 * @returns The `data-testid="backend"` text and its `data-backend`.
 */
export async function waitForBackend(page: Page, timeout = 90_000): Promise<{ text: string; name?: string }> {
  const el = page.getByTestId("backend");
  await page.waitForFunction(
    () => document.querySelector("[data-testid=backend]")?.textContent !== "loading…",
    null,
    { timeout },
  );
  return { text: (await el.textContent()) ?? "", name: await el.getAttribute("data-backend") ?? undefined };
}

/** The pad's change counter (`data-version` of the canvas). */
export async function padVersion(page: Page): Promise<number> {
  return Number(await page.getByTestId("canvas").getAttribute("data-version"));
}

/**
 * Wait for the final prediction of the pad's current state.
 *
 * @param page The page.
 * @param timeout Milliseconds. @default 30000
 * @param after Also wait for the pad to have changed since this version (an upload
 *   lands asynchronously). @default -1
 * @returns The prediction as shown.
 */
export async function waitForPrediction(page: Page, timeout = 30_000, after = -1): Promise<ShownPrediction> {
  await page.waitForFunction(
    (after) => {
      const p = document.querySelector<HTMLElement>("[data-testid=prediction]");
      const c = document.querySelector<HTMLElement>("[data-testid=canvas]");
      return p?.dataset.final === "true" && p.dataset.version === c?.dataset.version &&
        Number(c?.dataset.version) > after;
    },
    after,
    { timeout },
  );
  const el = page.getByTestId("prediction");
  const text = (await el.textContent())?.trim() ?? "";
  const probabilities = JSON.parse((await el.getAttribute("data-probabilities")) ?? "[]");
  return { text, digit: Number.parseInt(text, 10), probabilities };
}

/**
 * Draw strokes on the pad with the mouse: pointer down, a move every `step` points, up.
 * Each move is one real input event through the DevTools protocol (about 50 ms on this
 * 2-core machine), and the pad smooths between samples, so every other skeleton pixel
 * is enough.
 *
 * @param page The page.
 * @param strokes Strokes in unit pad coordinates.
 * @param step Use every `step`-th point (the last one always). @default 2
 */
export async function drawStrokes(page: Page, strokes: readonly Stroke[], step = 2): Promise<void> {
  const box = await page.getByTestId("canvas").boundingBox();
  if (!box) throw new Error("The pad is not visible");
  const at = (p: { x: number; y: number }) => [box.x + p.x * box.width, box.y + p.y * box.height] as const;
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (let i = 1; i < stroke.length; i++) {
      if (i % step === 0 || i === stroke.length - 1) await page.mouse.move(...at(stroke[i]));
    }
    await page.mouse.up();
  }
}

/**
 * Draw strokes with a finger: touch events through the DevTools protocol, which the
 * page receives as pointer events of type "touch".
 *
 * @param page The page (its context needs `hasTouch: true`).
 * @param strokes Strokes in unit pad coordinates.
 * @param step Use every `step`-th point (the last one always). @default 2
 */
export async function touchStrokes(page: Page, strokes: readonly Stroke[], step = 2): Promise<void> {
  const box = await page.getByTestId("canvas").boundingBox();
  if (!box) throw new Error("The pad is not visible");
  const cdp = await page.context().newCDPSession(page);
  const point = (p: { x: number; y: number }) => ({
    x: box.x + p.x * box.width,
    y: box.y + p.y * box.height,
  });
  try {
    for (const stroke of strokes) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point(stroke[0])] });
      for (let i = 1; i < stroke.length; i++) {
        if (i % step !== 0 && i !== stroke.length - 1) continue;
        await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [point(stroke[i])] });
      }
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    }
  } finally {
    await cdp.detach();
  }
}
