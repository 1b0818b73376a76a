import assert from "node:assert/strict";
import { compose } from "../../../../server/http/compose.ts";
import { freshState } from "../../../support/middleware_harness.ts";
import { connectionClose } from "../../../../server/http/middleware/connection_close.ts";

Deno.test("connectionClose() adds Connection: close only while its condition holds", async () => {
  let draining = false;
  const run = compose([connectionClose({ when: () => draining })], () => Promise.resolve(new Response("ok")));
  const before = await run(new Request("http://x/"), freshState());
  assert.equal(before.headers.get("connection"), null);
  draining = true;
  const during = await run(new Request("http://x/"), freshState());
  assert.equal(during.headers.get("connection"), "close");
  assert.equal(await during.text(), "ok");
});

Deno.test("connectionClose() decides when the response leaves, so a request that began before draining closes too", async () => {
  let draining = false;
  const { promise: answered, resolve: answer } = Promise.withResolvers<Response>();
  const run = compose([connectionClose({ when: () => draining })], () => answered);
  const pending = run(new Request("http://x/"), freshState());
  draining = true;
  answer(new Response("late", { status: 503 }));
  const res = await pending;
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("connection"), "close");
});
