/**
 * A Web Worker that decodes images with the third-party decoders, so one that loops
 * or stalls on hostile data can be terminated without stopping the server worker.
 * Messages: `{ id, bytes, maxPixels }` in, `{ id, pixels }` or `{ id, error }` out.
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import { decodeImage } from "./decode.ts";

// omggif prints warnings about malformed streams to the console: keep them out of the JSON logs.
// deno-lint-ignore no-console
for (const k of ["log", "warn", "info", "error", "debug"] as const) console[k] = () => undefined;

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
scope.onmessage = (e: MessageEvent<{ id: number; bytes: Uint8Array; maxPixels: number }>) => {
  const { id, bytes, maxPixels } = e.data;
  try {
    const pixels = decodeImage(bytes, { maxPixels });
    scope.postMessage({ id, pixels }, [pixels.data.buffer]);
  } catch (err) {
    scope.postMessage({ id, error: { name: (err as Error).name, message: (err as Error).message } });
  }
};
scope.postMessage({ ready: true });
