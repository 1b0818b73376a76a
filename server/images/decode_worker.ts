/**
 * A Web Worker that decodes images with the third-party decoders, so one that loops
 * or stalls on hostile data can be terminated without stopping the server worker.
 * Messages: `{ warm: true }` in, `{ ready: true }` out once the decoders are warm (see
 * warmup.ts); then `{ id, bytes, maxPixels }` in, `{ id, pixels }` or `{ id, error }` out.
 * A first message `{ port }` moves that exchange onto a MessagePort (images/link.ts).
 *
 * Runs in a Deno Web Worker.
 * @module
 */

import { decodeImage } from "./decode.ts";
import { warmUpDecoders } from "./warmup.ts";

// omggif prints warnings about malformed streams to the console: keep them out of the JSON logs.
// deno-lint-ignore no-console
for (const k of ["log", "warn", "info", "error", "debug"] as const) console[k] = () => undefined;

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
type DecodeRequest = { warm: true } | { warm?: undefined; id: number; bytes: Uint8Array; maxPixels: number };

/** Where replies go: the parent, or the port the main thread handed over. */
let reply = (message: unknown, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

function onRequest(data: DecodeRequest) {
  if (data.warm) {
    try {
      warmUpDecoders();
    } catch {
      // A sample that no longer decodes only leaves that decoder cold; uploads still get its errors.
    }
    return reply({ ready: true });
  }
  const { id, bytes, maxPixels } = data;
  try {
    const pixels = decodeImage(bytes, { maxPixels });
    reply({ id, pixels }, [pixels.data.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ id, error: { name: (err as Error).name, message: (err as Error).message } });
  }
}

scope.onmessage = (e: MessageEvent<DecodeRequest | { port: MessagePort }>) => {
  if ("port" in e.data) {
    // Started by the main thread for a server worker: requests and replies use this port.
    const port = e.data.port;
    reply = (message, transfer = []) => port.postMessage(message, transfer);
    port.onmessage = (m: MessageEvent<DecodeRequest>) => onRequest(m.data);
    return;
  }
  onRequest(e.data);
};
