/**
 * Precompresses a built site once, at build time: writes `<file>.br` (Brotli, quality
 * 11) and `<file>.gz` (gzip, level 9) beside each file worth compressing, which the
 * server sends to clients that accept them (`server/http/static_files.ts`).
 *
 * Runs in Deno (`web/build.ts`). Brotli at quality 11 takes about a minute for the two
 * ORT binaries on 2 cores, so outputs are cached by the sha256 of their input under
 * `~/.cache/mnist-web/` (`web/build.ts`): a rebuild recompresses
 * only what changed, i.e. nothing when only the page's code changed, whose files are small.
 * Files are compressed in parallel, one Web Worker per core.
 * @module
 */

import { sha256Hex } from "../src/mod.ts";

/** Extensions of files worth compressing: text, and binaries with redundancy (wasm, onnx). */
const COMPRESSIBLE = new Set(["html", "js", "mjs", "css", "json", "map", "wasm", "svg", "txt", "onnx"]);

/** Below this, the bytes saved do not pay for a second file. */
const MIN_SIZE = 1024;

/** Codings written, with their file suffix (as `server/http/static_files.ts` reads them). */
const CODINGS = [["br", ".br"], ["gzip", ".gz"]] as const;

/** What one file became: its size, and each variant's size when one was written. */
export interface Compressed {
  file: string;
  size: number;
  br?: number;
  gzip?: number;
}

/** Relative paths of every file under `dir`. */
async function walk(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (e.isFile) out.push(prefix + e.name);
  }
  return out;
}

/** A pool of at most `size` compression workers, started only when a job needs one. */
function workerPool(size: number) {
  const all: Worker[] = [];
  const idle: Worker[] = [];
  const waiting: ((w: Worker) => void)[] = [];
  const acquire = (): Worker | Promise<Worker> => {
    const free = idle.pop();
    if (free) return free;
    if (all.length < size) {
      const w = new Worker(new URL("./compress_worker.ts", import.meta.url), { type: "module" });
      all.push(w);
      return w;
    }
    return new Promise<Worker>((r) => waiting.push(r));
  };
  let next = 0;
  return {
    async run(coding: "br" | "gzip", bytes: Uint8Array): Promise<Uint8Array> {
      const worker = await acquire();
      const id = next++;
      try {
        return await new Promise<Uint8Array>((resolve, reject) => {
          worker.onmessage = (e) => e.data.id === id && resolve(e.data.bytes);
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`Compressing with ${coding} failed: ${e.message}`));
          };
          worker.postMessage({ id, coding, bytes });
        });
      } finally {
        const w = waiting.shift();
        if (w) w(worker);
        else idle.push(worker);
      }
    },
    close: () => all.forEach((w) => w.terminate()),
  };
}

/**
 * Write `.br` and `.gz` variants beside every compressible file under `dir`, each only
 * when it is smaller than the file.
 *
 * @param dir The built site (`web/dist/`).
 * @param cacheDir Where compressed outputs are kept between builds, by content hash.
 * @returns One entry per compressible file, largest first.
 * @example
 * ```ts
 * await precompress(new URL("dist/", import.meta.url), new URL("../node_modules/.cache/mnist-web/", import.meta.url));
 * ```
 */
export async function precompress(dir: URL, cacheDir: URL): Promise<Compressed[]> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const files: { file: string; size: number }[] = [];
  for (const file of await walk(dir)) {
    if (!COMPRESSIBLE.has(file.slice(file.lastIndexOf(".") + 1))) continue;
    const { size } = await Deno.stat(new URL(file, dir));
    if (size >= MIN_SIZE) files.push({ file, size });
  }
  // Largest first, so the slowest compression starts at once and the rest fill in around it.
  files.sort((a, b) => b.size - a.size);
  const pool = workerPool(Math.max(1, Math.min(navigator.hardwareConcurrency, 4, files.length)));
  try {
    return await Promise.all(files.map(async ({ file, size }): Promise<Compressed> => {
      const bytes = await Deno.readFile(new URL(file, dir));
      const hash = await sha256Hex(bytes);
      const result: Compressed = { file, size };
      await Promise.all(CODINGS.map(async ([coding, suffix]) => {
        const cached = new URL(`${hash}${suffix}`, cacheDir);
        let out: Uint8Array;
        try {
          out = await Deno.readFile(cached);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
          out = await pool.run(coding, bytes);
          // Written under a temporary name first, so an interrupted build leaves no torn entry.
          const tmp = new URL(`${hash}${suffix}.${Deno.pid}.tmp`, cacheDir);
          await Deno.writeFile(tmp, out);
          await Deno.rename(tmp, cached);
        }
        if (out.length >= size) return;
        // Written after the file itself, so it is never older (the server ignores older variants).
        await Deno.writeFile(new URL(file + suffix, dir), out);
        result[coding] = out.length;
      }));
      return result;
    }));
  } finally {
    pool.close();
  }
}
