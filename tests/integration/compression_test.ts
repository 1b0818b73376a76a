/**
 * Content coding over real HTTP against the real server: the build's precompressed
 * Brotli and gzip variants of the page's files (HTML, JS, CSS, the ORT `.wasm`) and of
 * the docs assets, and the live model's files, are sent as `Accept-Encoding` asks,
 * q-values honoured, with the variant's own `Content-Length` and `ETag`,
 * `Vary: Accept-Encoding`, and bytes that decompress to exactly the file. Read with a
 * raw socket, so nothing decodes for us.
 *
 * Run: `deno task build && deno test -A tests/integration/compression_test.ts`.
 * @module
 */

import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { rawRequest, type RawResponse } from "../support/raw_http.ts";
import { ROOT, type ServerHandle, startServer } from "../support/test_utils.ts";

const DIST = `${ROOT}web/dist/`;
const opts = { sanitizeOps: false, sanitizeResources: false };

/** The request header → the coding the server must answer with. */
const CASES: [string | undefined, "br" | "gzip" | undefined][] = [
  ["gzip, deflate, br, zstd", "br"], // Chromium
  ["br", "br"],
  ["gzip", "gzip"],
  ["x-gzip", "gzip"],
  ["br;q=0.5, gzip;q=0.8", "gzip"],
  ["br;q=0, *", "gzip"],
  ["gzip;q=0.2, identity;q=0.5", undefined],
  ["identity", undefined],
  ["", undefined],
  [undefined, undefined],
];

function get(srv: ServerHandle, target: string, headers: [string, string][] = [], method = "GET") {
  return rawRequest(srv.port, { method, target, headers }, 30_000);
}

const decode = (res: RawResponse): Uint8Array => {
  const coding = res.headers.get("content-encoding");
  if (coding === "br") return new Uint8Array(brotliDecompressSync(res.body));
  if (coding === "gzip") return new Uint8Array(gunzipSync(res.body));
  assert.equal(coding, null);
  return res.body;
};

/**
 * Every negotiation case on one URL.
 *
 * @param expected The bytes the URL stands for.
 * @param prebuilt The build's variant of a coding, when the server sends those very bytes.
 */
async function checkNegotiation(
  srv: ServerHandle,
  target: string,
  expected: Uint8Array,
  prebuilt?: (coding: "br" | "gzip") => string,
) {
  const tags = new Map<string, string>();
  for (const [accept, coding] of CASES) {
    const res = await get(srv, target, accept === undefined ? [] : [["Accept-Encoding", accept]]);
    const what = `${target} with Accept-Encoding ${JSON.stringify(accept)}`;
    assert.equal(res.status, 200, what);
    assert.equal(res.error, undefined, `${what}: ${res.error}`);
    assert.equal(res.headers.get("content-encoding"), coding ?? null, what);
    assert.equal(Number(res.headers.get("content-length")), res.body.length, what);
    assert.equal(res.headers.get("vary"), "Accept-Encoding", what);
    assert.deepEqual(decode(res), expected, `${what}: decodes to the file`);
    if (coding) assert.ok(res.body.length < expected.length, `${what}: smaller than the file`);
    // The very bytes the build wrote: nothing is compressed per request.
    if (coding && prebuilt) assert.deepEqual(res.body, await Deno.readFile(prebuilt(coding)));
    const etag = res.headers.get("etag")!;
    const seen = tags.get(coding ?? "identity");
    assert.ok(seen === undefined || seen === etag, `${what}: one tag per coding`);
    tags.set(coding ?? "identity", etag);
  }
  assert.equal(new Set(tags.values()).size, 3, `${target}: br, gzip and identity have their own ETags`);

  // A cached variant is revalidated by its own tag; another coding's tag does not match.
  const br = [["Accept-Encoding", "br"]] as [string, string][];
  const notModified = await get(srv, target, [...br, ["If-None-Match", tags.get("br")!]]);
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.get("etag"), tags.get("br"));
  assert.equal(notModified.headers.get("vary"), "Accept-Encoding");
  const other = await get(srv, target, [...br, ["If-None-Match", tags.get("gzip")!]]);
  assert.equal(other.status, 200);
  assert.equal(other.headers.get("content-encoding"), "br");

  const head = await get(srv, target, br, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-encoding"), "br");
  assert.equal(
    Number(head.headers.get("content-length")),
    (await get(srv, target, br)).body.length,
    "HEAD: the Brotli variant's length",
  );

  const refused = await get(srv, target, [["Accept-Encoding", "br;q=0, gzip;q=0, identity;q=0"]]);
  assert.equal(refused.status, 406, `${target}: nothing acceptable`);
}

Deno.test({
  name: "static files, docs assets and the model are sent compressed: Brotli, then gzip, then identity",
  ...opts,
  async fn(t) {
    const srv = await startServer({ WATCH_MODELS: "false" });
    try {
      const assets = [...Deno.readDirSync(`${DIST}assets`)].map((e) => e.name);
      const pick = (re: RegExp) => {
        const name = assets.find((n) => re.test(n));
        assert.ok(name, `web/dist/assets has a file matching ${re}`);
        return `assets/${name}`;
      };
      const files = [
        pick(/^ort-wasm-simd-threaded-[0-9a-f]+\.wasm$/),
        pick(/^main-[A-Z0-9]+\.js$/),
        pick(/^ort\.webgl\.min-[A-Z0-9]+\.js$/),
        pick(/^styles-[A-Z0-9]+\.css$/),
        "sw.js",
        "docs-assets/swagger-ui-bundle.js",
        "docs-assets/swagger-ui.css",
        "docs-assets/redoc.standalone.js",
      ];
      for (const file of files) {
        await t.step(`/${file}`, async () => {
          const bytes = await Deno.readFile(DIST + file);
          await checkNegotiation(srv, `/${file}`, bytes, (c) => `${DIST}${file}.${c === "br" ? "br" : "gz"}`);
        });
      }

      // The live model (MODEL_DIR, default models/), compressed by the server once per model version.
      const meta = JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`));
      for (const file of ["convnet.json", meta.file]) {
        await t.step(`/model/${file}`, async () => {
          await checkNegotiation(srv, `/model/${file}`, await Deno.readFile(`${ROOT}models/${file}`));
        });
      }

      await t.step("the page at / (Accept: text/html) is index.html, precompressed", async () => {
        const res = await get(srv, "/", [["Accept", "text/html"], ["Accept-Encoding", "br"]]);
        assert.equal(res.headers.get("content-encoding"), "br");
        assert.deepEqual(decode(res), await Deno.readFile(`${DIST}index.html`));
      });

      await t.step("/docs and /redoc load only files served with Brotli when accepted", async () => {
        for (const page of ["/docs", "/redoc"]) {
          const html = new TextDecoder().decode((await get(srv, page)).body);
          const vendored = [...html.matchAll(/(?:src|href)="(docs-assets\/[^"]+)"/g)].map((m) => m[1]);
          assert.ok(vendored.length > 0, `${page} links the built docs assets`);
          for (const rel of vendored) {
            const res = await get(srv, `/${rel}`, [["Accept-Encoding", "gzip, deflate, br"]]);
            assert.equal(res.status, 200, rel);
            assert.equal(res.headers.get("content-encoding"), "br", rel);
          }
        }
      });

      await t.step("/favicon.ico is a real icon", async () => {
        const res = await get(srv, "/favicon.ico");
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "image/x-icon");
        assert.deepEqual([...res.body.subarray(0, 4)], [0, 0, 1, 0], "ICO header");
      });
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  },
});
