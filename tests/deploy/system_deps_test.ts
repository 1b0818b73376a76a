/**
 * `deno task system`, the first step of `deno task test`: on a machine without Chromium
 * or a Vulkan driver it installs them (root on Debian) or stops with one line naming the
 * exact command; with both present it says nothing.
 */
import assert from "node:assert/strict";
import { DEBIAN_PACKAGES, missingParts } from "../../scripts/system_deps.ts";
import { ROOT } from "../support/test_utils.ts";

const script = `${ROOT}scripts/system_deps.ts`;
const run = (env: Record<string, string>) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-sys=uid", "--allow-run=apt-get", script],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();

Deno.test("missingParts() names a browser that is not there", async () => {
  const missing = await missingParts("/nowhere/chromium");
  assert.ok(missing.includes("Chromium (/nowhere/chromium)"), missing.join());
});

Deno.test("system_deps.ts says nothing and exits 0 where Chromium and Vulkan are present", async () => {
  // The browser tests need the same: where they run, this must pass.
  const out = await run({});
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(out.stderr.length + out.stdout.length, 0);
});

Deno.test("system_deps.ts stops with one line naming the exact install command when the browser is missing", async () => {
  const out = await run({ CHROMIUM: "/nowhere/chromium" });
  assert.equal(out.code, 1);
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^Missing Chromium \(\/nowhere\/chromium\)/);
  assert.ok(lines[0].includes(`apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(" ")}`));
  assert.equal(out.stdout.length, 0);
});

Deno.test("deno task test runs the system check before anything else", () => {
  const deno = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  assert.match(deno.tasks.test.command, /^deno task system && /);
});
