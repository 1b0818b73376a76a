/**
 * Small uploads that make an image decoder loop or allocate without bound: each must
 * be answered with its documented status while the worker stays live. Each case runs
 * on its own one-worker server, since a stuck worker would poison the next case.
 * These inputs are kept out of the fuzz run so that one stuck decoder does not hide
 * everything else the fuzz checks.
 */
import assert from "node:assert/strict";
import { ROOT, startServer } from "../support/test_utils.ts";
import { rawRequest } from "../support/raw_http.ts";

const IMAGES = `${ROOT}tests/testdata/images/`;
/** A legitimate decode takes milliseconds; this only tells "answered" from "stuck". */
const ANSWER_MS = 10_000;

/** Offset of a GIF's first image descriptor (after the header, colour table and extensions). */
function gifDescriptor(b: Uint8Array): number {
  let p = 13 + (b[10] & 0x80 ? 3 * (1 << ((b[10] & 7) + 1)) : 0);
  while (b[p] === 0x21) {
    p += 2;
    while (b[p]) p += b[p] + 1;
    p++;
  }
  assert.equal(b[p], 0x2c, "image descriptor");
  return p;
}

async function postImage(body: Uint8Array, type: string, expect: number[]) {
  const srv = await startServer({ WORKERS: "1", WATCH_MODELS: "false" });
  try {
    const res = await rawRequest(srv.port, {
      method: "POST",
      target: "/api/v1/predict",
      headers: [["Content-Type", type]],
      body,
    }, ANSWER_MS);
    const health = await rawRequest(srv.port, { method: "GET", target: "/health" }, 3000);
    assert.notEqual(res.error, "timeout", `no answer within ${ANSWER_MS} ms: the decoder is stuck`);
    assert.ok(expect.includes(res.status), `status ${res.status}, documented ${expect.join("/")}`);
    assert.equal(health.status, 200, "/health answers afterwards");
    assert.ok(!srv.logs.some((l) => l.includes("unhandled error")));
  } finally {
    await srv.stop("SIGKILL");
  }
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "POST /api/v1/predict answers a 22-byte JPEG whose frame has no components (jpeg-js loop)",
  ...opts,
  async fn() {
    // SOI; SOF0 28×28 with zero components; SOS with zero components; EOI.
    const jpeg = new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x08,
      0x08,
      0x00,
      0x1c,
      0x00,
      0x1c,
      0x00,
      0xff,
      0xda,
      0x00,
      0x06,
      0x00,
      0x00,
      0x3f,
      0x00,
      0xff,
      0xd9,
    ]);
    await postImage(jpeg, "image/jpeg", [400]);
  },
});

Deno.test({
  name: "POST /api/v1/predict refuses a GIF whose frame declares 65535×65535 inside a 280×280 screen",
  ...opts,
  async fn() {
    const gif = (await Deno.readFile(`${IMAGES}2_canvas.gif`)).slice();
    const v = new DataView(gif.buffer);
    const d = gifDescriptor(gif);
    v.setUint16(d + 5, 65535, true);
    v.setUint16(d + 7, 65535, true);
    // The frame, not only the screen, is what the decoder allocates and walks.
    await postImage(gif, "image/gif", [413]);
  },
});

Deno.test({
  name: "POST /api/v1/predict answers a real digit GIF with one flipped bit in its LZW data (omggif loop)",
  ...opts,
  async fn() {
    const gif = (await Deno.readFile(`${IMAGES}2_canvas.gif`)).slice();
    // Found by the fuzz test (seed 20261127, case 783): byte 2273 of the compressed data.
    assert.ok(2273 > gifDescriptor(gif) + 10, "the flipped byte lies in the image data");
    gif[2273] ^= 0x04;
    await postImage(gif, "image/gif", [200, 400, 422]);
  },
});
