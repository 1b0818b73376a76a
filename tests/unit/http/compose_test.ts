import assert from "node:assert/strict";
import { compose, type Middleware } from "../../../server/http/compose.ts";

const state = () => ({ requestId: "", route: "", start: 0, heavy: false });

Deno.test("compose() runs middlewares in order and refuses next() called twice", async () => {
  const order: string[] = [];
  const a: Middleware = async (_req, _s, next) => (order.push("a"), await next());
  const twice: Middleware = async function twice(_req, _s, next) {
    await next();
    return await next();
  };
  assert.equal(
    await (await compose([a], () => Promise.resolve(new Response("end")))(new Request("http://x/"), state()))
      .text(),
    "end",
  );
  assert.deepEqual(order, ["a"]);
  await assert.rejects(
    compose([twice], () => Promise.resolve(new Response()))(new Request("http://x/"), state()),
    /next\(\) called more than once \(in twice\)/,
  );
});

Deno.test("compose() hands the rest of the chain the request given to next()", async () => {
  const replace: Middleware = (req, _s, next) => next(new Request(`${req.url}replaced`));
  const seen: string[] = [];
  const spy: Middleware = (req, _s, next) => (seen.push(req.url), next());
  const run = compose([spy, replace, spy], (req) => Promise.resolve(new Response(req.url)));
  const res = await run(new Request("http://x/"), state());
  assert.equal(await res.text(), "http://x/replaced");
  assert.deepEqual(seen, ["http://x/", "http://x/replaced"]);
});
