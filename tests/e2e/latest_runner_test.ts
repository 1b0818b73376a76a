/**
 * `web/latest_runner.ts`: one run at a time, stale requests dropped, errors reported.
 * Lives beside the e2e tests because it tests a `web/` module.
 * @module
 */

import assert from "node:assert/strict";
import { latestRunner } from "../../web/latest_runner.ts";

Deno.test("latestRunner() runs one task at a time and only the newest waiting value", async () => {
  const ran: number[] = [];
  let inFlight = 0, maxInFlight = 0;
  const runner = latestRunner(async (v: number) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    ran.push(v);
    inFlight--;
  }, (e) => assert.fail(String(e)));
  for (let i = 1; i <= 5; i++) runner.request(i);
  await runner.idle();
  assert.deepEqual(ran, [1, 5]);
  assert.equal(maxInFlight, 1);
});

Deno.test("latestRunner() reports a failing task and keeps going", async () => {
  const errors: unknown[] = [];
  const ran: string[] = [];
  const runner = latestRunner((v: string) => {
    if (v === "bad") return Promise.reject(new Error("boom"));
    ran.push(v);
    return Promise.resolve();
  }, (e) => errors.push(e));
  runner.request("bad");
  await runner.idle();
  runner.request("good");
  await runner.idle();
  assert.equal((errors[0] as Error).message, "boom");
  assert.deepEqual(ran, ["good"]);
});
