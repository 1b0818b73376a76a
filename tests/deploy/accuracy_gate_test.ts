/**
 * scripts/accuracy_gate.ts: the check that keeps a weaker model from being published.
 * @module
 */

import assert from "node:assert/strict";
import { accuracyGate } from "../../scripts/accuracy_gate.ts";
import { ROOT } from "../support/test_utils.ts";

Deno.test("accuracyGate() passes at or above the threshold and fails below it", () => {
  assert.equal(accuracyGate({ test: { accuracy: 0.995 } }, 0.994).ok, true);
  assert.equal(accuracyGate({ test: { accuracy: 0.994 } }, 0.994).ok, true);
  const low = accuracyGate({ name: "m", version: "1", test: { accuracy: 0.98 } }, 0.994);
  assert.equal(low.ok, false);
  assert.match(low.message, /98\.00 % is below 99\.40 %/);
});

Deno.test("accuracyGate() fails a model whose metadata has no accuracy", () => {
  for (const m of [null, {}, { test: {} }, { test: { accuracy: "0.99" } }, { test: { accuracy: NaN } }]) {
    assert.equal(accuracyGate(m, 0.9).ok, false, JSON.stringify(m));
  }
});

Deno.test("accuracyGate() rejects a threshold outside 0..1", () => {
  for (const t of [NaN, -0.1, 1.5, 99.4]) {
    assert.throws(() => accuracyGate({ test: { accuracy: 1 } }, t), RangeError);
  }
});

Deno.test("accuracy_gate.ts exits 0 for the shipped model and 1 for a weaker one", async () => {
  const gate = (file: string, threshold: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-read=${file}`, `${ROOT}scripts/accuracy_gate.ts`, file, threshold],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const shipped = `${ROOT}models/convnet.json`;
  const accuracy = JSON.parse(await Deno.readTextFile(shipped)).test.accuracy;
  assert.equal((await gate(shipped, String(accuracy))).code, 0);
  const refused = await gate(shipped, String(Math.min(1, accuracy + 0.001)));
  assert.equal(refused.code, 1);
  assert.match(new TextDecoder().decode(refused.stderr), /not publishing/);
});
