import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { createDecodePool } from "../../../server/images/pool.ts";
import { createDecodeWorkerHost, decodeWorkersViaMain } from "../../../server/images/link.ts";
import type { DecodeWorkerReply, DecodeWorkerRequest } from "../../../server/images/link.ts";
import { CorruptImageError } from "../../../src/mod.ts";

const JPEG = await Deno.readFile(new URL("../../testdata/images/5_canvas.jpg", import.meta.url));

/** Noise at 1000×1000: jpeg-js takes a few hundred ms on it, far past a 50 ms deadline. */
function slowJpeg(): Uint8Array {
  const rgba = new Uint8Array(1000 * 1000 * 4).map((_, i) => (i * 2654435761) >>> 24);
  return new Uint8Array(jpeg.encode({ width: 1000, height: 1000, data: rgba }, 40).data);
}

/**
 * A server worker's side and the main thread's side wired together in this thread,
 * recording what crosses between them.
 */
function wired() {
  const crossed: string[] = [];
  const host = createDecodeWorkerHost((to, m: DecodeWorkerReply) => {
    crossed.push(`main→${to} ${m.type}`);
    via.receive(m);
  });
  const via = decodeWorkersViaMain((m: DecodeWorkerRequest) => {
    crossed.push(`0→main ${m.type}`);
    assert.ok(host.handle(0, m), `${m.type} is the host's`);
  });
  return { host, via, crossed };
}

Deno.test("a decode pool reaches a decode worker that the main thread starts, over a MessagePort", async () => {
  const { host, via, crossed } = wired();
  const pool = createDecodePool({ maxPixels: 4_000_000, spawn: via.spawn });
  try {
    const pixels = await pool.decode(JPEG);
    assert.ok(pixels.width > 0 && pixels.height > 0);
    assert.equal(pixels.data.length, pixels.width * pixels.height * pixels.channels);
    assert.deepEqual(crossed, ["0→main decode-worker-start", "main→0 decode-worker-port"]);
    // Later uploads reuse the same worker.
    await pool.decode(JPEG);
    assert.equal(crossed.length, 2);
  } finally {
    pool.close();
    host.close();
  }
  assert.deepEqual(crossed.slice(2), ["0→main decode-worker-stop"]);
});

Deno.test("a decode that overruns its deadline stops that worker through the main thread and starts another", async () => {
  const { host, via, crossed } = wired();
  let timeouts = 0;
  const pool = createDecodePool({
    maxPixels: 4_000_000,
    timeoutMs: 50,
    spawn: via.spawn,
    onTimeout: () => timeouts++,
  });
  try {
    await assert.rejects(pool.decode(slowJpeg()), CorruptImageError);
    assert.ok(timeouts >= 1);
    assert.deepEqual(crossed.slice(0, 4), [
      "0→main decode-worker-start",
      "main→0 decode-worker-port",
      "0→main decode-worker-stop",
      "0→main decode-worker-start",
    ]);
  } finally {
    pool.close();
    host.close();
  }
});

Deno.test("a port that arrives for a decoder already stopped is closed, and errors reach the live one", () => {
  const sent: DecodeWorkerRequest[] = [];
  const via = decodeWorkersViaMain((m) => sent.push(m));
  const link = via.spawn();
  const errors: string[] = [];
  link.onerror = (message) => errors.push(message);
  via.receive({ type: "decode-worker-error", id: 0, error: "module not found" });
  assert.deepEqual(errors, ["module not found"]);
  link.terminate();
  const { port1, port2 } = new MessageChannel();
  via.receive({ type: "decode-worker-port", id: 0, port: port2 });
  via.receive({ type: "decode-worker-error", id: 0, error: "late" });
  assert.deepEqual(errors, ["module not found"]);
  assert.deepEqual(sent, [{ type: "decode-worker-start", id: 0 }, { type: "decode-worker-stop", id: 0 }]);
  port1.close();
});
