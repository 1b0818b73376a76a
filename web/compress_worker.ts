/**
 * A Web Worker that compresses one file at a time for `web/precompress.ts`, so the
 * build compresses several files at once (Deno's `node:zlib` compresses on the calling
 * thread, even through its callback API).
 * Messages: `{ id, coding: "br" | "gzip", bytes }` in, `{ id, bytes }` out.
 *
 * Runs in a Deno Web Worker, started by `deno task build`.
 * @module
 */

import { brotliCompressSync, constants, gzipSync } from "node:zlib";

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;

/**
 * Brotli's best setting: quality 11 with a 16 MiB window (the largest every browser
 * decodes). It is slow (about 2 s per MB on the team's 2 cores), which is why the build
 * caches its output by content (see `precompress.ts`).
 */
function brotli(bytes: Uint8Array): Uint8Array {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

scope.onmessage = (e: MessageEvent<{ id: number; coding: "br" | "gzip"; bytes: Uint8Array }>) => {
  const { id, coding, bytes } = e.data;
  // A fresh copy: zlib's Buffer may be a view of a larger pool that cannot be transferred.
  const out = new Uint8Array(coding === "br" ? brotli(bytes) : gzipSync(bytes, { level: 9 }));
  scope.postMessage({ id, bytes: out }, [out.buffer]);
};
