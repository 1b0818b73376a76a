import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import pngjs from "pngjs";
import { faviconIco } from "../../../web/favicon.ts";

Deno.test("faviconIco() is an ICO holding one 32×32 PNG, opaque inside and transparent at the corners", () => {
  const ico = faviconIco();
  const v = new DataView(ico.buffer, ico.byteOffset, ico.byteLength);
  assert.deepEqual([v.getUint16(0, true), v.getUint16(2, true), v.getUint16(4, true)], [0, 1, 1]);
  assert.deepEqual([ico[6], ico[7]], [32, 32]);
  const size = v.getUint32(14, true), offset = v.getUint32(18, true);
  assert.equal(offset + size, ico.length);
  const png = pngjs.PNG.sync.read(Buffer.from(ico.subarray(offset)));
  assert.deepEqual([png.width, png.height], [32, 32]);
  const alpha = (x: number, y: number) => png.data[(y * 32 + x) * 4 + 3];
  assert.equal(alpha(0, 0), 0);
  assert.equal(alpha(16, 16), 255);
  // Some white ink (the 7) on the blue.
  const white = Array.from({ length: 32 * 32 }, (_, i) => png.data[i * 4] > 200).filter(Boolean).length;
  assert.ok(white > 30 && white < 400, `${white} white pixels`);
});
