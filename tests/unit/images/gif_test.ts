import assert from "node:assert/strict";
import decodeReference from "image-decode";
import { decodeGif, GifError } from "../../../server/images/gif.ts";

const DIR = new URL("../../testdata/images/", import.meta.url);

Deno.test("decodeGif() gives the same first frame as image-decode on the test GIFs", async () => {
  for (const name of ["2_canvas.gif", "7_animated.gif"]) {
    const bytes = await Deno.readFile(new URL(name, DIR));
    const ours = decodeGif(bytes);
    const ref = decodeReference(bytes, "image/gif")!;
    assert.equal(ours.width, ref.width);
    assert.equal(ours.height, ref.height);
    assert.deepEqual(ours.data, new Uint8Array(ref.data), name);
  }
});

Deno.test("decodeGif() ends on corrupt LZW data instead of looping", async () => {
  const gif = (await Deno.readFile(new URL("2_canvas.gif", DIR))).slice();
  // The fuzz test's case: one flipped bit that sends omggif into an endless loop.
  gif[2273] ^= 0x04;
  try {
    const p = decodeGif(gif);
    assert.equal(p.data.length, 280 * 280 * 4);
  } catch (e) {
    assert.ok(e instanceof GifError);
  }
  for (let i = 0; i < 200; i++) {
    const g = gif.slice();
    g[800 + i * 7] ^= 1 << (i % 8);
    try {
      decodeGif(g);
    } catch (e) {
      assert.ok(e instanceof GifError, String(e));
    }
  }
});

Deno.test("decodeGif() refuses a frame outside the screen and a missing colour table", async () => {
  const gif = (await Deno.readFile(new URL("2_canvas.gif", DIR))).slice();
  const noTable = gif.slice();
  noTable[10] &= 0x7f;
  assert.throws(() => decodeGif(noTable), GifError);
  assert.throws(() => decodeGif(new TextEncoder().encode("GIF89a")), GifError);
  const wide = gif.slice();
  const d = wide.indexOf(0x2c, 13 + 3 * (1 << ((gif[10] & 7) + 1)));
  new DataView(wide.buffer).setUint16(d + 5, 400, true); // frame 400 wide on a 280 screen
  assert.throws(() => decodeGif(wide), /outside the screen/);
});
