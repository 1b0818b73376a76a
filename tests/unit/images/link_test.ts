import assert from "node:assert/strict";
import { createDecodePool } from "../../../server/images/pool.ts";
import { createDecodeWorkerHost, decodeWorkersViaMain } from "../../../server/images/link.ts";
import type {
  DecodeWorkerLink,
  DecodeWorkerReply,
  DecodeWorkerRequest,
} from "../../../server/images/link.ts";
import { CorruptImageError } from "../../../src/mod.ts";

const JPEG = await Deno.readFile(new URL("../../testdata/images/5_canvas.jpg", import.meta.url));

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

/**
 * A link that forwards the warm-up to `link` but never its decodes: a decode through it
 * overruns any deadline, however fast the machine (a slow image would only race it).
 */
function neverDecodes(link: DecodeWorkerLink): DecodeWorkerLink {
  const hung: DecodeWorkerLink = {
    postMessage: (m, transfer) => (m as { warm?: true }).warm && link.postMessage(m, transfer),
    onmessage: null,
    onerror: null,
    terminate: () => link.terminate(),
  };
  link.onmessage = (data) => hung.onmessage?.(data);
  link.onerror = (message) => hung.onerror?.(message);
  return hung;
}

Deno.test("a decode that overruns its deadline stops that worker through the main thread and starts another", async () => {
  const { host, via, crossed } = wired();
  let timeouts = 0;
  let spawned = 0;
  const pool = createDecodePool({
    maxPixels: 4_000_000,
    timeoutMs: 50,
    // The first worker hangs on its decode; the one replacing it is a normal one.
    spawn: () => spawned++ === 0 ? neverDecodes(via.spawn()) : via.spawn(),
    onTimeout: () => timeouts++,
  });
  try {
    await assert.rejects(
      pool.decode(JPEG),
      (e) => e instanceof CorruptImageError && /within 50 ms/.test(e.message),
    );
    assert.equal(timeouts, 1);
    assert.deepEqual(crossed.slice(0, 4), [
      "0→main decode-worker-start",
      "main→0 decode-worker-port",
      "0→main decode-worker-stop",
      "0→main decode-worker-start",
    ]);
    // The replacement serves (its start, like the first one's, is not timed).
    const pixels = await pool.decode(JPEG);
    assert.ok(pixels.width > 0);
  } finally {
    pool.close();
    host.close();
  }
});

Deno.test("a decode's deadline starts when its worker is ready, not while it starts", async () => {
  // A worker whose start takes far longer than the deadline, then decodes at once.
  let worker: DecodeWorkerLink | undefined;
  const { promise: started, resolve: start } = Promise.withResolvers<void>();
  const link: DecodeWorkerLink = {
    postMessage(m) {
      const msg = m as { warm?: true; id?: number };
      if (msg.warm) start();
      else {queueMicrotask(() =>
          link.onmessage?.({
            id: msg.id,
            pixels: { width: 1, height: 1, channels: 1, data: new Uint8Array(1) },
          })
        );}
    },
    onmessage: null,
    onerror: null,
    terminate: () => undefined,
  };
  let timeouts = 0;
  const pool = createDecodePool({
    maxPixels: 4_000_000,
    timeoutMs: 20,
    spawn: () => (worker = link),
    onTimeout: () => timeouts++,
  });
  try {
    const decoding = pool.decode(JPEG);
    await started;
    // Ten deadlines pass while the worker starts; the upload waits without being timed.
    await new Promise((r) => setTimeout(r, 200));
    worker!.onmessage?.({ ready: true });
    assert.deepEqual((await decoding).width, 1);
    assert.equal(timeouts, 0);
  } finally {
    pool.close();
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
