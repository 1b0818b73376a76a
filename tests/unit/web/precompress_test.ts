import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { precompress } from "../../../web/precompress.ts";

const dirUrl = (path: string) => new URL(`file://${path}/`);

Deno.test("precompress() writes .br and .gz beside compressible files that they shrink, and caches them", async () => {
  const root = await Deno.makeTempDir({ prefix: "precompress-" });
  const site = `${root}/site`, cache = `${root}/cache`;
  try {
    await Deno.mkdir(`${site}/assets`, { recursive: true });
    const js = new TextEncoder().encode("export const x = 1;\n".repeat(400));
    const random = crypto.getRandomValues(new Uint8Array(4096)); // does not shrink
    await Deno.writeFile(`${site}/assets/app.js`, js);
    await Deno.writeFile(`${site}/noise.wasm`, random);
    await Deno.writeTextFile(`${site}/tiny.css`, "a{}"); // too small to bother
    await Deno.writeFile(`${site}/icon.png`, js); // not a compressible type

    const result = await precompress(dirUrl(site), dirUrl(cache));
    assert.deepEqual(result.map((r) => r.file).sort(), ["assets/app.js", "noise.wasm"]);
    const app = result.find((r) => r.file === "assets/app.js")!;
    assert.ok(app.br! < app.gzip! && app.gzip! < js.length, JSON.stringify(app));
    assert.deepEqual(
      new Uint8Array(brotliDecompressSync(await Deno.readFile(`${site}/assets/app.js.br`))),
      js,
    );
    assert.deepEqual(new Uint8Array(gunzipSync(await Deno.readFile(`${site}/assets/app.js.gz`))), js);
    const written = [...Deno.readDirSync(site)].map((e) => e.name).sort();
    assert.deepEqual(written, ["assets", "icon.png", "noise.wasm", "tiny.css"], "nothing for the rest");
    // Variants are never older than their file (the server ignores older ones).
    const mtime = async (p: string) => (await Deno.stat(p)).mtime!.getTime();
    assert.ok(await mtime(`${site}/assets/app.js.br`) >= await mtime(`${site}/assets/app.js`));

    // A second build takes the cached output for the same bytes instead of compressing again.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", js));
    const entry = `${cache}/${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}.br`;
    assert.equal((await Deno.stat(entry)).size, app.br, "the Brotli output is cached by content");
    await Deno.writeTextFile(entry, "cached");
    await precompress(dirUrl(site), dirUrl(cache));
    assert.equal(await Deno.readTextFile(`${site}/assets/app.js.br`), "cached");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
