/**
 * The Dockerfile, checked without a Docker engine: base image = the pinned Deno, every
 * COPY source is in the build context, CMD = the start task, EXPOSE = the default PORT,
 * a non-root user, a health check that needs no curl.
 * @module
 */

import assert from "node:assert/strict";
import { loadConfig } from "../../server/config.ts";
import { ROOT } from "../support/test_utils.ts";
import { copyArgs, dockerignore, envPairs, parseDockerfile, stages } from "./dockerfile.ts";
import { pinnedDenoVersion, splitEnv, taskCommand } from "./project.ts";

const instructions = parseDockerfile(Deno.readTextFileSync(`${ROOT}Dockerfile`));
const all = stages(instructions);
const runtime = all[all.length - 1];
const ignored = dockerignore(Deno.readTextFileSync(`${ROOT}.dockerignore`));
const only = (keyword: string) => runtime.steps.filter((s) => s.keyword === keyword);

Deno.test("Dockerfile: every stage starts from denoland/deno at the pinned Deno version", () => {
  const pinned = pinnedDenoVersion();
  assert.ok(all.length >= 2, "a build stage and a runtime stage");
  for (const s of all) assert.equal(s.image, `denoland/deno:${pinned}`);
});

Deno.test("Dockerfile: every COPY source exists in the build context and is not .dockerignored", async () => {
  const names = new Set(all.map((s) => s.name).filter(Boolean));
  let copies = 0;
  for (const s of all) {
    for (const ins of s.steps.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
      const { from, sources } = copyArgs(ins);
      if (from !== undefined) {
        assert.ok(names.has(from), `line ${ins.line}: --from=${from} names no earlier stage`);
        continue;
      }
      for (const src of sources) {
        copies++;
        assert.ok(!src.includes("..") && !src.startsWith("/"), `line ${ins.line}: ${src} leaves the context`);
        await Deno.stat(`${ROOT}${src}`).catch(() => assert.fail(`line ${ins.line}: ${src} does not exist`));
        assert.ok(!ignored(src), `line ${ins.line}: ${src} is excluded by .dockerignore`);
      }
    }
  }
  assert.ok(copies >= 5, `only ${copies} COPY sources`);
});

Deno.test("Dockerfile: .dockerignore keeps host builds and secrets-prone dirs out of the context", () => {
  for (const p of ["node_modules", "web/dist", ".git", "scratch", "tests"]) {
    assert.ok(ignored(p), `${p} should be ignored`);
  }
});

Deno.test("Dockerfile: dependencies are installed from the lock file in a layer of their own", () => {
  const deps = all[0];
  const [copy, ...after] = deps.steps.filter((i) => i.keyword === "COPY" || i.keyword === "RUN");
  assert.deepEqual(copyArgs(copy).sources.sort(), ["deno.json", "deno.lock"]);
  assert.match(after[0].rest, /^deno install --frozen\b/);
});

Deno.test("Dockerfile: CMD is the start task's command with the same flags", () => {
  const [cmd] = only("CMD");
  assert.ok(cmd?.exec, "CMD in exec form, so the signal goes to Deno, not a shell");
  const start = splitEnv(taskCommand("start"));
  assert.equal(cmd.exec.join(" "), start.command);
  // The task's environment (allocator settings) is the image's ENV.
  const env = only("ENV").map((i) => i.rest).join(" ");
  for (const [k, v] of Object.entries(start.env)) assert.match(env, new RegExp(`\\b${k}=${v}\\b`), k);
  assert.ok(!cmd.exec.some((a) => a === "-A" || a === "--allow-all"));
  assert.equal(only("ENTRYPOINT").length, 0, "the base image's tini entrypoint forwards signals");
});

Deno.test("Dockerfile: every directory the server may read is in the image", () => {
  const read = only("CMD")[0].exec!.find((a) => a.startsWith("--allow-read="))!.slice("--allow-read=".length);
  const dests = runtime.steps.filter((i) => i.keyword === "COPY").map((i) =>
    copyArgs(i).dest.replace(/^\.\//, "").replace(/\/$/, "")
  );
  for (const dir of read.split(",")) assert.ok(dests.includes(dir), `${dir} is not copied into the image`);
  for (const d of dests) {
    assert.ok(!/^(tests|training|scratch|bench|web)$/.test(d), `${d} does not belong in the runtime image`);
  }
});

Deno.test("Dockerfile: EXPOSE and PORT equal the server's default port", () => {
  const port = loadConfig({}).port;
  assert.deepEqual(only("EXPOSE").map((e) => e.rest), [String(port)]);
  const env = Object.assign({}, ...only("ENV").map(envPairs));
  assert.equal(env.PORT, String(port));
});

Deno.test("Dockerfile: the image runs as a non-root user and checks /health without curl", () => {
  const users = only("USER").map((u) => u.rest);
  assert.ok(users.length > 0 && !["root", "0"].includes(users[users.length - 1]));
  const [hc] = only("HEALTHCHECK");
  assert.ok(hc?.exec, "HEALTHCHECK CMD in exec form");
  assert.equal(hc.exec[0], "deno");
  assert.ok(!hc.exec.some((a) => /\b(curl|wget)\b/.test(a)));
  assert.match(hc.exec.join(" "), /\/health\b/);
});
