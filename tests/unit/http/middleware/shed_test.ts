import assert from "node:assert/strict";
import { HttpError } from "../../../../server/http/errors.ts";
import { compose } from "../../../../server/http/compose.ts";
import { shed } from "../../../../server/http/middleware/shed.ts";
import { freshState } from "../../../support/middleware_harness.ts";

function setup(limit: number, ready = true) {
  const counter = { inflight: 0 };
  let shedCount = 0;
  const seen: number[] = [];
  const run = compose([shed({ limit, counter, ready: () => ready, onShed: () => shedCount++ })], () => {
    seen.push(counter.inflight);
    return Promise.resolve(new Response("ran"));
  });
  const call = (heavy: boolean) => run(new Request("http://x/"), { ...freshState(), heavy });
  return { counter, call, seen, shed: () => shedCount };
}

Deno.test("shed() counts heavy requests while they run and lets light ones through uncounted", async () => {
  const s = setup(2);
  await s.call(true);
  await s.call(false);
  assert.deepEqual(s.seen, [1, 0]);
  assert.equal(s.counter.inflight, 0);
});

Deno.test("shed() answers 503 with Retry-After at the limit, and counts it", async () => {
  const s = setup(1);
  s.counter.inflight = 1;
  await assert.rejects(
    () => s.call(true),
    (e) => e instanceof HttpError && e.status === 503 && e.headers["retry-after"] === "1",
  );
  assert.equal(s.shed(), 1);
  assert.equal((await s.call(false)).status, 200);
});

Deno.test("shed() refuses heavy requests before the model is ready, and releases the count after a throw", async () => {
  const s = setup(5, false);
  await assert.rejects(() => s.call(true), (e) => e instanceof HttpError && /not loaded/.test(e.detail));
  const counter = { inflight: 0 };
  const failing = compose(
    [shed({ limit: 5, counter, ready: () => true })],
    () => Promise.reject(new Error("x")),
  );
  await assert.rejects(() => failing(new Request("http://x/"), { ...freshState(), heavy: true }));
  assert.equal(counter.inflight, 0);
});
