/**
 * The site's icon, drawn in code: a handwritten "7" in white on the page's accent blue,
 * 32×32, anti-aliased, as a PNG inside an ICO container (which every browser reads at
 * `/favicon.ico`, the address they ask for on pages that name no icon, such as `/docs`).
 *
 * Runs in Deno (`web/build.ts` writes it to `web/dist/favicon.ico`).
 * @module
 */

import pngjs from "pngjs";

const SIZE = 32;
/** `--accent` of web/styles.css (light theme) and white. */
const BACKGROUND = [0x0b, 0x57, 0xd0] as const;
const INK = [0xff, 0xff, 0xff] as const;

/** The "7": one stroke (a polyline in unit coordinates) and the pen's width. */
const STROKES: readonly (readonly [number, number])[][] = [
  [[0.27, 0.27], [0.73, 0.27], [0.45, 0.78]],
];
const PEN = 0.13;

/** Distance from p to the segment a–b. */
function toSegment(p: readonly [number, number], a: readonly [number, number], b: readonly [number, number]) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Coverage (0–1) of a rounded square with corner radius r, at p (unit coordinates). */
function roundedSquare(p: readonly [number, number], r: number, px: number): number {
  const qx = Math.max(Math.abs(p[0] - 0.5) - (0.5 - r), 0);
  const qy = Math.max(Math.abs(p[1] - 0.5) - (0.5 - r), 0);
  return Math.max(0, Math.min(1, (r - Math.hypot(qx, qy)) / px + 0.5));
}

/** RGBA pixels of the icon. */
function draw(): Uint8Array {
  const data = new Uint8Array(SIZE * SIZE * 4);
  const px = 1 / SIZE;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const p = [(x + 0.5) * px, (y + 0.5) * px] as const;
      let d = Infinity;
      for (const s of STROKES) {
        for (let i = 1; i < s.length; i++) d = Math.min(d, toSegment(p, s[i - 1], s[i]));
      }
      const ink = Math.max(0, Math.min(1, (PEN / 2 - d) / px + 0.5));
      const o = (y * SIZE + x) * 4;
      for (let c = 0; c < 3; c++) data[o + c] = Math.round(BACKGROUND[c] + (INK[c] - BACKGROUND[c]) * ink);
      data[o + 3] = Math.round(255 * roundedSquare(p, 0.2, px));
    }
  }
  return data;
}

/**
 * The icon as an `.ico` file holding one 32×32 PNG.
 *
 * @returns The file's bytes (a few hundred).
 * @example
 * ```ts
 * await Deno.writeFile("web/dist/favicon.ico", faviconIco());
 * ```
 */
export function faviconIco(): Uint8Array {
  const image = Object.assign(new pngjs.PNG({ width: SIZE, height: SIZE }), { data: draw() });
  const png = new Uint8Array(pngjs.PNG.sync.write(image));
  // ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes), then the PNG.
  const head = new DataView(new ArrayBuffer(22));
  head.setUint16(2, 1, true); // type: icon
  head.setUint16(4, 1, true); // one image
  head.setUint8(6, SIZE); // width, height (0 would mean 256)
  head.setUint8(7, SIZE);
  head.setUint16(10, 1, true); // colour planes
  head.setUint16(12, 32, true); // bits per pixel
  head.setUint32(14, png.length, true);
  head.setUint32(18, 22, true); // offset of the image
  const ico = new Uint8Array(22 + png.length);
  ico.set(new Uint8Array(head.buffer));
  ico.set(png, 22);
  return ico;
}
