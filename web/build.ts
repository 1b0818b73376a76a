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
 *   `models`), so the site classifies without the API server;
 * - `docs-assets/`: Swagger UI's and ReDoc's files for the server's `/docs` and `/redoc`
 *   (`docs_assets.ts`);
 * - `favicon.ico` (`favicon.ts`), and `api/info`, a placeholder that a plain static host
 *   serves to the page's API probe instead of a 404 (the API server answers that path itself);
 * - beside every file worth compressing, `<file>.br` and `<file>.gz` (`precompress.ts`),
 *   which the server sends to browsers that accept them; nothing is compressed per request.
 *
 * @example
 * ```sh
 * deno task build            # models/convnet.json → web/dist
 * MODEL_DIR=/tmp/m deno task build
 * ```
 * @module
 */

import * as esbuild from "esbuild";
import { parseMetadata, sha256Hex } from "../src/mod.ts";
import { copyDocsAssets } from "./docs_assets.ts";
import { faviconIco } from "./favicon.ts";
import { type Compressed, precompress } from "./precompress.ts";

const WEB = new URL("./", import.meta.url);
const ROOT = new URL("../", WEB);
const DIST = new URL("dist/", WEB);
const NODE_MODULES = new URL("node_modules/", ROOT);
const ORT_DIST = new URL("onnxruntime-web/dist/", NODE_MODULES);
/**
 * Compressed outputs kept between builds, by content hash (see precompress.ts): in the
 * user's cache, so a fresh clone or a Dockerfile replay on the same machine does not pay
 * Brotli 11 again (about a minute on 2 cores); in node_modules where there is no HOME.
 */
const HOME = Deno.env.get("HOME");
const COMPRESS_CACHE = HOME
  ? new URL(`file://${HOME}/.cache/mnist-web/`)
  : new URL(".cache/mnist-web/", NODE_MODULES);

/**
 * What a plain static host answers to the page's `api/info` probe (web/server_api.ts):
 * not JSON, so the page knows there is no API, and not a 404, which browsers log as an
 * error. On the API server the route `/api/info` answers before any file.
 */
const API_PLACEHOLDER = "No API server here: this is the static build of the page (web/build.ts).\n";

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
  return (await sha256Hex(bytes)).slice(0, 10);
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
  const { file, sha256 } = parseMetadata(JSON.parse(text));
  const onnx = await Deno.readFile(`${dir}${file}`);
  // The page refuses a model whose bytes do not match: fail here, not in the browser.
  if (await sha256Hex(onnx) !== sha256) {
    throw new Error(`${dir}${file} does not match the sha256 in ${jsonPath}`);
  }
  await write("model/convnet.json", text);
  await write(`model/${file}`, onnx);
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
  // runtime are stored as the page fetches them, through the worker (see web/sw.ts).
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

  const docs = await copyDocsAssets(NODE_MODULES, write);
  await write("favicon.ico", faviconIco());
  await write("api/info", API_PLACEHOLDER);
  return [
    "index.html",
    "sw.js",
    "favicon.ico",
    ...page.outputFiles.map((f) => relToDist(f.path)),
    ...Object.values(wasm),
    ...model,
    ...docs,
  ];
}

const kib = (n: number | undefined) => n === undefined ? "" : `${(n / 1024).toFixed(1)} KiB`;

/** The build's files with their sizes: raw, Brotli, gzip. */
function report(files: string[], sizes: number[], compressed: Compressed[]): string {
  const by = new Map(compressed.map((c) => [c.file, c]));
  const lines = files.map((f, i) =>
    `  ${f.padEnd(60)} ${kib(sizes[i]).padStart(12)} ${kib(by.get(f)?.br).padStart(12)} ${
      kib(by.get(f)?.gzip).padStart(12)
    }`
  );
  return `web/dist:${"raw".padStart(71)}${"br".padStart(13)}${"gzip".padStart(13)}\n${lines.join("\n")}\n`;
}

if (import.meta.main) {
  try {
    const files = await build();
    const compressed = await precompress(DIST, COMPRESS_CACHE);
    const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(new URL(f, DIST))).size));
    await Deno.stdout.write(new TextEncoder().encode(report(files, sizes, compressed)));
  } finally {
    await esbuild.stop();
  }
}
