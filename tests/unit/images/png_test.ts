import assert from "node:assert/strict";
import decodeReference from "image-decode";
import { toGrey } from "../../support/reference_preprocess.ts";
import { decodePngFast } from "../../../server/images/png.ts";
import { decodeImage } from "../../../server/images/decode.ts";
import pngjs from "pngjs";

const DIR = new URL("../../testdata/images/", import.meta.url);
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

Deno.test("decodePngFast() undoes every row filter for every channel layout, bytes exact", () => {
  const channelsOf: Record<number, number> = { 0: 1, 4: 2, 2: 3, 6: 4 };
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const colorType of [0, 4, 2, 6]) {
    const ch = channelsOf[colorType], w = 37, h = 23;
    // Flat paper, a gradient and noise: every Paeth predictor gets chosen.
    const data = new Uint8Array(w * h * ch).map((_, i) => {
      const x = Math.floor(i / ch) % w, y = Math.floor(i / ch / w);
      return x < 8 ? 255 : y < 6 ? (x * 7 + y * 3) % 256 : Math.floor(rnd() * 256);
    });
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      const png = pngjs.PNG.sync.write(
        Object.assign(new pngjs.PNG({ width: w, height: h }), { data }),
        { colorType, inputColorType: colorType, inputHasAlpha: ch % 2 === 0, filterType },
      );
      const out = decodePngFast(new Uint8Array(png))!;
      assert.equal(out.channels, ch);
      assert.deepEqual(out.data, data, `colour type ${colorType}, filter ${filterType}`);
    }
  }
});
