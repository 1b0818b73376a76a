/**
 * The order the page tries backends in when the user has not picked one.
 *
 * Runs in the browser. The default order of `src/` (WebGPU → WebGL → WASM) assumes a
 * GPU. Where the only WebGPU adapter is a software fallback (SwiftShader on a machine
 * without a GPU: `adapter.info.isFallbackAdapter`), WebGL runs on the same software
 * rasterizer, and both are far slower than WASM for this 1-MMAC model (measured in
 * docs/web.md: WASM 4 ms, WebGL 50 ms, WebGPU 230 ms per classification, and 24 s
 * to load WebGPU), so WASM goes first there.
 * @module
 */

/// <reference lib="dom" />

import { type BackendName, BACKENDS, detectEnv } from "../src/mod.ts";

/** An order, and why it differs from the default (empty when it does not). */
export interface AutoOrder {
  order: readonly BackendName[];
  reason: string;
}

/**
 * Decide the automatic order.
 *
 * @returns The order to pass to the loader and the reason for it.
 * @example
 * ```ts
 * const { order } = await autoOrder();
 * await loadClassifier(model, { order });
 * ```
 */
export async function autoOrder(): Promise<AutoOrder> {
  if (!detectEnv().webgpu) return { order: BACKENDS, reason: "" };
  // deno-lint-ignore no-explicit-any
  const gpu = (navigator as any).gpu;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (adapter?.info?.isFallbackAdapter === true || adapter?.isFallbackAdapter === true) {
    return {
      order: ["wasm", "webgpu", "webgl"],
      reason: "WASM first: this device's WebGPU adapter is a software fallback",
    };
  }
  return { order: BACKENDS, reason: "" };
}
