import assert from "node:assert/strict";
import { compose } from "../../../server/http/compose.ts";
import { HttpError } from "../../../server/http/errors.ts";
import { route, router } from "../../../server/http/router.ts";
import { freshState } from "../../support/middleware_harness.ts";

const routes = [
  route("GET", "/items/{id}", (_r, ctx: string, id) => new Response(`${ctx}:${id}`)),
  route("POST", "/items/{id}", () => new Response("posted"), { heavy: true }),
  route("GET", "/health", () => new Response("up")),
];
const run = (req: Request) => {
  const state = freshState();
  const app = compose(
    [router({ routes, ctx: "ctx", fallback: (_r, p) => Promise.resolve(new Response(`static ${p}`)) })],
    (_r, s) => s.answer!(),
  );
  return { state, res: app(req, state) };
};

Deno.test("router() matches method and path, passes decoded params and labels the route", async () => {
  const { state, res } = run(new Request("http://x/items/a%20b"));
  assert.equal(await (await res).text(), "ctx:a b");
  assert.equal(state.route, "/items/{id}");
  assert.equal(state.heavy, false);
  const post = run(new Request("http://x/items/1", { method: "POST" }));
  assert.equal(await (await post.res).text(), "posted");
  assert.equal(post.state.heavy, true);
});

Deno.test("router() answers HEAD as GET", async () => {
  const { res } = run(new Request("http://x/health", { method: "HEAD" }));
  assert.equal((await res).status, 200);
});

Deno.test("router() throws 405 with Allow for a known path, 404 for other methods, static for GETs", async () => {
  const put = run(new Request("http://x/items/1", { method: "PUT" }));
  await assert.rejects(
    () => put.res,
    (e) => e instanceof HttpError && e.status === 405 && e.headers.allow === "GET, POST",
  );
  assert.equal(put.state.route, "method_not_allowed");
  const del = run(new Request("http://x/elsewhere", { method: "DELETE" }));
  await assert.rejects(() => del.res, (e) => e instanceof HttpError && e.status === 404);
  const get = run(new Request("http://x/a/b.txt"));
  assert.equal(await (await get.res).text(), "static /a/b.txt");
  assert.equal(get.state.route, "static");
});

Deno.test("router() refuses malformed percent-encoding in a parameter with 400", async () => {
  const { res } = run(new Request("http://x/items/%E0%A4%A"));
  await assert.rejects(() => res, (e) => e instanceof HttpError && e.status === 400);
});

Deno.test("route() matches literal parts literally: a dot is a dot", () => {
  const r = route("GET", "/openapi.json", () => new Response());
  assert.ok(r.pattern.test("/openapi.json"));
  assert.ok(!r.pattern.test("/openapiXjson"));
  assert.ok(
    route("GET", "/v2/models/{name}/ready", () => new Response()).pattern.test("/v2/models/mnist/ready"),
  );
});
