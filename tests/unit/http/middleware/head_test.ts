import assert from "node:assert/strict";
import { head } from "../../../../server/http/middleware/head.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

const body = () => Promise.resolve(new Response("hello", { headers: { "content-type": "text/plain" } }));

Deno.test("head() drops the body of a HEAD answer and keeps status and headers", async () => {
  const { res } = await runMiddleware(head(), new Request("http://x/", { method: "HEAD" }), body);
  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(res.headers.get("content-type"), "text/plain");
});

Deno.test("head() leaves other methods alone", async () => {
  const { res } = await runMiddleware(head(), new Request("http://x/"), body);
  assert.equal(await res.text(), "hello");
});
