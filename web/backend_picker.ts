/**
 * The backend selector: which backends exist, which are unavailable and why, and
 * which one the user asked for (also read from and written to `?backend=`).
 *
 * Runs in the browser. Availability is known two ways: up front from the shared
 * runtime facts (`detectEnv()` in `src/`: no `navigator.gpu`, no WebGL2), and after a
 * load from the attempts `src/` reports (no adapter, failed to create, failed the
 * smoke test). Either way the option is disabled and its text gives the reason.
 * @module
 */

/// <reference lib="dom" />

import { type BackendAttempt, type BackendName, BACKENDS, detectEnv } from "../src/mod.ts";

/** How each backend is named on the page. */
export const BACKEND_LABELS: Readonly<Record<BackendName, string>> = Object.freeze({
  webgpu: "WebGPU",
  webgl: "WebGL",
  wasm: "WASM",
});

/** The select's value for "try them in order". */
export const AUTO = "auto";

/**
 * The backend forced by the page's `?backend=` query, if any.
 *
 * @param search The query string. @default location.search
 * @returns A backend name, or undefined for none or an unknown value.
 * @example
 * ```ts
 * forcedBackend("?backend=wasm"); // "wasm"
 * ```
 */
export function forcedBackend(search: string = location.search): BackendName | undefined {
  const value = new URLSearchParams(search).get("backend")?.toLowerCase();
  return BACKENDS.find((b) => b === value);
}

/** See {@linkcode createBackendPicker}. */
export interface BackendPicker {
  /** Show the user's choice (a backend, or automatic). */
  select(backend: BackendName | undefined): void;
  /** Disable the backends that were skipped, with their reasons. */
  record(attempts: readonly BackendAttempt[]): void;
}

/**
 * Fill a `<select>` with the automatic choice and one option per backend.
 *
 * @param select The element.
 * @param onPick Called with the backend picked, or undefined for automatic.
 * @returns The picker.
 */
export function createBackendPicker(
  select: HTMLSelectElement,
  onPick: (backend: BackendName | undefined) => void,
): BackendPicker {
  const auto = new Option("Automatic (fastest available)", AUTO);
  const options = new Map(BACKENDS.map((b) => [b, new Option(BACKEND_LABELS[b], b)]));
  select.replaceChildren(auto, ...options.values());
  const disable = (backend: BackendName, reason: string) => {
    const option = options.get(backend);
    if (!option) return;
    option.disabled = true;
    option.textContent = `${BACKEND_LABELS[backend]} — unavailable: ${reason}`;
  };
  const env = detectEnv();
  if (!env.webgpu) disable("webgpu", "this browser has no WebGPU (navigator.gpu)");
  if (!env.webgl) disable("webgl", "no WebGL2 context");
  select.addEventListener("change", () => {
    const value = select.value;
    onPick(value === AUTO ? undefined : value as BackendName);
  });
  return {
    select(backend) {
      select.value = backend ?? AUTO;
    },
    record(attempts) {
      for (const a of attempts) {
        if (a.status !== "chosen") disable(a.backend, `${a.status}: ${a.reason ?? ""}`);
      }
    },
  };
}
