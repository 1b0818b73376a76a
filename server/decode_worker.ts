/**
 * A Web Worker that decodes images with the third-party decoders, so one that loops
 * or stalls on hostile data can be terminated without stopping the server worker.
 * Messages: `{ warm: true }` in, `{ ready: true }` out once the decoders are warm (see
 * decode_warmup.ts); then `{ id, bytes, maxPixels }` in, `{ id, pixels }` or `{ id, error }` out.
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import { decodeImage } from "./decode.ts";
import { warmUpDecoders } from "./decode_warmup.ts";

// omggif prints warnings about malformed streams to the console: keep them out of the JSON logs.
// deno-lint-ignore no-console
for (const k of ["log", "warn", "info", "error", "debug"] as const) console[k] = () => undefined;

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
scope.onmessage = (
  e: MessageEvent<{ warm: true } | { warm?: undefined; id: number; bytes: Uint8Array; maxPixels: number }>,
) => {
  if (e.data.warm) {
    try {
      warmUpDecoders();
    } catch {
      // A sample that no longer decodes only leaves that decoder cold; uploads still get its errors.
    }
    return scope.postMessage({ ready: true });
  }
  const { id, bytes, maxPixels } = e.data;
  try {
    const pixels = decodeImage(bytes, { maxPixels });
    scope.postMessage({ id, pixels }, [pixels.data.buffer]);
  } catch (err) {
    scope.postMessage({ id, error: { name: (err as Error).name, message: (err as Error).message } });
  }
};
