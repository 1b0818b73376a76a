/**
 * Generated hostile requests for the fuzz test and the `fuzz` task: each case is a
 * raw HTTP request plus the statuses issue 4 documents for it. Case `i` of a run
 * depends only on `(seed, i)`, so any failure is replayed alone with
 * `FUZZ_SEED=<seed> FUZZ_ONLY=<i>`.
 *
 * Runs in Deno (reads the real test images from tests/testdata/images/).
 * @module
 */

import { ROOT } from "./test_utils.ts";
import { concat, type RawRequest } from "./raw_http.ts";

/** One generated request and what the server must answer. */
export interface FuzzCase {
  /** Index in the run. */
  id: number;
  /** Category, one row of the report table. */
  kind: string;
  req: RawRequest;
  /** Statuses the documented behaviour allows. */
  expect: readonly number[];
  /** A 200 must predict this class. */
  label?: number;
  /**
   * The request breaks HTTP itself: the HTTP layer may refuse it before the app sees
   * it (a 4xx without a request id or body), or close the connection.
   */
  protocol?: boolean;
  /** The body must not contain any file content from outside the web directory. */
  leakCheck?: boolean;
}

/** A small, fast, seedable PRNG (xorshift128+ on 32-bit halves is overkill: sfc32 will do). */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  constructor(seed: number, stream = 0) {
    this.#a = seed >>> 0;
    this.#b = (stream * 0x9e3779b9) >>> 0;
    this.#c = 0x6a09e667 ^ seed;
    this.#d = 1;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** A uint32. */
  next(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.next() / 2 ** 32) * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 255;
    return b;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

/** A real image file and its digit (undefined for blank and 1×1). */
export interface CorpusImage {
  name: string;
  format: "png" | "jpeg" | "gif" | "bmp";
  mime: string;
  bytes: Uint8Array;
  label?: number;
}

/** Real inputs the generator mutates. */
export interface Corpus {
  images: CorpusImage[];
  /** 28×28 MNIST digits (0–255) with labels, for JSON and v2 bodies. */
  digits: { pixels: number[]; label: number }[];
}

const FORMATS: Record<string, [CorpusImage["format"], string]> = {
  png: ["png", "image/png"],
  jpg: ["jpeg", "image/jpeg"],
  gif: ["gif", "image/gif"],
  bmp: ["bmp", "image/bmp"],
};

/**
 * Load the real test images and a few MNIST digits taken from `3_mnist28.png`'s
 * source set, the t10k split.
 *
 * @returns The corpus.
 */
export async function loadCorpus(): Promise<Corpus> {
  const dir = `${ROOT}tests/testdata/images/`;
  const images: CorpusImage[] = [];
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    const ext = e.name.split(".").pop()!;
    if (!FORMATS[ext]) continue;
    const [format, mime] = FORMATS[ext];
    const label = /^\d_/.test(e.name) ? Number(e.name[0]) : undefined;
    images.push({ name: e.name, format, mime, bytes: await Deno.readFile(dir + e.name), label });
  }
  const { loadMnist } = await import("./mnist_idx.ts");
  const mnist = await loadMnist("t10k");
  const digits = Array.from({ length: 40 }, (_, i) => ({
    pixels: Array.from(mnist.image(i)),
    label: mnist.labels[i],
  }));
  // Small BMPs of real digits keep the BMP cases cheap; the 280×280 canvas BMP stays in too.
  for (const d of digits.slice(0, 10)) {
    images.push({
      name: `${d.label}_mnist28.bmp`,
      format: "bmp",
      mime: "image/bmp",
      bytes: bmp28(d.pixels),
      label: d.label,
    });
  }
  return { images, digits };
}

/** A 28×28 24-bit BMP (bottom-up rows padded to 4 bytes) of grey pixels. */
function bmp28(grey: number[]): Uint8Array {
  const row = 28 * 3, size = 54 + row * 28;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, 28, true);
  v.setInt32(22, 28, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, row * 28, true);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      b.fill(grey[(27 - y) * 28 + x], 54 + y * row + x * 3, 54 + y * row + x * 3 + 3);
    }
  }
  return b;
}

const enc = new TextEncoder();
const PREDICT = "/api/v1/predict";
const BATCH = "/api/v1/predict/batch";
const INFER = "/v2/models/mnist/infer";

