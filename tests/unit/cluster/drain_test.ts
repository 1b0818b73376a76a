import assert from "node:assert/strict";
import { createDrainGate, whenQuiet } from "../../../server/cluster/drain.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("createDrainGate() lets requests through while open and holds them while closed", async () => {
  const gate = createDrainGate();
  assert.equal(gate.pass(), undefined);
  gate.close();
  let through = 0;
  const held = [gate.pass()!, gate.pass()!].map((p) => p.then(() => through++));
  await tick();
  assert.deepEqual([through, gate.waiting], [0, 2]);
  gate.open();
  await Promise.all(held);
  assert.deepEqual([through, gate.waiting], [2, 0]);
  assert.equal(gate.pass(), undefined, "open again");
});

Deno.test("createDrainGate() reports the next arrival and when the unsettled work is done", async () => {
  const gate = createDrainGate();
  const next = gate.nextArrival();
  gate.arrive();
  await next;
  assert.equal(gate.arrivals, 1);
  await gate.settled(); // nothing unsettled: at once
  const work = Promise.withResolvers<string>();
  const settling = gate.settle(work.promise);
  assert.equal(gate.unsettled, 1);
  let settled = false;
  const waiting = gate.settled().then(() => (settled = true));
  await tick();
  assert.equal(settled, false);
  work.reject(new Error("client went away"));
  await assert.rejects(settling, /client went away/);
  await waiting;
  assert.equal(gate.unsettled, 0);
});

Deno.test("whenQuiet() waits for a stretch with no arrival, restarting at each one", async () => {
  const gate = createDrainGate();
  let quiet = false;
  const waiting = whenQuiet(gate, { quietMs: 60, tickMs: 5 }).then((q) => (quiet = q));
  // Arrivals keep it busy; each restarts the stretch.
  const until = performance.now() + 150;
  while (performance.now() < until) {
    gate.arrive();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(quiet, false);
  }
  assert.equal(await waiting, true);
});

Deno.test("whenQuiet() does not count time while work still reads a body, or while the loop is blocked", async () => {
  const gate = createDrainGate();
  const body = Promise.withResolvers<void>();
  gate.settle(body.promise);
  let quiet = false;
  const waiting = whenQuiet(gate, { quietMs: 40, tickMs: 5 }).then((q) => (quiet = q));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(quiet, false, "a body is still coming in");
  body.resolve();
  // Block the loop longer than the quiet stretch: that time must not count.
  const blockedUntil = performance.now() + 80;
  while (performance.now() < blockedUntil) { /* busy */ }
  await tick();
  assert.equal(quiet, false, "the blocked stretch did not count");
  assert.equal(await waiting, true);
});

Deno.test("whenQuiet() stops with false when its signal aborts", async () => {
  const gate = createDrainGate();
  const stop = new AbortController();
  const waiting = whenQuiet(gate, { quietMs: 10_000, signal: stop.signal });
  stop.abort();
  assert.equal(await waiting, false);
  assert.equal(await whenQuiet(gate, { signal: stop.signal }), false, "already aborted");
});
