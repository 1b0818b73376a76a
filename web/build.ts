/**
 * Builds the drawing page into `web/dist/`, a static site any host can serve.
 *
 * Runs in Deno (`deno task build`). What it writes:
 * - `index.html`, rewritten to point at the fingerprinted entry script and style sheet;
 * - `assets/`: every JS chunk and the CSS, named `<name>-<hash>`, split so that each
 *   onnxruntime-web build sits in its own chunk and is fetched only when its backend is
 *   tried; the ORT `.wasm` binaries, which the builds locate with
 *   `new URL(..., import.meta.url)` (esbuild does not follow that), copied with a
 *   content hash in their names;
 * - `sw.js` (not fingerprinted: browsers look for a service worker under a fixed name);
 * - `model/`: `convnet.json` and the ONNX file it names, from `MODEL_DIR` (default
 *   `models`), so the site classifies without the API server.
 *
 * @example
 * ```sh
 * deno task build            # models/convnet.json → web/dist
 * MODEL_DIR=/tmp/m deno task build
 * ```
 * @module
 */

import * as esbuild from "esbuild";

const WEB = new URL("./", import.meta.url);
const ROOT = new URL("../", WEB);
const DIST = new URL("dist/", WEB);
const ORT_DIST = new URL("node_modules/onnxruntime-web/dist/", ROOT);

/**
 * The WASM binary each onnxruntime-web build loads; the WebGL build needs none. The
 * WebGPU build of ORT 1.30 runs the native WebGPU EP, compiled with asyncify.
 */
const ORT_WASM = Object.freeze({
  webgpu: "ort-wasm-simd-threaded.asyncify.wasm",
  wasm: "ort-wasm-simd-threaded.wasm",
});

/** First 10 hex digits of the sha256 of some bytes: enough to tell versions apart. */
async function shortHash(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest).subarray(0, 5), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `a/b.wasm` + hash → `a/b-<hash>.wasm`. */
function fingerprint(name: string, hash: string): string {
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
}

async function write(rel: string, bytes: Uint8Array | string): Promise<void> {
  const url = new URL(rel, DIST);
  await Deno.mkdir(new URL("./", url), { recursive: true });
  if (typeof bytes === "string") await Deno.writeTextFile(url, bytes);
  else await Deno.writeFile(url, bytes);
}

/** Copy the ORT binaries under fingerprinted names; returns backend → dist-relative path. */
async function copyOrtWasm(): Promise<Record<keyof typeof ORT_WASM, string>> {
  const out = {} as Record<keyof typeof ORT_WASM, string>;
  for (const [backend, file] of Object.entries(ORT_WASM) as [keyof typeof ORT_WASM, string][]) {
    const bytes = await Deno.readFile(new URL(file, ORT_DIST));
    const rel = `assets/${fingerprint(file, await shortHash(bytes))}`;
    await write(rel, bytes);
    out[backend] = rel;
  }
  return out;
}