/** Multipart body builder: parts in order, exact bytes. */
function multipart(
  boundary: string,
  parts: { name: string; filename?: string; type?: string; body: Uint8Array; extra?: string }[],
  close = true,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
    chunks.push(enc.encode(
      `--${boundary}\r\nContent-Disposition: ${disp}\r\n` +
        (p.type ? `Content-Type: ${p.type}\r\n` : "") + (p.extra ?? "") + "\r\n",
    ));
    chunks.push(p.body, enc.encode("\r\n"));
  }
  if (close) chunks.push(enc.encode(`--${boundary}--\r\n`));
  return concat(chunks);
}

const post = (target: string, type: string | undefined, body: Uint8Array): RawRequest => ({
  method: "POST",
  target,
  headers: type === undefined ? [] : [["Content-Type", type]],
  body,
});

/** The old Streamlit client's form: one `file` part. */
function upload(img: { bytes: Uint8Array; mime: string; name: string }, target = PREDICT): RawRequest {
  const b = `----fuzz${img.bytes.length}`;
  return post(
    target,
    `multipart/form-data; boundary=${b}`,
    multipart(b, [
      { name: "file", filename: img.name, type: img.mime, body: img.bytes },
    ]),
  );
}

/** Random bytes that never start with a supported image's magic number. */
function noise(rng: Rng, n: number): Uint8Array {
  const b = rng.bytes(n);
  if (n > 0 && [0x89, 0xff, 0x47, 0x42].includes(b[0])) b[0] = 0x00;
  return b;
}

/** Set an image's declared width and height in its header. */
export function withDimensions(img: CorpusImage, w: number, h: number): Uint8Array {
  const b = img.bytes.slice();
  const v = new DataView(b.buffer);
  if (img.format === "png") {
    v.setUint32(16, w);
    v.setUint32(20, h);
  } else if (img.format === "gif") {
    v.setUint16(6, w, true);
    v.setUint16(8, h, true);
  } else if (img.format === "bmp") {
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
  } else {
    for (let i = 2; i + 9 < b.length; i += 2 + v.getUint16(i + 2)) {
      if (b[i + 1] >= 0xc0 && b[i + 1] <= 0xc2) {
        v.setUint16(i + 5, h);
        v.setUint16(i + 7, w);
        break;
      }
    }
  }
  return b;
}

/** Header bytes that decide format and size: a flip there may change the answer to 413 or 415. */
const HEADER_BYTES: Record<CorpusImage["format"], number> = { png: 33, gif: 13, bmp: 54, jpeg: 0 };

type Gen = (rng: Rng, c: Corpus) => Omit<FuzzCase, "id" | "kind">;

const labelled = (c: Corpus) => c.images.filter((i) => i.label !== undefined);
const ofFormat = (c: Corpus, f: CorpusImage["format"]) => labelled(c).filter((i) => i.format === f);

/** Where the traversal payloads are aimed: every route that maps a path to a file. */
const STATIC_PREFIXES = ["/", "/assets/", "/model/", "/model/model/", "/docs/assets/", "/v2/models/"];
/** Files outside web/dist the start task may read: a leak would show their content. */
const TARGETS = ["server/app.ts", "deno.json", "etc/passwd", "models/convnet.json", "src/mod.ts"];
const UP = ["..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae", "..%00", "..;"];
const SEP = ["/", "%2f", "%2F", "%252f", "%5c", "\\", "%255c", "//"];

