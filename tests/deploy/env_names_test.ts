/**
 * Every environment variable the server reads (server/config.ts ENV_NAMES) is allowed by the
 * start and compile tasks and has a row in the README's configuration table, and nothing else.
 * @module
 */

import assert from "node:assert/strict";
import { ENV_NAMES } from "../../server/config.ts";
import { ROOT } from "../support/test_utils.ts";
import { taskCommand } from "./project.ts";

const names = [...ENV_NAMES].sort();

function allowEnv(task: string): string[] {
  const flag = taskCommand(task).split(/\s+/).find((w) => w.startsWith("--allow-env="));
  assert.ok(flag, `${task} task has --allow-env=`);
  return flag.slice("--allow-env=".length).split(",").sort();
}

Deno.test("ENV_NAMES: the start and compile tasks allow exactly these variables", () => {
  assert.deepEqual(allowEnv("start"), names);
  assert.deepEqual(allowEnv("compile"), names);
});

Deno.test("ENV_NAMES: the README's configuration table has a row for each, and no other", () => {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const table = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
  );
  const rows = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(rows, names);
});
