import assert from "node:assert/strict";
import { compose, type Middleware } from "../../../server/http/compose.ts";
import { freshState } from "../../support/middleware_harness.ts";

const ok = () => Promise.resolve(new Response("end"));

Deno.test("compose() runs middlewares in order around the endpoint", async () => {
  const seen: string[] = [];
  const step = (name: string): Middleware => async (_req, _s, next) => {
    seen.push(`${name} in`);
    const res = await next();
    seen.push(`${name} out`);
    return res;
  };
  const res = await compose([step("a"), step("b")], () => {
    seen.push("endpoint");
    return ok();
  })(new Request("http://x/"), freshState());
  assert.equal(await res.text(), "end");
  assert.deepEqual(seen, ["a in", "b in", "endpoint", "b out", "a out"]);
});

Deno.test("compose() lets a middleware answer without calling next()", async () => {
  let reached = false;
  const res = await compose([() => Promise.resolve(new Response("early", { status: 202 }))], () => {
    reached = true;
    return ok();
  })(new Request("http://x/"), freshState());
  assert.equal(res.status, 202);
  assert.equal(reached, false);
});

Deno.test("compose() refuses next() called twice", async () => {
  const twice: Middleware = async function twice(_req, _s, next) {
    await next();
    return await next();
  };
  await assert.rejects(
    () => compose([twice], ok)(new Request("http://x/"), freshState()),
    /next\(\) called more than once \(in twice\)/,
  );
});

Deno.test("compose() turns a synchronous throw into a rejection", async () => {
  const boom: Middleware = () => {
    throw new RangeError("boom");
  };
  await assert.rejects(() => compose([boom], ok)(new Request("http://x/"), freshState()), RangeError);
});

Deno.test("compose() hands the rest of the chain the request given to next()", async () => {
  const replace: Middleware = (req, _s, next) => next(new Request(`${req.url}replaced`));
  const seen: string[] = [];
  const spy: Middleware = (req, _s, next) => (seen.push(req.url), next());
  const run = compose([spy, replace, spy], (req) => Promise.resolve(new Response(req.url)));
  const res = await run(new Request("http://x/"), freshState());
  assert.equal(await res.text(), "http://x/replaced");
  assert.deepEqual(seen, ["http://x/", "http://x/replaced"]);
});
