/**
 * A Web Worker that decodes images with the third-party decoders, so one that loops
 * or stalls on hostile data can be terminated without stopping the server worker.
 * Messages: `{ warm: true }` in, `{ ready: true }` out once the decoders are warm (see
 * decode_warmup.ts); then `{ id, bytes, maxPixels }` in, `{ id, pixels }` or `{ id, error }` out.
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import type { decodeImage as DecodeImage } from "./decode.ts";

// omggif prints warnings about malformed streams to the console: keep them out of the JSON logs.
// deno-lint-ignore no-console
for (const k of ["log", "warn", "info", "error", "debug"] as const) console[k] = () => undefined;

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
// The decoders load on the warm-up message, not at spawn: a server worker starts this worker
// before loading its model, and importing them then would compete with that load for the CPU.
let decodeImage: typeof DecodeImage;
scope.onmessage = async (
  e: MessageEvent<{ warm: true } | { warm?: undefined; id: number; bytes: Uint8Array; maxPixels: number }>,
) => {
  if (e.data.warm) {
    const [decode, { warmUpDecoders }] = await Promise.all([
      import("./decode.ts"),
      import("./decode_warmup.ts"),
    ]);
    decodeImage = decode.decodeImage;
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
