import assert from "node:assert/strict";
import { PAGE_CSP, securityHeaders } from "../../../../server/http/middleware/security_headers.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

Deno.test("securityHeaders() sets nosniff, isolation and the page's CSP", async () => {
  const { res } = await runMiddleware(securityHeaders(), new Request("http://x/"));
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  assert.equal(res.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.equal(res.headers.get("content-security-policy"), PAGE_CSP);
});

Deno.test("securityHeaders() keeps a header the route set itself", async () => {
  const { res } = await runMiddleware(
    securityHeaders(),
    new Request("http://x/"),
    () => Promise.resolve(new Response("", { headers: { "content-security-policy": "default-src 'none'" } })),
  );
  assert.equal(res.headers.get("content-security-policy"), "default-src 'none'");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});
