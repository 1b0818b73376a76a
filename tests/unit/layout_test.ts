/**
 * The rooms' import rule, read from the source and followed through every module, so the
 * layout keeps telling the architecture.
 *
 * - `src/` (the inference module, Deno and browser) imports nothing outside `src/`, and of
 *   packages only onnxruntime-web.
 * - `server/http/` (HTTP plumbing) loads nothing of `server/model/`, `images/`, `routes/` or
 *   `cluster/`, directly or through another module: `server/app.ts` joins it to the routes.
 * - `server/images/` (decoding) knows nothing of HTTP, routes, workers or the model.
 * - `server/model/` (model store, routing, batching) knows nothing of HTTP, routes or images.
 * - `web/` imports `src/`, never `server/`; `server/` never imports `web/` or `tests/`.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(new URL("../../", import.meta.url).pathname);

/** Every specifier a module loads: static and dynamic imports, re-exports, worker URLs. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /(?:^|[\s;}])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']/g,
    /(?:^|[\s;])import\s*["']([^"']+)["']/g,
    /import\(\s*["']([^"']+)["']\s*\)/g,
    /new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const p of patterns) for (const m of source.matchAll(p)) out.push(m[1]);
  return out;
}

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory && e.name !== "dist") yield* tsFiles(path);
    else if (e.isFile && e.name.endsWith(".ts")) yield path;
  }
}

/** `[file, target]` for each import of the files under `room`; targets relative to the repo or bare. */
async function importsOf(room: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const file of tsFiles(join(ROOT, room))) {
    for (const s of specifiers(await Deno.readTextFile(file))) {
      const target = s.startsWith(".") ? relative(ROOT, resolve(dirname(file), s)) : s;
      out.push([relative(ROOT, file), target]);
    }
  }
  return out;
}

/**
 * Every repository module `room`'s files load, directly or through other modules (relative
 * imports followed to the end), as `[file in room, module reached]`.
 */
async function reachedFrom(room: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const direct = new Map<string, string[]>();
  const importsOfFile = async (file: string): Promise<string[]> => {
    if (!direct.has(file)) {
      let source = "";
      try {
        source = await Deno.readTextFile(join(ROOT, file));
      } catch {
        // Not a file of ours (a directory URL, say): nothing further.
      }
      direct.set(
        file,
        specifiers(source).filter((s) => s.startsWith(".")).map((s) =>
          relative(ROOT, resolve(ROOT, dirname(file), s))
        ),
      );
    }
    return direct.get(file)!;
  };
  for await (const abs of tsFiles(join(ROOT, room))) {
    const start = relative(ROOT, abs);
    const seen = new Set<string>([start]);
    const todo = [start];
    while (todo.length) {
      for (const next of await importsOfFile(todo.pop()!)) {
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(next);
        out.push([start, next]);
      }
    }
  }
  return out;
}

function violations(imports: [string, string][], bad: (target: string) => boolean): string[] {
  return imports.filter(([, t]) => bad(t)).map(([f, t]) => `${f} → ${t}`);
}

Deno.test("specifiers() finds static, dynamic, re-export and worker-URL imports", () => {
  const found = specifiers(`import a from "./a.ts";
import type { B } from "../b.ts";
export { c } from "./c.ts";
import "./d.ts";
const e = await import("./e.ts");
new Worker(new URL("./f.ts", import.meta.url));`);
  assert.deepEqual(found.sort(), ["../b.ts", "./a.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts"]);
});

Deno.test("src/ imports nothing outside src/ and of packages only onnxruntime-web", async () => {
  const imports = await importsOf("src");
  assert.ok(imports.length > 10, "the reader found src/'s imports");
  assert.deepEqual(violations(imports, (t) => !t.startsWith("src/") && !t.startsWith("onnxruntime-web")), []);
});

Deno.test("reachedFrom() follows imports through other modules", async () => {
  // app.ts imports routes/predict.ts, which imports cluster/context.ts, which imports images/pool.ts.
  const reached = (await reachedFrom("server")).filter(([f]) => f === "server/app.ts").map(([, t]) => t);
  assert.ok(reached.includes("server/images/pool.ts"), reached.join());
});

Deno.test("server/http/ loads nothing of the model, images, routes or workers, even indirectly", async () => {
  const reached = await reachedFrom("server/http");
  assert.ok(reached.some(([, t]) => t.startsWith("src/")), "the reader found http/'s imports");
  assert.deepEqual(violations(reached, (t) => /^server\/(model|images|routes|cluster)\//.test(t)), []);
});

Deno.test("server/images/ loads nothing of HTTP, routes, workers or the model, even indirectly", async () => {
  const reached = await reachedFrom("server/images");
  assert.ok(reached.some(([, t]) => t.startsWith("src/")));
  assert.deepEqual(violations(reached, (t) => /^server\/(http|routes|cluster|model)\//.test(t)), []);
});

Deno.test("server/model/ loads nothing of HTTP, routes, images or workers, even indirectly", async () => {
  const reached = await reachedFrom("server/model");
  assert.ok(reached.length > 0);
  assert.deepEqual(violations(reached, (t) => /^server\/(http|routes|images|cluster)\//.test(t)), []);
});

Deno.test("web/ imports src/ but not server/; server/ imports neither web/ nor tests/", async () => {
  const web = await importsOf("web");
  assert.ok(web.some(([, t]) => t.startsWith("src/")));
  assert.deepEqual(violations(web, (t) => t.startsWith("server/") || t.startsWith("tests/")), []);
  const server = await importsOf("server");
  assert.deepEqual(violations(server, (t) => /^(web|tests|bench|training)\//.test(t)), []);
});
