/**
 * Make the page work offline: register the service worker and hand it the runtime
 * files this visit loaded.
 *
 * Runs in the browser. The worker is registered after the model has loaded, so on a
 * first visit it sees none of the page's requests; the page lists the same-origin
 * `assets/` and `model/` URLs it fetched (Resource Timing) and posts them to the
 * worker, which stores them from the HTTP cache (see `web/sw.ts`).
 * @module
 */

/// <reference lib="dom" />

/** URLs under `base` that this page fetched from `assets/` or `model/`. */
function loadedFiles(base: string): string[] {
  const urls = performance.getEntriesByType("resource").map((e) => e.name.split("#")[0]);
  return [...new Set(urls)].filter((u) => u.startsWith(base + "assets/") || u.startsWith(base + "model/"));
}

/**
 * Register `sw.js` (if the browser has service workers).
 *
 * @returns The registration, or undefined when unsupported or refused.
 */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!("serviceWorker" in navigator)) return undefined;
  try {
    return await navigator.serviceWorker.register("sw.js");
  } catch {
    return undefined; // e.g. an insecure origin: the page works, just not offline
  }
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
