/**
 * .github/workflows: the pipeline parses, runs the README's test command with the
 * browsers installed, pins every action to a commit, and publishes only through the
 * accuracy gate, with branch, sha and latest tags, cache and provenance.
 * @module
 */

import assert from "node:assert/strict";
import { ROOT } from "../support/test_utils.ts";
import { ciTestCommand, pinnedDenoVersion, readmeTestCommand } from "./project.ts";
import { parse } from "./yaml.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;

const DIR = `${ROOT}.github/workflows/`;
const files = [...Deno.readDirSync(DIR)].filter((e) => /\.ya?ml$/.test(e.name)).map((e) => e.name).sort();
const workflows: Record<string, Doc> = Object.fromEntries(
  files.map((f) => [f, parse(Deno.readTextFileSync(DIR + f))]),
);
const jobs: [string, Doc][] = Object.values(workflows).flatMap((w) => Object.entries(w.jobs ?? {}));
const steps = (job: Doc): Doc[] => job.steps ?? [];
const runs = (job: Doc): string => steps(job).map((s) => s.run ?? "").join("\n");
const jobRunning = (re: RegExp) => jobs.filter(([, j]) => re.test(runs(j)));

Deno.test("workflows parse, each with triggers and jobs", () => {
  assert.ok(files.length > 0);
  for (const [f, w] of Object.entries(workflows)) {
    assert.ok(w.on && Object.keys(w.jobs ?? {}).length > 0, f);
    for (const [name, j] of Object.entries<Doc>(w.jobs)) {
      assert.ok(j["runs-on"] && steps(j).length > 0, `${f}: job ${name}`);
    }
  }
});

Deno.test("workflow: every action is pinned to a full commit SHA", () => {
  let count = 0;
  for (const [name, job] of jobs) {
    for (const s of steps(job).filter((s) => s.uses)) {
      count++;
      assert.match(s.uses, /^[\w.-]+\/[\w.\/-]+@[0-9a-f]{40}$/, `${name}: ${s.uses}`);
    }
  }
  assert.ok(count >= 5, `${count} actions`);
});

Deno.test("workflow: Deno is the version the README pins, everywhere", () => {
  const pinned = pinnedDenoVersion();
  const all = files.map((f) => Deno.readTextFileSync(DIR + f)).join("\n");
  const used = [...all.matchAll(/deno@(\d[\w.-]*\w)/g)].map((m) => m[1]);
  assert.ok(used.length > 0);
  for (const v of used) assert.equal(v, pinned);
  assert.doesNotMatch(all, /setup-deno/, "one way to get Deno: npx, as the README");
});

Deno.test("workflow: a job runs the README's test command after installing Chromium and Mesa with apt", () => {
  const command = readmeTestCommand();
  const found = jobs.filter(([, j]) => runs(j).split("\n").some((l) => l.trim().startsWith(command)));
  assert.equal(found.length, 1, `one job runs "${command}"`);
  const [, job] = found[0];
  const lines = steps(job).map((s) => s.run ?? "");
  const install = lines.findIndex((r) => /apt-get install\b/.test(r));
  const test = lines.findIndex((r) => r.includes(command));
  assert.ok(install >= 0 && install < test, "apt-get install comes first");
  for (const pkg of ["chromium", "mesa-vulkan-drivers"]) {
    assert.match(lines[install], new RegExp(`\\b${pkg}\\b`));
  }
  // The test task is the full suite: checks, page build, then every test directory.
  const deno = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task = deno.tasks.test;
  assert.match(typeof task === "string" ? task : task.command, /deno test --allow-all tests\/$/);
});

Deno.test("README, .ci/run and the workflow run one test command", () => {
  assert.match(readmeTestCommand(), /^npx -y deno@\d+\.\d+\.\d+ task test$/);
  assert.equal(ciTestCommand(), readmeTestCommand());
});

Deno.test("workflow: fmt, lint and type checks run", () => {
  assert.ok(jobRunning(/deno@\S+ task ok\b/).length >= 1);
});

Deno.test("workflow: the publish job needs the tests and the accuracy gate, and runs the gate itself", () => {
  const [[name, publish]] = jobs.filter(([, j]) =>
    steps(j).some((s) => /docker\/build-push-action@/.test(s.uses))
  );
  const needs = [publish.needs].flat();
  for (const [n] of jobRunning(new RegExp(readmeTestCommand().replace(/[.@]/g, "\\$&")))) {
    assert.ok(needs.includes(n), `${name} needs ${n}`);
  }
  for (const [n] of jobRunning(/accuracy_gate\.ts/).filter(([n]) => n !== name)) assert.ok(needs.includes(n));
  const gate = steps(publish).findIndex((s) => /accuracy_gate\.ts/.test(s.run ?? ""));
  const push = steps(publish).findIndex((s) => /build-push-action/.test(s.uses ?? ""));
  assert.ok(gate >= 0 && gate < push, "the gate runs before the push, in the same job");
  assert.notEqual(publish.if, undefined, "no publishing from pull requests");
  assert.equal(publish.permissions?.packages, "write");
});

Deno.test("workflow: the gate's command passes the shipped model at the workflow's threshold", async () => {
  const [w] = Object.values(workflows).filter((w) => w.env?.MIN_MODEL_ACCURACY);
  const threshold = w.env.MIN_MODEL_ACCURACY;
  const line = jobRunning(/accuracy_gate\.ts/).map(([, j]) => runs(j)).join("\n").split("\n")
    .find((l) => l.includes("accuracy_gate.ts"))!;
  const args = line.trim().replace("$MIN_MODEL_ACCURACY", threshold).replaceAll('"', "").split(/\s+/)
    .slice(line.trim().startsWith("npx") ? 3 : 1);
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const meta = JSON.parse(await Deno.readTextFile(`${ROOT}models/convnet.json`));
  assert.ok(meta.test.accuracy >= Number(threshold));
});

Deno.test("workflow: the image goes to GHCR with branch, sha and latest tags, cache and provenance", () => {
  const publish = jobs.map(([, j]) => j).find((j) => steps(j).some((s) => /build-push-action/.test(s.uses)));
  const login = steps(publish).find((s) => /docker\/login-action@/.test(s.uses ?? ""));
  assert.equal(login?.with?.registry, "ghcr.io");
  const meta = steps(publish).find((s) => /docker\/metadata-action@/.test(s.uses ?? ""));
  assert.match(meta.with.images, /^ghcr\.io\//);
  for (const t of [/type=ref,event=branch/, /type=sha\b/, /type=raw,value=latest\b/]) {
    assert.match(meta.with.tags, t);
  }
  const build = steps(publish).find((s) => /build-push-action/.test(s.uses)).with;
  assert.equal(build.push, true);
  assert.equal(build.tags, `\${{ steps.${meta.id}.outputs.tags }}`);
  assert.match(build["cache-from"], /type=gha/);
  assert.match(build["cache-to"], /type=gha/);
  assert.ok(build.provenance === true || /^mode=/.test(build.provenance), "provenance");
});

Deno.test("workflow: the single executable is built and run by a job, with a test file that exists", async () => {
  const jobsRunning = jobRunning(/tests\/deploy\/single_executable\.ts/);
  assert.equal(jobsRunning.length, 1);
  await Deno.stat(`${ROOT}tests/deploy/single_executable.ts`);
});
