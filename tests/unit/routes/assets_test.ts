import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Context } from "../../../server/cluster/context.ts";
import { HttpError } from "../../../server/http/errors.ts";
import { modelFile, modelVariants } from "../../../server/routes/assets.ts";
import { ROOT } from "../../support/test_utils.ts";

const json = await Deno.readTextFile(`${ROOT}models/convnet.json`);
const metadata = JSON.parse(json);
const onnx = await Deno.readFile(`${ROOT}models/${metadata.file}`);

/** A context whose store serves `files` (only what modelFile reads). */
const ctxWith = (files: { json: string; onnx: Uint8Array }) =>
  ({ store: { ready: true, files, current: { metadata: JSON.parse(files.json) } } }) as unknown as Context;

const get = (ctx: Context, file: string, headers: Record<string, string> = {}) =>
  modelFile(new Request(`http://x/model/${file}`, { headers }), ctx, file);

Deno.test("modelFile() sends the live model in Brotli, gzip or identity, each with its own ETag", async () => {
  const ctx = ctxWith({ json, onnx });
  for (
    const [file, bytes] of [["convnet.json", new TextEncoder().encode(json)], [metadata.file, onnx]] as const
  ) {
    const tags = new Set<string>();
    for (
      const [accept, coding] of [["gzip, deflate, br", "br"], ["gzip", "gzip"], ["identity", null]] as const
    ) {
      const res = await get(ctx, file, { "accept-encoding": accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-encoding"), coding, `${file} for ${accept}`);
      assert.equal(res.headers.get("vary"), "Accept-Encoding");
      assert.equal(res.headers.get("cache-control"), "no-cache");
      const body = new Uint8Array(await res.arrayBuffer());
      assert.equal(Number(res.headers.get("content-length")), body.length);
      const decoded = coding === "br"
        ? brotliDecompressSync(body)
        : coding === "gzip"
        ? gunzipSync(body)
        : body;
      assert.deepEqual(new Uint8Array(decoded), bytes, `${file} for ${accept}`);
      tags.add(res.headers.get("etag")!);
      const again = await get(ctx, file, {
        "accept-encoding": accept,
        "if-none-match": res.headers.get("etag")!,
      });
      assert.equal(again.status, 304);
    }
    assert.equal(tags.size, 3);
    // Identity keeps the tag it always had, so caches from before stay valid.
    assert.ok(tags.has(`"${metadata.sha256}-${file === "convnet.json" ? "json" : "onnx"}"`));
  }
});

Deno.test("modelVariants() compresses each model version once, and a reloaded model anew", async () => {
  const files = { json, onnx };
  const first = modelVariants(files, "onnx", metadata.sha256);
  assert.equal(modelVariants(files, "onnx", metadata.sha256), first, "the same forms, not compressed again");
  assert.ok(first.br && first.gzip && first.br.size < onnx.length);
  const reloaded = { json: json.replace(`"version": "${metadata.version}"`, `"version": "9.9.9"`), onnx };
  assert.notEqual(reloaded.json, json);
  const next = await get(ctxWith(reloaded), "convnet.json", { "accept-encoding": "br" });
  const text = new TextDecoder().decode(brotliDecompressSync(new Uint8Array(await next.arrayBuffer())));
  assert.equal(text, reloaded.json);
});

Deno.test("modelFile() answers 404 for other names and before a model is loaded", async () => {
  await assert.rejects(
    () => get(ctxWith({ json, onnx }), "other.onnx"),
    (e) => e instanceof HttpError && e.status === 404,
  );
  const empty = { store: { ready: false, files: undefined } } as unknown as Context;
  await assert.rejects(() => get(empty, "convnet.json"), (e) => e instanceof HttpError && e.status === 404);
});
