/**
 * The service worker: the page, its model and its runtime keep working offline.
 *
 * Runs in the browser's service-worker scope (built to `dist/sw.js` by `web/build.ts`,
 * which defines `__SW_VERSION__` and `__SW_SHELL__`). At install it stores the shell
 * (HTML, entry script and its static chunks, CSS), then takes control of the open page
 * at once. The page registers it as soon as it starts (`web/offline.ts`), so on a first
 * visit the model, the backend's ORT chunk and its WASM binary normally already pass
 * through this worker's fetch handler, which stores each response as it streams to the
 * page (a tee: one download, the page not kept waiting for the write). The page then
 * posts the URLs it loaded (message `{ type: "cache", urls }`); any the worker did not
 * see (fetched before it took control) are stored from the HTTP cache (`force-cache`).
 * Strategies:
 * - `assets/`: cache first; the names are fingerprinted, so a stored copy never goes stale;
 * - pages and `model/`: network first, so a new model or page shows up at once, and the
 *   stored copy when the network fails or is slow;
 * - `api/` and other origins: never touched.
 * @module
 */

/// <reference lib="webworker" />

declare const self: ServiceWorkerGlobalScope;
declare const __SW_VERSION__: string;
declare const __SW_SHELL__: string[];

const PREFIX = "digits-";
const CACHE = PREFIX + __SW_VERSION__;
/** How long a network-first request waits before a stored copy is used instead. */
const NETWORK_TIMEOUT_MS = 4000;

const scope = () => self.registration.scope;
const abs = (rel: string) => new URL(rel, scope()).href;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(__SW_SHELL__.map(abs));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

/** Stores still being written, by URL: the message handler waits for them instead of fetching again. */
const writing = new Map<string, Promise<void>>();

/**
 * Store a copy of `res` under `key` while the original goes to the page. The write is
 * not awaited by the response (a 26 MB binary would hold back the page's compile), but
 * it keeps the worker alive until done.
 */
function keep(event: FetchEvent, cache: Cache, key: string, res: Response): Response {
  if (!res.ok) return res;
  const done = cache.put(key, res.clone()).catch(() => undefined).finally(() => writing.delete(key));
  writing.set(key, done);
  event.waitUntil(done);
  return res;
}

async function cacheFirst(event: FetchEvent): Promise<Response> {
  const req = event.request;
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  return keep(event, cache, req.url, await fetch(req));
}

async function networkFirst(event: FetchEvent, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const network = fetch(event.request).then((res) => keep(event, cache, key, res));
  const stored = await cache.match(key);
  if (!stored) return network;
  const timeout = new Promise<undefined>((r) => setTimeout(r, NETWORK_TIMEOUT_MS, undefined));
  try {
    return (await Promise.race([network, timeout])) ?? stored;
  } catch {
    return stored;
  }
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || !url.href.startsWith(scope())) return;
  const rel = url.href.slice(scope().length);
  if (rel.startsWith("api/")) return;
  if (req.mode === "navigate") event.respondWith(networkFirst(event, abs("index.html")));
  else if (rel.startsWith("assets/")) event.respondWith(cacheFirst(event));
  else if (rel.startsWith("model/")) event.respondWith(networkFirst(event, url.origin + url.pathname));
});

self.addEventListener("message", (event) => {
  const data = event.data as { type?: string; urls?: unknown } | undefined;
  if (data?.type !== "cache" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u): u is string => typeof u === "string" && u.startsWith(scope()));
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const results = await Promise.allSettled(urls.map(async (u) => {
      await writing.get(u);
      // Fetched before this worker took control: "force-cache" stores the copy the HTTP cache holds.
      if (!(await cache.match(u))) await cache.add(new Request(u, { cache: "force-cache" }));
    }));
    const failed = results.filter((r) => r.status === "rejected").length;
    event.ports[0]?.postMessage({ stored: urls.length - failed, failed });
  })());
});
