/**
 * The start task's permissions are the least that work: code running under them
 * cannot read outside the app's own directories, write, run programs, read other
 * environment variables, or reach the network beyond listening.
 */
import assert from "node:assert/strict";
import { ROOT, startTaskArgs } from "../support/test_utils.ts";

Deno.test("start task flags deny everything the server does not need", async () => {
  const args = startTaskArgs().map((
    a,
  ) => (a === "server/main.ts" ? "tests/testdata/permission_probe.ts" : a));
  assert.ok(!args.includes("-A") && !args.includes("--allow-all"));
  assert.ok(args.includes("tests/testdata/permission_probe.ts"));
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  const results = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.deepEqual(results, {
    "read /etc/passwd": "denied",
    "read deno.json": "denied",
    "read tests/": "denied",
    "read .git/config": "denied",
    "write models/": "denied",
    "fetch example.com": "denied",
    "connect 1.1.1.1:53": "denied",
    "run a program": "denied",
    "env HOME": "denied",
    "read models/convnet.json": "allowed",
    "env PORT": "allowed",
    "listen 127.0.0.1": "allowed",
  });
});
