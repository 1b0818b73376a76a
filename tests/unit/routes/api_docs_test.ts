import assert from "node:assert/strict";
import { docsAsset, REDOC_HTML, SWAGGER_HTML } from "../../../server/routes/api_docs.ts";
import { docsSlash } from "../../../server/routes/assets.ts";

Deno.test("docsSlash() redirects /docs/ permanently to ../docs, keeping the query", () => {
  const res = docsSlash(new Request("http://x/docs/?tag=v2"));
  assert.equal(res.status, 308);
  assert.equal(res.headers.get("location"), "../docs?tag=v2");
  assert.equal(new URL(res.headers.get("location")!, "http://x/docs/").href, "http://x/docs?tag=v2");
  assert.equal(docsSlash(new Request("http://x/docs/")).headers.get("location"), "../docs");
});

Deno.test("docsAsset() serves the start-up scripts the pages name, nothing else", async () => {
  for (const html of [SWAGGER_HTML, REDOC_HTML]) {
    for (const [, name] of html.matchAll(/src="docs\/assets\/([^"]+)"/g)) {
      const res = docsAsset(name);
      assert.ok(res, name);
      assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
      assert.match(await res.text(), /openapi\.json/);
    }
  }
  assert.equal(docsAsset("swagger-ui-bundle.js"), undefined, "vendored files are static, in docs-assets/");
  assert.equal(docsAsset("toString"), undefined);
});
