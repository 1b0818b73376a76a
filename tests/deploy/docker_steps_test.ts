/**
 * The Dockerfile's own steps, replayed on the host because there is no Docker engine:
 * each stage gets a directory standing for its filesystem, COPY copies from the build
 * context (honouring .dockerignore) or from an earlier stage, RUN runs the same command
 * in the stage's WORKDIR, and the last stage's CMD starts the server with the same flags,
 * as a non-root user when we are root (USER), with an empty DENO_DIR (the image's
 * /deno-dir). The server must answer, serve a prediction and the page, hot-reload a model
 * written into its models/ directory (as through a volume), pass the HEALTHCHECK command,
 * fetch no npm package at start, and drain on SIGTERM.
 * @module
 */

import assert from "node:assert/strict";
import { freePort, postPredict, ROOT } from "../support/test_utils.ts";
import { copyArgs, dockerignore, envPairs, type Instruction, parseDockerfile, stages } from "./dockerfile.ts";
import { pinnedDenoVersion } from "./project.ts";

const ignored = dockerignore(Deno.readTextFileSync(`${ROOT}.dockerignore`));

async function run(cmd: string, args: string[], opts: Deno.CommandOptions = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { ...opts, args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${text}`);
  return text;
}

/** Copy a context path, skipping what .dockerignore excludes (Docker never sends it). */
async function copyFromContext(rel: string, dest: string): Promise<void> {
  if (ignored(rel)) return;
  const info = await Deno.lstat(`${ROOT}${rel}`);
  if (info.isDirectory) {
    await Deno.mkdir(dest, { recursive: true });
    for await (const e of Deno.readDir(`${ROOT}${rel}`)) {
      await copyFromContext(`${rel}/${e.name}`, `${dest}/${e.name}`);
    }
  } else if (info.isFile) {
    await Deno.copyFile(`${ROOT}${rel}`, dest);
  }
}

/** Docker's COPY rule: a directory's contents go into dest; files go into dest/ when it ends in "/". */
function target(dest: string, src: string, many: boolean): string {
  const name = src.replace(/\/$/, "").split("/").pop()!;
  return dest.endsWith("/") || many ? `${dest.replace(/\/$/, "")}/${name}` : dest;
}

interface Replayed {
  dir: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
}

async function replay(root: string): Promise<Replayed> {
  const all = stages(parseDockerfile(Deno.readTextFileSync(`${ROOT}Dockerfile`)));
  const fsOf = new Map<string, string>();
  let last: Replayed | undefined;
  for (const [i, stage] of all.entries()) {
    const dir = `${root}/stage${i}`;
    await Deno.mkdir(dir, { recursive: true });
    const st: Replayed = { dir, workdir: "/", env: {} };
    const inStage = (p: string) => `${dir}${p.startsWith("/") ? p : `${st.workdir}/${p}`}`;
    for (const ins of stage.steps) await step(ins, st, inStage, fsOf);
    if (stage.name) fsOf.set(stage.name, dir);
    last = st;
  }
  return last!;
}

async function step(
  ins: Instruction,
  st: Replayed,
  inStage: (p: string) => string,
  fsOf: Map<string, string>,
): Promise<void> {
  switch (ins.keyword) {
    case "WORKDIR":
      st.workdir = ins.rest.startsWith("/") ? ins.rest : `${st.workdir}/${ins.rest}`;
      await Deno.mkdir(inStage(st.workdir), { recursive: true });
      return;
    case "ENV":
      Object.assign(st.env, envPairs(ins));
      return;
    case "COPY": {
      const { from, sources, dest } = copyArgs(ins);
      for (const src of sources) {
        const to = inStage(target(dest, src, sources.length > 1));
        await Deno.mkdir(to.replace(/\/[^/]*$/, ""), { recursive: true });
        if (from === undefined) await copyFromContext(src, to);
        else {
          const base = fsOf.get(from);
          assert.ok(base, `line ${ins.line}: no stage ${from}`);
          // -a keeps node_modules' symlinks, as COPY --from does.
          await run("cp", ["-a", `${base}${src}`, to]);
        }
      }
      return;
    }
    case "RUN":
      assert.ok(!ins.exec, `line ${ins.line}: RUN in shell form, as the image runs it`);
      await run("sh", ["-c", ins.rest], {
        cwd: inStage(st.workdir),
        env: { ...st.env, PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}` },
      });
      return;
    case "USER":
      st.user = ins.rest;
      return;
    case "CMD":
      st.cmd = ins.exec;
      return;
    case "HEALTHCHECK":
      st.healthcheck = ins.exec;
      return;
    default: // EXPOSE, STOPSIGNAL, LABEL: metadata only.
  }
}

