import assert from "node:assert/strict";
import decodeReference from "image-decode";
import { decodeImage, sniffFormat } from "../../../server/images/decode.ts";
import { sampleBmp, sampleGif, sampleJpeg, warmUpDecoders } from "../../../server/images/warmup.ts";

/** The 8×8 picture as rows of "#" (bright) and "." (dark), from RGBA. */
function rows(data: Uint8Array): string[] {
  return Array.from(
    { length: 8 },
    (_, y) => Array.from({ length: 8 }, (_, x) => (data[(y * 8 + x) * 4] > 128 ? "#" : ".")).join(""),
  );
}

const DIAGONAL = Array.from({ length: 8 }, (_, y) => ".".repeat(y) + "#" + ".".repeat(7 - y));

Deno.test("sampleJpeg(), sampleGif() and sampleBmp() decode to the same 8×8 diagonal", () => {
  for (
    const [format, bytes] of [["jpeg", sampleJpeg()], ["gif", sampleGif()], ["bmp", sampleBmp()]] as const
  ) {
    assert.equal(sniffFormat(bytes), format);
    const pixels = decodeImage(bytes);
    assert.equal(pixels.width, 8, format);
    assert.equal(pixels.height, 8, format);
    assert.deepEqual(rows(pixels.data as Uint8Array), DIAGONAL, format);
  }
});

Deno.test("sampleGif() is a GIF other decoders read too (omggif, through image-decode)", () => {
  const ref = decodeReference(sampleGif(), "image/gif")!;
  assert.deepEqual(rows(new Uint8Array(ref.data)), DIAGONAL);
});

Deno.test("warmUpDecoders() decodes each sample and reports how long it took", () => {
  const ms = warmUpDecoders();
  assert.deepEqual(Object.keys(ms), ["jpeg", "gif", "bmp"]);
  for (const v of Object.values(ms)) assert.ok(v >= 0 && Number.isFinite(v));
});
