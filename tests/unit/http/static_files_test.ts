import assert from "node:assert/strict";
import {
  createStaticHandler,
  etagMatches,
  mimeOf,
  negotiateEncoding,
} from "../../../server/http/static_files.ts";

const ALL = ["br", "gzip", "identity"] as const;

Deno.test("negotiateEncoding() takes the highest q, ties to Brotli, then gzip, then identity", () => {
  const cases: [string | null, readonly ("br" | "gzip" | "identity")[], string | undefined][] = [
    ["gzip, deflate, br, zstd", ALL, "br"],
    ["gzip, deflate", ALL, "gzip"],
    ["GZIP", ALL, "gzip"],
    ["x-gzip", ALL, "gzip"],
    ["br;q=0.5, gzip;q=0.8", ALL, "gzip"],
    ["br;q=0.9, gzip;q=0.9", ALL, "br"],
    ["br ; q=1.0, gzip", ALL, "br"],
    ["*", ALL, "br"],
    ["br;q=0, *;q=0.3", ALL, "gzip"],
    ["gzip;q=0.1, identity;q=0.5", ALL, "identity"],
    ["br", ["gzip", "identity"], "identity"],
    ["gzip, br", ["identity"], "identity"],
    ["", ALL, "identity"],
    [null, ALL, "identity"],
    ["deflate", ALL, "identity"],
    ["br;q=0, gzip;q=0", ALL, "identity"],
    ["identity;q=0", ["identity"], undefined],
    ["*;q=0", ALL, undefined],
    ["br, *;q=0", ["gzip", "identity"], undefined],
    ["gzip;q=nonsense, br;q=0.1", ALL, "br"],
  ];
  for (const [header, available, expected] of cases) {
    assert.equal(negotiateEncoding(header, available), expected, `${JSON.stringify(header)} of ${available}`);
  }
});

Deno.test("etagMatches() compares weakly, takes lists and *", () => {
  assert.ok(etagMatches('"a-br"', '"a-br"'));
  assert.ok(etagMatches('W/"a-br"', '"a-br"'));
  assert.ok(etagMatches('"x", "a-br"', '"a-br"'));
  assert.ok(etagMatches("*", '"a"'));
  assert.ok(!etagMatches('"a-gzip"', '"a-br"'));
  assert.ok(!etagMatches(null, '"a"'));
});

Deno.test("mimeOf() names the type by extension, case-insensitively", () => {
  assert.equal(mimeOf("a/b.WASM"), "application/wasm");
  assert.equal(mimeOf("favicon.ico"), "image/x-icon");
  assert.equal(mimeOf("api/info"), "application/octet-stream");
});

Deno.test("createStaticHandler() sends a variant only when it exists, lies under the root and is not stale", async () => {
  const root = await Deno.makeTempDir({ prefix: "static-" });
  const outside = await Deno.makeTempDir({ prefix: "static-out-" });
  try {
    const text = "x".repeat(4000);
    await Deno.writeTextFile(`${root}/a.js`, text);
    await Deno.writeTextFile(`${root}/a.js.br`, "BR");
    await Deno.writeTextFile(`${root}/a.js.gz`, "GZ");
    await Deno.writeTextFile(`${root}/plain.js`, text);
    // A variant left from an earlier build: older than its file.
    await Deno.writeTextFile(`${root}/old.js`, text);
    await Deno.writeTextFile(`${root}/old.js.br`, "OLD");
    await Deno.utime(`${root}/old.js.br`, new Date(2000, 0, 1), new Date(2000, 0, 1));
    // A variant that is a symlink out of the root.
    await Deno.writeTextFile(`${root}/link.js`, text);
    await Deno.writeTextFile(`${outside}/secret`, "SECRET");
    await Deno.symlink(`${outside}/secret`, `${root}/link.js.br`);

    const files = createStaticHandler(root);
    const get = async (name: string, accept: string) => {
      const res = await files(new Request(`http://x/${name}`, { headers: { "accept-encoding": accept } }), [
        name,
      ]);
      assert.ok(res, name);
      return { res, body: await res.text() };
    };
    let { res, body } = await get("a.js", "gzip, br");
    assert.equal(body, "BR");
    assert.equal(res.headers.get("content-encoding"), "br");
    assert.equal(res.headers.get("content-length"), "2");
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    ({ res, body } = await get("a.js", "gzip"));
    assert.equal(body, "GZ");
    ({ res, body } = await get("plain.js", "gzip, br"));
    assert.equal(body, text);
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(res.headers.get("vary"), null, "no choice, no Vary");
    ({ res, body } = await get("old.js", "br"));
    assert.equal(body, text, "a stale variant is ignored");
    ({ res, body } = await get("link.js", "br"));
    assert.equal(body, text, "a variant outside the root is ignored");
    assert.equal(await files(new Request("http://x/none.js"), ["none.js"]), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