/** The command as the image's user: an unprivileged uid when we are root, as USER does. */
function asImageUser(user: string | undefined, argv: string[]): string[] {
  const root = Deno.uid() === 0;
  if (!user || user === "root" || !root) return argv;
  return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv];
}

Deno.test("Dockerfile steps replayed on the host: the image's server starts, predicts, serves the page, reloads models/, drains", async () => {
  assert.equal(Deno.version.deno, pinnedDenoVersion(), "replay with the image's Deno");
  const root = await Deno.makeTempDir({ prefix: "docker-steps-" });
  try {
    await Deno.chmod(root, 0o755);
    const image = await replay(root);
    assert.ok(image.cmd && image.healthcheck, "CMD and HEALTHCHECK");
    const app = `${image.dir}${image.workdir}`;
    const setupCache = `${app}/node_modules/.deno/.setup-cache.bin`;
    const before = (await Deno.stat(setupCache)).mtime?.getTime();

    // The image's DENO_DIR starts empty and belongs to the image's user.
    const denoDir = `${root}/deno-dir`;
    await Deno.mkdir(denoDir);
    if (Deno.uid() === 0) await Deno.chown(denoDir, 65534, 65534);
    const port = freePort();
    const env = { ...image.env, DENO_DIR: denoDir, PORT: String(port), HOST: "127.0.0.1", WORKERS: "1" };
    const deno = (argv: string[]) => argv[0] === "deno" ? [Deno.execPath(), ...argv.slice(1)] : argv;
    const [cmd, ...args] = asImageUser(image.user, deno(image.cmd!));
    const server = new Deno.Command(cmd, { args, cwd: app, env, stdout: "piped", stderr: "piped" }).spawn();
    const output = Promise.all([server.stdout, server.stderr].map((s) => new Response(s).text()));
    try {
      const url = `http://127.0.0.1:${port}`;
      let ready = 0;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && ready !== 200;) {
        ready = await fetch(`${url}/ready`).then(async (r) => (await r.body?.cancel(), r.status), () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(ready, 200, "/ready");
      if (Deno.uid() === 0 && image.user) {
        const uid = (await Deno.readTextFile(`/proc/${server.pid}/status`)).match(/^Uid:\s+(\d+)/m)?.[1];
        assert.equal(uid, "65534", "the server runs unprivileged, as USER says");
      }

      const png = await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`);
      const res = await postPredict(url, png, "7_bench.png");
      assert.equal(res.status, 200);
      assert.equal((await res.json()).predicted_class, 7);

      const page = await fetch(`${url}/`, { headers: { accept: "text/html" } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script[^>]+src="[^"]*assets\/main-[^"]+\.js"/);

      // models/ as a volume: new files written from outside are picked up (hot reload).
      const seed = `${ROOT}tests/testdata/seed/`;
      const seedVersion = JSON.parse(await Deno.readTextFile(`${seed}convnet.json`)).version;
      for (const f of ["convnet.onnx", "convnet.json"]) {
        await Deno.copyFile(`${seed}${f}`, `${app}/models/${f}`);
      }
      let version = "";
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && version !== seedVersion;) {
        await new Promise((r) => setTimeout(r, 300));
        const r = await postPredict(url, png, "7_bench.png");
        version = r.ok ? (await r.json()).model_version : (await r.body?.cancel(), "");
      }
      assert.equal(version, seedVersion, "the model written into models/ is serving");

      const [hcCmd, ...hcArgs] = asImageUser(image.user, deno(image.healthcheck!));
      const hc = await new Deno.Command(hcCmd, {
        args: hcArgs,
        cwd: app,
        env,
        stdout: "null",
        stderr: "piped",
      })
        .output();
      assert.equal(hc.code, 0, `HEALTHCHECK: ${new TextDecoder().decode(hc.stderr)}`);
    } finally {
      server.kill("SIGTERM");
    }
    const status = await server.status;
    const logs = (await output).join("");
    assert.equal(status.code, 0, `exit code after SIGTERM:\n${logs}`);
    assert.match(logs, /"msg":"draining"/);
    // A container may have no network: starting must not fetch or set up npm packages.
    assert.doesNotMatch(logs, /\b(Download|Initialize)\b/, logs);
    assert.equal((await Deno.stat(setupCache)).mtime?.getTime(), before, "node_modules left untouched");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