/** Copy the model's metadata and ONNX file; returns their dist-relative paths. */
async function copyModel(modelDir: string): Promise<string[]> {
  const dir = modelDir.replace(/\/?$/, "/");
  const jsonPath = `${dir}convnet.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(jsonPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Error(`No model metadata at ${jsonPath}: train the model or set MODEL_DIR`);
  }
  const file = String(JSON.parse(text).file ?? "");
  if (!/^[\w.-]+\.onnx$/.test(file)) throw new Error(`${jsonPath} names no plain .onnx file ("${file}")`);
  await write("model/convnet.json", text);
  await write(`model/${file}`, await Deno.readFile(`${dir}${file}`));
  return ["model/convnet.json", `model/${file}`];
}

/** Paths (relative to dist) of an esbuild output and its static imports, transitively. */
function staticClosure(meta: esbuild.Metafile, output: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imp of meta.outputs[path]?.imports ?? []) {
      if (imp.kind === "import-statement" && !imp.external) visit(imp.path);
    }
  };
  visit(output);
  return [...seen];
}

const relToDist = (path: string) => path.replace(/^.*?web\/dist\//, "");

/** Build everything; returns the list of files written, relative to `web/dist`. */
async function build(): Promise<string[]> {
  await Deno.remove(DIST, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(DIST, { recursive: true });
  const wasm = await copyOrtWasm();
  const model = await copyModel(Deno.env.get("MODEL_DIR") ?? new URL("models", ROOT).pathname);

  const page = await esbuild.build({
    entryPoints: [new URL("main.ts", WEB).pathname, new URL("styles.css", WEB).pathname],
    absWorkingDir: new URL(".", ROOT).pathname,
    outdir: new URL(".", DIST).pathname,
    entryNames: "assets/[name]-[hash]",
    chunkNames: "assets/[name]-[hash]",
    assetNames: "assets/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["chrome113", "firefox121", "safari17"],
    minify: true,
    sourcemap: false,
    metafile: true,
    write: false,
    legalComments: "none",
    define: { __ORT_WASM__: JSON.stringify(wasm) },
    logLevel: "warning",
  });
  const outputs = Object.keys(page.metafile.outputs);
  const entryOf = (src: string) => {
    const out = outputs.find((o) => page.metafile.outputs[o].entryPoint?.endsWith(src));
    if (!out) throw new Error(`esbuild produced no output for ${src}`);
    return out;
  };
  const mainJs = entryOf("web/main.ts");
  const css = entryOf("web/styles.css");
  for (const f of page.outputFiles) await write(relToDist(f.path), f.contents);

  const template = await Deno.readTextFile(new URL("index.html", WEB));
  // Chunks the entry imports statically are announced up front, so they download with
  // the entry instead of after it has been parsed.
  const preloads = staticClosure(page.metafile, mainJs).slice(1)
    .map((chunk) => `<link rel="modulepreload" href="${relToDist(chunk)}">\n    `).join("");
  const html = template
    .replace(
      '<script type="module" src="main.ts">',
      `${preloads}<script type="module" src="${relToDist(mainJs)}">`,
    )
    .replace('href="styles.css"', `href="${relToDist(css)}"`);
  if (html === template || html.includes("main.ts") || html.includes('"styles.css"')) {
    throw new Error("web/index.html must reference main.ts and styles.css");
  }
  await write("index.html", html);

  // The shell the service worker stores at install. The model and the chosen backend's
  // runtime are added by the page once it has loaded them (see web/offline.ts), so they
  // come from the HTTP cache instead of being downloaded twice.
  const shell = ["index.html", css, ...staticClosure(page.metafile, mainJs)].map(relToDist);
  const version = await shortHash(new TextEncoder().encode(shell.join("\n") + JSON.stringify(wasm)));
  const sw = await esbuild.build({
    entryPoints: [new URL("sw.ts", WEB).pathname],
    outfile: new URL("sw.js", DIST).pathname,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["chrome113", "firefox121", "safari17"],
    minify: true,
    write: false,
    define: { __SW_VERSION__: JSON.stringify(version), __SW_SHELL__: JSON.stringify(shell) },
    logLevel: "warning",
  });
  for (const f of sw.outputFiles) await write(relToDist(f.path), f.contents);

  return [
    "index.html",
    "sw.js",
    ...page.outputFiles.map((f) => relToDist(f.path)),
    ...Object.values(wasm),
    ...model,
  ];
}

if (import.meta.main) {
  try {
    const files = await build();
    const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(new URL(f, DIST))).size));
    const lines = files.map((f, i) => `  ${f.padEnd(64)} ${(sizes[i] / 1024).toFixed(1).padStart(9)} KiB`);
    await Deno.stdout.write(new TextEncoder().encode(`web/dist:\n${lines.join("\n")}\n`));
  } finally {
    await esbuild.stop();
  }
}
