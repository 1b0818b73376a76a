import assert from "node:assert/strict";
import { createDrainGate } from "../../../../server/cluster/drain.ts";
import { compose } from "../../../../server/http/compose.ts";
import { freshState } from "../../../support/middleware_harness.ts";
import { HttpError } from "../../../../server/http/errors.ts";
import { drainGate } from "../../../../server/http/middleware/drain_gate.ts";

const limits = { maxBytes: 1024, timeoutMs: 5000 };
const post = (body: BodyInit) => new Request("http://x/up", { method: "POST", body });

/** A chain of the gate and an endpoint that reads the body it is given. */
function chain() {
  const gate = createDrainGate();
  const seen: Request[] = [];
  const run = compose([drainGate({ gate, limits })], async (req) => {
    seen.push(req);
    return new Response(`${req.method} ${req.body ? (await req.arrayBuffer()).byteLength : "none"}`);
  });
  return { gate, seen, run };
}

Deno.test("drainGate() passes requests through an open gate unchanged and counts each arrival", async () => {
  const { gate, seen, run } = chain();
  const req = post("hello");
  assert.equal(await (await run(req, freshState())).text(), "POST 5");
  assert.equal(await (await run(new Request("http://x/"), freshState())).text(), "GET none");
  assert.equal(seen[0], req, "the same request object");
  assert.equal(gate.arrivals, 2);
});

Deno.test("drainGate() counts a request with a body as unsettled until it is answered", async () => {
  const gate = createDrainGate();
  const { promise: answered, resolve: answer } = Promise.withResolvers<Response>();
  const run = compose([drainGate({ gate, limits })], () => answered);
  const pending = run(post("x"), freshState());
  await Promise.resolve();
  assert.equal(gate.unsettled, 1);
  let settled = false;
  const whenSettled = gate.settled().then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(settled, false);
  answer(new Response("done"));
  await pending;
  await whenSettled;
  assert.equal(gate.unsettled, 0);
});

Deno.test("drainGate() holds requests at a closed gate with their bodies read, and lets them on when it opens", async () => {
  const { gate, seen, run } = chain();
  gate.close();
  const original = post("a body read early");
  const pending = [run(original, freshState()), run(new Request("http://x/ready"), freshState())];
  // Both arrive and wait; the body is already in memory.
  while (gate.waiting < 2) await new Promise((r) => setTimeout(r, 0));
  assert.equal(seen.length, 0, "nothing past the gate yet");
  assert.equal(original.bodyUsed, true, "the body was read at the gate");
  assert.equal(gate.unsettled, 0, "nothing left on the connection");
  gate.open();
  const [withBody, without] = await Promise.all(pending.map(async (p) => await (await p).text()));
  assert.equal(withBody, "POST 17");
  assert.equal(without, "GET none");
  const copy = seen.find((r) => r.method === "POST")!;
  assert.notEqual(copy, original, "a copy whose body comes from memory");
  assert.equal(copy.headers.get("content-type"), original.headers.get("content-type"));
  assert.equal(copy.url, original.url);
});

Deno.test("drainGate() answers a held body over the limit with the body reader's 413, without holding it", async () => {
  const { gate, run } = chain();
  gate.close();
  await assert.rejects(
    run(post(new Uint8Array(2048)), freshState()),
    (e) => e instanceof HttpError && e.status === 413,
  );
  assert.equal(gate.waiting, 0);
  assert.equal(gate.unsettled, 0);
});

Deno.test("drainGate() answers 503 with Retry-After past maxHeld held requests", async () => {
  const gate = createDrainGate();
  const run = compose([drainGate({ gate, limits, maxHeld: 2 })], () => Promise.resolve(new Response("ok")));
  gate.close();
  const held = [run(new Request("http://x/"), freshState()), run(new Request("http://x/"), freshState())];
  await assert.rejects(
    run(new Request("http://x/"), freshState()),
    (e) => e instanceof HttpError && e.status === 503 && e.headers["retry-after"] === "1",
  );
  gate.open();
  for (const r of await Promise.all(held)) assert.equal(await r.text(), "ok");
});
