import assert from "node:assert/strict";
import { cors } from "../../../../server/http/middleware/cors.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

const from = (origin: string, method = "GET") => new Request("http://x/", { method, headers: { origin } });

Deno.test("cors() sends no CORS header when no origin is configured", async () => {
  const { res } = await runMiddleware(cors(), from("https://a.example"));
  assert.equal(res.headers.get("access-control-allow-origin"), null);
});

Deno.test("cors() names an allowed origin, with Vary, and no other", async () => {
  const mw = cors({ origins: ["https://a.example"] });
  const ok = (await runMiddleware(mw, from("https://a.example"))).res;
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://a.example");
  assert.equal(ok.headers.get("vary"), "Origin");
  assert.match(ok.headers.get("access-control-expose-headers") ?? "", /inference-header-content-length/);
  const other = (await runMiddleware(mw, from("https://b.example"))).res;
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});

Deno.test("cors() with * answers any origin with *", async () => {
  const { res } = await runMiddleware(cors({ origins: ["*"] }), from("https://z.example"));
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
});

Deno.test("cors() answers a preflight itself, 204, with the allowed methods and headers", async () => {
  const { res, reached, state } = await runMiddleware(
    cors({ origins: ["https://a.example"] }),
    from("https://a.example", "OPTIONS"),
  );
  assert.equal(res.status, 204);
  assert.equal(reached, false);
  assert.equal(state.route, "preflight");
  assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST, OPTIONS");
  assert.match(res.headers.get("access-control-allow-headers") ?? "", /content-type/);
  const off = await runMiddleware(cors(), from("https://a.example", "OPTIONS"));
  assert.equal(off.res.status, 204);
  assert.equal(off.res.headers.get("access-control-allow-methods"), null);
});