/** Bodies the JSON route must refuse with 422 (parseable, wrong content). */
function badJsonImage(rng: Rng, c: Corpus): string {
  const d = rng.pick(c.digits).pixels;
  switch (rng.int(0, 9)) {
    case 0:
      return JSON.stringify({ image: d.slice(0, rng.int(0, 783)) });
    case 1:
      return JSON.stringify({ image: [...d, ...d.slice(0, rng.int(1, 800))] });
    case 2:
      return JSON.stringify({ image: Array.from({ length: 28 }, (_, y) => d.slice(y * 28, y * 28 + 27)) });
    case 3: {
      const at = rng.int(0, 783);
      return JSON.stringify({ image: d.map((v, i) => (i === at ? String(v) : v)) });
    }
    case 4:
      return JSON.stringify({ image: d.map(String) });
    case 5: // "NaN", Infinity (1e999 parses to it), negative, over 255
      return `{"image":[${
        d.map((v, i) => i === 400 ? rng.pick(["1e999", "-1e999", "-1", "256", "null"]) : v)
      }]}`;
    case 6:
      return JSON.stringify(rng.pick([[], null, 42, "image", { img: d }, { image: null }, { image: {} }]));
    case 7:
      return JSON.stringify({ image: "x".repeat(rng.int(0, 2000)) });
    case 8:
      return JSON.stringify({ image: d.map((v) => (v > 0 ? { v } : v)) });
    default:
      return JSON.stringify({ image: [d.map(() => true)] });
  }
}

