import assert from "node:assert/strict";
import decodeReference from "image-decode";
import { toGrey } from "../../src/mod.ts";
import { decodePngFast } from "../../server/png_fast.ts";
import { decodeImage } from "../../server/decode.ts";

const DIR = new URL("../testdata/images/", import.meta.url);
const pngs = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".png")).sort();

Deno.test("decodeImage() gives the same grey levels as image-decode on every test PNG", async () => {
  assert.ok(pngs.length >= 15);
  for (const name of pngs) {
    const bytes = await Deno.readFile(new URL(name, DIR));
    const ours = decodeImage(bytes);
    const ref = decodeReference(bytes, "image/png")!;
    assert.equal(ours.width, ref.width, name);
    assert.equal(ours.height, ref.height, name);
    const a = toGrey(ours), b = toGrey({ width: ref.width, height: ref.height, channels: 4, data: ref.data });
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `${name} pixel ${i}`);
  }
});

Deno.test("decodePngFast() keeps the file's channels and leaves other PNGs to image-decode", async () => {
  const grey = decodePngFast(await Deno.readFile(new URL("7_bench.png", DIR)))!;
  assert.equal(grey.channels, 1);
  assert.equal(grey.data.length, 280 * 280);
  assert.equal(decodePngFast(await Deno.readFile(new URL("2_palette.png", DIR))), undefined);
  assert.equal(decodePngFast(await Deno.readFile(new URL("4_16bit.png", DIR))), undefined);
  const interlaced = (await Deno.readFile(new URL("7_bench.png", DIR))).slice();
  interlaced[28] = 1; // IHDR interlace method: Adam7
  assert.equal(decodePngFast(interlaced), undefined);
});

Deno.test("decodePngFast() refuses image data shorter than the header declares", async () => {
  const png = (await Deno.readFile(new URL("7_bench.png", DIR))).slice();
  new DataView(png.buffer).setUint32(20, 400); // claim 400 rows instead of 280
  assert.throws(() => decodePngFast(png), RangeError);
});
