/**
 * The live model: loaded from the model directory, validated, and swapped atomically
 * when its files change. A model that fails validation is rejected and the old one
 * keeps serving.
 *
 * Runs in Deno.
 * @module
 */

import {
  type BackendName,
  type Classifier,
  createClassifier,
  InvalidModelError,
  type ModelMetadata,
  parseMetadata,
} from "../../src/mod.ts";
import type { Logger } from "../log.ts";

/** The metadata file the store reads; it names the ONNX file beside it. */
export const METADATA_FILE = "convnet.json";

/** What the last load or reload did, for `/api/info`. */
export interface ReloadStatus {
  ok: boolean;
  at: string;
  /** sha256 of the model now serving after this event. */
  sha256?: string;
  version?: string;
  error?: string;
}

/** A model's metadata text and ONNX bytes, as read from the model directory. */
export interface ModelFiles {
  json: string;
  onnx: Uint8Array;
}

/** Options of {@linkcode ModelStore}. */
export interface ModelStoreOptions {
  dir: string;
  backends: BackendName[];
  /** The WASM build's binary for onnxruntime-web (see cluster/ort_wasm.ts). */
  wasmBinary?: Uint8Array;
  log: Logger;
  /** Called after each model goes live (metrics, logs). */
  onSwap?: (classifier: Classifier) => void;
  /** How long a replaced model stays usable for requests that already hold it. @default 10 000 */
  graceMs?: number;
  /**
   * Files another worker already read from `dir` and validated: the first load takes
   * these instead of reading the directory, so every worker starts on the same model.
   */
  initial?: ModelFiles;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Raised at start when the model directory or its files are missing or unreadable. */
export class ModelMissingError extends Error {
  override name = "ModelMissingError";
}

/** Holds the current classifier and reloads it from disk. */
export class ModelStore {
  #current: Classifier | undefined;
  #files: ModelFiles | undefined;
  #history: ReloadStatus[] = [];
  #loading: Promise<void> | undefined;
  #watcher: Deno.FsWatcher | undefined;
  #opts: ModelStoreOptions;
  #initial: ModelFiles | undefined;

  constructor(opts: ModelStoreOptions) {
    this.#opts = opts;
    this.#initial = opts.initial;
  }

  /** The classifier serving now; throws before the first successful load. */
  get current(): Classifier {
    if (!this.#current) throw new Error("The model is not loaded yet");
    return this.#current;
  }

  /** The live model's files as loaded, so the page gets exactly the model the API serves. */
  get files(): ModelFiles | undefined {
    return this.#files;
  }

  /** True once a model passed validation and a warm-up inference. */
  get ready(): boolean {
    return this.#current !== undefined;
  }

  /** Recent load events, newest last (at most 10). */
  get history(): readonly ReloadStatus[] {
    return this.#history;
  }

  /** Read the model files from the directory (or take the initial ones, once) and parse the metadata. */
  async #read(): Promise<ModelFiles & { meta: ModelMetadata }> {
    const given = this.#initial;
    this.#initial = undefined;
    if (given) {
      try {
        return { meta: parseMetadata(JSON.parse(given.json)), ...given };
      } catch (e) {
        throw new InvalidModelError(`initial ${METADATA_FILE}: ${(e as Error).message}`);
      }
    }
    const dir = this.#opts.dir;
    const metaPath = `${dir}/${METADATA_FILE}`;
    let text: string;
    try {
      text = await Deno.readTextFile(metaPath);
    } catch (e) {
      throw new ModelMissingError(
        `Cannot read ${metaPath} (${(e as Error).name}): set MODEL_DIR to a directory holding ` +
          `${METADATA_FILE} and its ONNX file, e.g. the repository's models/ (see README, "Model")`,
      );
    }
    let meta;
    try {
      meta = parseMetadata(JSON.parse(text));
    } catch (e) {
      throw new InvalidModelError(`${metaPath}: ${(e as Error).message}`);
    }
    // parseMetadata allows only a plain file name, and symlinks must not lead out either.
    const onnxPath = `${dir}/${meta.file}`;
    await this.#assertInside(dir, [metaPath, onnxPath]);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(onnxPath);
    } catch (e) {
      throw new ModelMissingError(`Cannot read ${onnxPath} (${(e as Error).name}), named by ${metaPath}`);
    }
    return { meta, json: text, onnx: bytes };
  }

  /** Refuse files whose real path lies outside the model directory (a symlink out of it). */
  async #assertInside(dir: string, paths: string[]): Promise<void> {
    const root = await Deno.realPath(dir);
    for (const p of paths) {
      const real = await Deno.realPath(p).catch(() => p);
      if (!real.startsWith(root + "/")) {
        throw new InvalidModelError(`${p} resolves to ${real}, outside the model directory ${root}`);
      }
    }
  }

  /**
   * Load (or reload) the model. The first call throws on failure; later calls keep
   * the old model on failure and record why.
   */
  load(): Promise<void> {
    // Coalesce: a reload requested while one runs waits for it, then runs once more.
    const run = async () => {
      const at = new Date().toISOString();
      try {
        const read = await this.#read();
        const prev = this.#current;
        // The same files again (a touch, or a check after watching began): nothing to load.
        if (prev && this.#files && read.json === this.#files.json && sameBytes(read.onnx, this.#files.onnx)) {
          return;
        }
        const next = await createClassifier(read.onnx, read.meta, {
          order: this.#opts.backends,
          wasmBinary: this.#opts.wasmBinary,
        });
        if (prev && prev.metadata.sha256 === next.metadata.sha256) {
          await next.release();
          return;
        }
        this.#current = next;
        this.#files = { json: read.json, onnx: read.onnx };
        this.#opts.onSwap?.(next);
        this.#record({ ok: true, at, sha256: next.metadata.sha256, version: next.metadata.version });
        this.#opts.log.info(prev ? "model reloaded" : "model loaded", {
          version: next.metadata.version,
          sha256: next.metadata.sha256,
          backend: next.backend,
          attempts: next.attempts,
        });
        if (prev) setTimeout(() => prev.release().catch(() => undefined), this.#opts.graceMs ?? 10_000);
      } catch (e) {
        const error = (e as Error).message;
        this.#record({ ok: false, at, error, sha256: this.#current?.metadata.sha256 });
        if (!this.#current) throw e;
        this.#opts.log.warn("model rejected, previous model still serving", { error });
      }
    };
    const next = (this.#loading ?? Promise.resolve()).then(run, run);
    this.#loading = next.catch(() => undefined);
    return next;
  }

  #record(s: ReloadStatus) {
    this.#history.push(s);
    if (this.#history.length > 10) this.#history.shift();
  }

  /** Reload when files in the model directory change (debounced). */
  watch(debounceMs = 250): void {
    if (this.#watcher) return;
    const watcher = Deno.watchFs(this.#opts.dir, { recursive: false });
    this.#watcher = watcher;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      try {
        for await (const ev of watcher) {
          if (ev.kind === "access") continue;
          clearTimeout(timer);
          timer = setTimeout(() => this.load().catch(() => undefined), debounceMs);
        }
      } catch (e) {
        this.#opts.log.warn("model directory watch stopped", { error: (e as Error).message });
      }
    })();
  }

  /** Stop watching and free the model. */
  async close(): Promise<void> {
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#current?.release();
  }
}
