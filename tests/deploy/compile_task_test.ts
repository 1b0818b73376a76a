/**
 * The compile task's flags, checked without compiling (the build itself needs denort from
 * dl.deno.land: see single_executable.ts, which the workflow runs).
 * @module
 */

import assert from "node:assert/strict";
import { ROOT } from "../support/test_utils.ts";
import { taskCommand } from "./project.ts";

const BINARY = "dist/mnist-server";

Deno.test("compile task: the start task's permissions, both workers, model and page included, Linux x86-64", async () => {
  const words = taskCommand("compile").split(/\s+/);
  const start = taskCommand("start").split(/\s+/);
  const flags = (ws: string[]) => ws.filter((w) => /^--(allow-|unstable-)/.test(w)).sort();
  assert.deepEqual(flags(words), flags(start));
  const values = (flag: string) => words.flatMap((w, i) => w === flag ? [words[i + 1]] : []);
  assert.deepEqual(values("--include").sort(), [
    "models",
    "server/cluster/server_worker.ts",
    "server/images/decode_worker.ts",
    "web/dist",
  ]);
  assert.deepEqual(values("--target"), ["x86_64-unknown-linux-gnu"]);
  assert.deepEqual(values("--output"), [BINARY]);
  assert.equal(words[words.length - 1], start[start.length - 1], "same entry module");
  // Excludes name exact package versions: a dependency bump must update them.
  for (const p of values("--exclude")) await Deno.stat(`${ROOT}${p}`);
});
