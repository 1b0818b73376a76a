import assert from "node:assert/strict";
import { observe } from "../../../../server/http/middleware/observe.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

function recorder() {
  const counted: Record<string, string>[] = [];
  const timed: string[] = [];
  const logged: [string, string, Record<string, unknown>][] = [];
  return {
    counted,
    timed,
    logged,
    options: {
      metrics: {
        requests: { inc: (l: Record<string, string>) => counted.push(l) },
        requestSeconds: { observe: (l: { route: string }, s: number) => timed.push(`${l.route} ${s >= 0}`) },
      },
      log: {
        debug: (m: string, f: Record<string, unknown>) => logged.push(["debug", m, f]),
        warn: (m: string, f: Record<string, unknown>) => logged.push(["warn", m, f]),
      },
    },
  };
}

Deno.test("observe() counts each request by route, method and status, and times it", async () => {
  const r = recorder();
  await runMiddleware(observe(r.options), new Request("http://x/", { method: "POST" }), (_req, s) => {
    s.route = "/api/v1/predict";
    return Promise.resolve(new Response("", { status: 201 }));
  });
  assert.deepEqual(r.counted, [{ route: "/api/v1/predict", method: "POST", status: "201" }]);
  assert.deepEqual(r.timed, ["/api/v1/predict true"]);
  assert.equal(r.logged[0][0], "debug");
});

Deno.test("observe() labels unknown methods OTHER and warns on 5xx with the request id", async () => {
  const r = recorder();
  await runMiddleware(
    observe(r.options),
    new Request("http://x/", { method: "BREW" }),
    () => Promise.resolve(new Response("", { status: 503 })),
  );
  assert.equal(r.counted[0].method, "OTHER");
  assert.deepEqual(r.logged[0].slice(0, 2), ["warn", "request failed"]);
  assert.equal(r.logged[0][2].request_id, "test-id");
});
