/**
 * Make the page work offline: register the service worker and hand it the runtime
 * files this visit loaded.
 *
 * Runs in the browser. Registration starts when this module loads, in the page's first
 * moments, not when {@linkcode registerServiceWorker} is called (after the model has
 * loaded): the worker then controls the page before the backend's WASM binary is
 * requested and stores it as it streams in, so a first visit downloads it once. (A
 * worker registered later saw none of the page's requests and had to fetch them again;
 * the WebGPU binary, 6.4 MiB in gzip, was then a second download wherever the HTTP cache
 * is in memory, as in private windows, which keeps no entry that large.) Installing costs little: the
 * shell it stores comes from the HTTP cache. The page still lists the same-origin
 * `assets/` and `model/` URLs it fetched (Resource Timing) and posts them to the worker,
 * which stores any it did not see (see `web/sw.ts`).
 * @module
 */

/// <reference lib="dom" />

/** URLs under `base` that this page fetched from `assets/` or `model/`. */
function loadedFiles(base: string): string[] {
  const urls = performance.getEntriesByType("resource").map((e) => e.name.split("#")[0]);
  return [...new Set(urls)].filter((u) => u.startsWith(base + "assets/") || u.startsWith(base + "model/"));
}

async function register(): Promise<ServiceWorkerRegistration | undefined> {
  if (!("serviceWorker" in navigator)) return undefined;
  try {
    return await navigator.serviceWorker.register("sw.js");
  } catch {
    return undefined; // e.g. an insecure origin: the page works, just not offline
  }
}

/** Started on load (see the module's note). */
const registration = register();

/**
 * The registration of `sw.js` (if the browser has service workers), started when the
 * page loaded.
 *
 * @returns The registration, or undefined when unsupported or refused.
 */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  return registration;
}

/**
 * Ask the active service worker to store everything this page has loaded so far.
 *
 * @param timeoutMs Give up waiting for the worker after this long. @default 30000
 * @returns How many files are stored, or undefined without a service worker.
 * @example
 * ```ts
 * await registerServiceWorker();
 * const stored = await storeForOffline(); // after the model has loaded
 * ```
 */
export async function storeForOffline(timeoutMs = 30_000): Promise<number | undefined> {
  if (!("serviceWorker" in navigator)) return undefined;
  const timeout = new Promise<undefined>((r) => setTimeout(r, timeoutMs, undefined));
  const reg = await Promise.race([navigator.serviceWorker.ready, timeout]);
  const worker = reg?.active;
  if (!worker) return undefined;
  const base = new URL("./", reg.scope).href;
  const channel = new MessageChannel();
  const reply = new Promise<{ stored: number }>((resolve) => {
    channel.port1.onmessage = (e) => resolve(e.data);
  });
  worker.postMessage({ type: "cache", urls: loadedFiles(base) }, [channel.port2]);
  const answer = await Promise.race([reply, timeout]);
  return answer?.stored;
}