/** Every generator, with its weight in a run. */
const GENERATORS: [string, number, Gen][] = [
  ["valid: every real format and variant (multipart)", 6, (rng, c) => {
    const img = rng.pick(labelled(c));
    return { req: upload(img), expect: [200], label: img.label };
  }],
  ["valid: raw image/* body", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const type = rng.chance(0.2) ? img.mime.toUpperCase() : img.mime;
    return { req: post(PREDICT, type, img.bytes), expect: [200], label: img.label };
  }],
  ["valid: JSON 784 numbers or 28×28", 2, (rng, c) => {
    const d = rng.pick(c.digits);
    const image = rng.chance(0.5)
      ? d.pixels
      : Array.from({ length: 28 }, (_, y) => d.pixels.slice(y * 28, y * 28 + 28).map((v) => v / 255));
    return {
      req: post(PREDICT, "application/json", enc.encode(JSON.stringify({ image }))),
      expect: [200],
      label: d.label,
    };
  }],
  ["valid: batch of real images", 1, (rng, c) => {
    const imgs = Array.from({ length: rng.int(1, 6) }, () => rng.pick(labelled(c)));
    const b = "batchfuzz";
    return {
      req: post(
        BATCH,
        `multipart/form-data; boundary=${b}`,
        multipart(b, imgs.map((i) => ({ name: "file", filename: i.name, type: i.mime, body: i.bytes }))),
      ),
      expect: [200],
    };
  }],
  ["blank, 1×1 and zero-byte images", 2, (rng, c) => {
    const which = rng.int(0, 2);
    if (which === 2) {
      return rng.chance(0.5)
        ? { req: upload({ bytes: new Uint8Array(), mime: "image/png", name: "empty.png" }), expect: [415] }
        : { req: post(PREDICT, "image/png", new Uint8Array()), expect: [415] };
    }
    const img = c.images.find((i) => i.name === (which === 0 ? "blank.png" : "one_pixel.png"))!;
    return { req: rng.chance(0.5) ? upload(img) : post(PREDICT, img.mime, img.bytes), expect: [422] };
  }],
  ["random bytes as an upload", 8, (rng) => {
    const body = noise(rng, rng.int(1, 4096));
    const how = rng.int(0, 4);
    if (how === 0) return { req: upload({ bytes: body, mime: "image/png", name: "x.png" }), expect: [415] };
    if (how === 1) {
      return {
        req: post(PREDICT, rng.pick(["image/png", "image/jpeg", "image/x-foo"]), body),
        expect: [415],
      };
    }
    if (how === 2) return { req: post(PREDICT, "application/json", body), expect: [400] };
    if (how === 3) return { req: post(PREDICT, "multipart/form-data; boundary=zz", body), expect: [400] };
    return { req: post(PREDICT, undefined, body), expect: [415] };
  }],
  ["random bytes as the whole request", 1, (rng) => ({
    req: { method: "", target: "", raw: rng.bytes(rng.int(1, 2048)) },
    expect: [400],
    protocol: true,
  })],
  ...(["png", "jpeg", "gif", "bmp"] as const).map((f): [string, number, Gen] => [
    `truncated ${f.toUpperCase()} of a real digit`,
    3,
    (rng, c) => {
      const img = rng.pick(ofFormat(c, f));
      const cut = img.bytes.subarray(0, rng.int(0, img.bytes.length - 1));
      // Too short to name its format: 415. PNG without IEND: 400. The rest may decode partly.
      const short = cut.length < (f === "bmp" ? 26 : f === "png" ? 8 : f === "gif" ? 6 : 3);
      const expect = short ? [415] : f === "png" ? [400] : f === "bmp" ? [400] : [200, 400, 422];
      return {
        req: rng.chance(0.5) ? upload({ ...img, bytes: cut }) : post(PREDICT, img.mime, cut),
        expect: cut.length === 0 ? [415] : expect,
      };
    },
  ]),
  ...(["png", "jpeg", "gif", "bmp"] as const).map((f): [string, number, Gen] => [
    `bit-flipped ${f.toUpperCase()} of a real digit`,
    4,
    (rng, c) => {
      const img = rng.pick(ofFormat(c, f));
      const b = img.bytes.slice();
      let header = false;
      for (let k = rng.int(1, 8); k > 0; k--) {
        // Half the flips aim at the header, where the format and size are declared.
        const i = rng.chance(0.5) ? rng.int(0, Math.min(b.length, 64) - 1) : rng.int(0, b.length - 1);
        b[i] ^= 1 << rng.int(0, 7);
        // JPEG's frame header and every GIF frame's descriptor (after the colour table) declare
        // sizes too, at offsets that vary: any flip there may be a size flip (a frame far off the screen → 413).
        if (i < HEADER_BYTES[f] || f === "jpeg" || f === "gif") header = true;
      }
      return {
        req: rng.chance(0.5) ? upload({ ...img, bytes: b }) : post(PREDICT, img.mime, b),
        expect: header ? [200, 400, 413, 415, 422] : [200, 400, 422],
      };
    },
  ]),
  ["header declares a huge size in ~1 KB", 3, (rng, c) => {
    const img = rng.pick(labelled(c));
    const big = img.format === "png" || img.format === "bmp"
      ? rng.pick([50_000, 100_000, 2 ** 30])
      : rng.pick([50_000, 65_535]);
    const w = rng.chance(0.5) ? big : rng.int(5000, 60_000), h = big;
    const b = withDimensions(img, w, h).subarray(0, 1024);
    // PNG must still end in IEND to reach the size check; the size is refused either way.
    const expect = img.format === "png" ? [400, 413] : [413];
    return { req: rng.chance(0.5) ? upload({ ...img, bytes: b }) : post(PREDICT, img.mime, b), expect };
  }],
  ["multipart: missing or wrong boundary", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const body = multipart("realboundary", [{
      name: "file",
      filename: "a.png",
      type: img.mime,
      body: img.bytes,
    }]);
    const type = rng.pick([
      "multipart/form-data",
      "multipart/form-data; boundary=",
      "multipart/form-data; boundary=other",
      `multipart/form-data; boundary=${"b".repeat(100)}`,
      'multipart/form-data; boundary="unterminated',
    ]);
    return { req: post(rng.chance(0.8) ? PREDICT : BATCH, type, body), expect: [400] };
  }],
  ["multipart: duplicated boundaries", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const part = { name: "file", filename: "a.png", type: img.mime, body: img.bytes };
    if (rng.chance(0.5)) {
      // Two boundary parameters: either one may be used; the image is under the first.
      const body = multipart("first", [part]);
      return {
        req: post(PREDICT, "multipart/form-data; boundary=first; boundary=second", body),
        expect: [200, 400],
        label: img.label,
      };
    }
    // The delimiter line repeated: empty parts before the file.
    const body = concat([enc.encode("--dup\r\n".repeat(rng.int(1, 50))), multipart("dup", [part])]);
    return {
      req: post(PREDICT, "multipart/form-data; boundary=dup", body),
      expect: [200, 400, 422],
      label: img.label,
    };
  }],
  ["multipart: huge part headers", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const size = rng.pick([8 * 1024, 64 * 1024, 512 * 1024, 6 * 1024 * 1024]);
    const where = rng.int(0, 2);
    const part = {
      name: "file",
      filename: where === 0 ? "f".repeat(size) + ".png" : "a.png",
      type: where === 1 ? "image/png; x=" + "y".repeat(size) : img.mime,
      body: img.bytes,
      extra: where === 2 ? `X-Junk: ${"z".repeat(size)}\r\n` : undefined,
    };
    const b = "hugeheaders";
    return {
      req: post(PREDICT, `multipart/form-data; boundary=${b}`, multipart(b, [part])),
      expect: size > 5 * 1024 * 1024 ? [413] : [200, 400, 413],
      label: img.label,
    };
  }],
  ["multipart: many parts", 2, (rng, c) => {
    const img = rng.pick(c.images.filter((i) => i.name === "3_mnist28.png"));
    const n = rng.int(2, 1000);
    const files = rng.int(0, 2);
    const b = "manyparts";
    if (files === 0) {
      // Many text fields and one file: the file is classified.
      const parts = Array.from({ length: n }, (_, i) => ({ name: `f${i}`, body: enc.encode("v") }));
      parts.splice(
        rng.int(0, n),
        0,
        { name: "file", filename: "d.png", type: img.mime, body: img.bytes } as never,
      );
      return {
        req: post(PREDICT, `multipart/form-data; boundary=${b}`, multipart(b, parts)),
        expect: [200],
        label: 3,
      };
    }
    const parts = Array.from(
      { length: n },
      () => ({ name: "file", filename: "d.png", type: img.mime, body: img.bytes }),
    );
    if (files === 1) {
      return { req: post(PREDICT, `multipart/form-data; boundary=${b}`, multipart(b, parts)), expect: [422] };
    }
    return {
      req: post(BATCH, `multipart/form-data; boundary=${b}`, multipart(b, parts)),
      expect: n > 64 ? [413] : [200],
    };
  }],
  ["multipart: no file part", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const b = "nofile";
    const parts = rng.pick([
      [{ name: "image", filename: "a.png", type: img.mime, body: img.bytes }],
      [{ name: "file", body: enc.encode("not a file upload") }],
      [{ name: "FILE", filename: "a.png", body: img.bytes }],
      [],
    ]);
    if (parts.length === 0) {
      return {
        req: post(PREDICT, `multipart/form-data; boundary=${b}`, enc.encode(`--${b}--\r\n`)),
        expect: [400, 422],
      };
    }
    return {
      req: post(rng.chance(0.8) ? PREDICT : BATCH, `multipart/form-data; boundary=${b}`, multipart(b, parts)),
      expect: [422],
    };
  }],
  ["multipart: unterminated or garbled", 2, (rng, c) => {
    const img = rng.pick(labelled(c));
    const full = multipart(
      "garbled",
      [{ name: "file", filename: "a.png", type: img.mime, body: img.bytes }],
      false,
    );
    if (rng.chance(0.5)) {
      // Deno's parser takes a body cut short as the parts that did arrive: no "file" is then 422.
      const body = full.subarray(0, rng.int(0, full.length));
      return { req: post(PREDICT, "multipart/form-data; boundary=garbled", body), expect: [400, 422] };
    }
    return { req: post(PREDICT, "multipart/form-data; boundary=garbled", noise(rng, 200)), expect: [400] };
  }],
  ["JSON: wrong lengths, strings, NaN, types", 5, (rng, c) => ({
    req: post(PREDICT, "application/json", enc.encode(badJsonImage(rng, c))),
    expect: [422],
  })],
  ["JSON: malformed (NaN literal, truncated, trailing)", 2, (rng, c) => {
    const good = JSON.stringify({ image: rng.pick(c.digits).pixels });
    const body = rng.pick([
      `{"image":[${Array(784).fill("NaN")}]}`,
      good.slice(0, rng.int(0, good.length - 1)),
      good + "}",
      "{'image': []}",
      "",
    ]);
    return { req: post(PREDICT, "application/json", enc.encode(body)), expect: [400] };
  }],
  ["JSON: deep nesting", 1, (rng) => {
    const depth = rng.int(1000, 100_000);
    const nest = rng.chance(0.5)
      ? "[".repeat(depth) + "]".repeat(depth)
      : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    const target = rng.chance(0.7) ? PREDICT : INFER;
    const body = target === PREDICT ? `{"image":${nest}}` : `{"inputs":${nest}}`;
    // Parsed: the shape is wrong (422 here, 400 on v2). Too deep to parse: 400.
    return {
      req: post(target, "application/json", enc.encode(body)),
      expect: target === PREDICT ? [400, 422] : [400],
    };
  }],
  ["v2 infer: wrong shape, datatype or data", 2, (rng, c) => {
    const d = rng.pick(c.digits).pixels.map((v) => v / 255);
    const input = rng.pick([
      { name: "input", shape: [1, 3, 28, 28], datatype: "FP32", data: d },
      { name: "input", shape: [1, 1, 28, 28], datatype: "INT8", data: d },
      { name: "input", shape: [2, 1, 28, 28], datatype: "FP32", data: d },
      { name: "input", shape: [1e9, 1, 28, 28], datatype: "FP32", data: d },
      { name: "input", shape: [-1, 1, 28, 28], datatype: "FP32", data: d },
      { name: "input", shape: "1,1,28,28", datatype: "FP32", data: d },
      { name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: d.map(String) },
      { name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data: "abc" },
    ]);
    const body = rng.chance(0.8) ? { inputs: [input] } : rng.pick([{}, { inputs: [] }, { inputs: "x" }, []]);
    return { req: post(INFER, "application/json", enc.encode(JSON.stringify(body))), expect: [400] };
  }],
  ["v2 infer: valid tensor", 1, (rng, c) => {
    const d = rng.pick(c.digits);
    const data = d.pixels.map((v) => (v / 255 - 0.1307) / 0.3081);
    const body = { inputs: [{ name: "input", shape: [1, 1, 28, 28], datatype: "FP32", data }] };
    return { req: post(INFER, "application/json", enc.encode(JSON.stringify(body))), expect: [200] };
  }],
  ["wrong or missing content type", 4, (rng, c) => {
    const img = rng.pick(labelled(c));
    const json = enc.encode(JSON.stringify({ image: rng.pick(c.digits).pixels }));
    const k = rng.int(0, 6);
    if (k === 0) return { req: post(PREDICT, undefined, img.bytes), expect: [415] };
    if (k === 1) {
      return {
        req: post(
          PREDICT,
          rng.pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "video/mp4", "x"]),
          img.bytes,
        ),
        expect: [415],
      };
    }
    if (k === 2) return { req: post(PREDICT, "image/png", json), expect: [415] };
    if (k === 3) return { req: post(PREDICT, "application/json", img.bytes), expect: [400] };
    if (k === 4) {
      return { req: post(BATCH, rng.pick(["image/png", "application/json"]), img.bytes), expect: [415] };
    }
    if (k === 5) return { req: post(PREDICT, ";;;===", img.bytes), expect: [415] };
    return { req: post(PREDICT, undefined, json), expect: [415] };
  }],
  ["body over the 5 MB limit (declared or streamed)", 1, (rng) => {
    if (rng.chance(0.7)) {
      // Declared: refused from Content-Length before reading.
      const target = rng.pick([PREDICT, BATCH, INFER]);
      const type = rng.pick(["image/png", "application/json", "multipart/form-data; boundary=x"]);
      const length = String(rng.pick([5 * 1024 * 1024 + 1, 1e9, 1e15]));
      return {
        req: {
          method: "POST",
          target,
          headers: [["Content-Type", type], ["Content-Length", length]],
          body: new Uint8Array(64),
        },
        // The batch route refuses a non-multipart type first.
        expect: target === BATCH && !type.startsWith("multipart") ? [413, 415] : [413],
      };
    }
    // Chunked with no length: counted while streaming.
    const chunk = rng.bytes(64 * 1024);
    const n = 5 * 16 + 2;
    const body = concat([
      ...Array.from({ length: n }, () => concat([enc.encode("10000\r\n"), chunk, enc.encode("\r\n")])),
      enc.encode("0\r\n\r\n"),
    ]);
    return {
      req: {
        method: "POST",
        target: PREDICT,
        headers: [["Content-Type", "image/png"], ["Transfer-Encoding", "chunked"]],
        body,
      },
      expect: [413],
    };
  }],
  ["very long URL", 2, (rng) => {
    const n = rng.chance(0.7) ? rng.int(8200, 60_000) : rng.int(70_000, 400_000);
    const target = rng.pick(["/", PREDICT + "?", "/assets/", "/health?q="]) + "a".repeat(n);
    // The app answers 414; past the HTTP layer's own buffer, it refuses the request itself.
    return {
      req: { method: rng.pick(["GET", "POST"]), target },
      expect: [414, 400, 431],
      protocol: n > 60_000,
    };
  }],
  ["very long or many headers", 2, (rng) => {
    const k = rng.int(0, 2);
    const headers: [string, string][] = k === 0
      ? [["X-Long", "v".repeat(rng.int(1000, 60_000))]]
      : k === 1
      ? [["X-Long", "v".repeat(rng.int(200_000, 1_000_000))]]
      : Array.from({ length: rng.int(101, 2000) }, (_, i) => [`X-H${i}`, "v"]);
    return {
      req: { method: "GET", target: rng.pick(["/health", "/api/info", "/"]), headers },
      // Past its buffer the HTTP layer refuses the head itself; its header-count limit lies
      // somewhere above 100, so a hundred-odd headers may still be served.
      expect: k === 0 ? [200] : k === 1 ? [400, 431] : [200, 400, 431],
      protocol: k !== 0,
    };
  }],
  ["path traversal on every static route", 10, (rng) => {
    const prefix = rng.pick(STATIC_PREFIXES);
    const up = rng.pick(UP), sep = rng.pick(SEP);
    const target = prefix + Array(rng.int(1, 6)).fill(up + sep).join("") +
      rng.pick(TARGETS).replaceAll("/", sep);
    // A path the HTTP layer itself finds malformed (raw backslash) may be refused there.
    return {
      req: { method: rng.pick(["GET", "GET", "HEAD"]), target },
      expect: [400, 404],
      leakCheck: true,
      protocol: target.includes("\\"),
    };
  }],
  ["malformed percent-encoding in a path", 2, (rng) => {
    const bad = rng.pick(["%", "%z", "%zz", "%E0%A4%A", "%ff", "%c0", "%ed%a0%80", "%%30"]);
    const target = rng.pick(["/", "/assets/", "/docs/assets/", "/model/", "/v2/models/", "/v2/models/"]) +
      bad +
      rng.pick(["", "/ready", "/infer", ".js"]);
    return { req: { method: target.endsWith("/infer") ? "POST" : "GET", target }, expect: [400, 404, 405] };
  }],
  ["unusual methods", 2, (rng) => {
    // Any token is a valid method to the HTTP layer: some are random, as a client may send.
    const token = Array.from({ length: rng.int(3, 12) }, () => String.fromCharCode(65 + rng.int(0, 25))).join(
      "",
    );
    const method = rng.chance(0.4)
      ? token
      : rng.pick(["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "BREW"]);
    const target = rng.pick(["/", "/health", PREDICT, BATCH, "/api/info", "/v2/models/mnist/infer", "/nope"]);
    return { req: { method, target }, expect: [404, 405] };
  }],
  ["hostile request ids and origins", 1, (rng) => {
    const id = rng.pick([
      "",
      "a".repeat(5000),
      "../../etc",
      "<script>",
      "id\u0001x",
      "ok-id",
      "x".repeat(64),
    ]);
    return {
      req: {
        method: "GET",
        target: "/health",
        headers: [["X-Request-Id", id], [
          "Origin",
          rng.pick(["https://evil.example", "null", "http://127.0.0.1"]),
        ]],
      },
      // A control character is not allowed in a header value: the HTTP layer refuses it.
      expect: id.includes("\u0001") ? [400] : [200],
      protocol: id.includes("\u0001"),
    };
  }],
];

const TOTAL_WEIGHT = GENERATORS.reduce((n, [, w]) => n + w, 0);

/** Names of every case kind, in table order. */
export const KINDS: readonly string[] = GENERATORS.map(([k]) => k);

/**
 * Case `id` of the run seeded with `seed`.
 *
 * @param seed Run seed.
 * @param id Case index.
 * @param corpus Real inputs.
 * @returns The case.
 */
export function generateCase(seed: number, id: number, corpus: Corpus): FuzzCase {
  const rng = new Rng(seed, id + 1);
  let r = rng.int(0, TOTAL_WEIGHT - 1);
  for (const [kind, w, gen] of GENERATORS) {
    if (r < w) return { id, kind, ...gen(rng, corpus) };
    r -= w;
  }
  throw new RangeError("Generator weights do not cover the range");
}
