/**
 * The real application in this process, without a socket: the worker's context on the
 * bundled model (WASM) and `createApp`, so a test calls `app(new Request(...))` as
 * Fresh's test utilities do. Spawned servers stay for what needs a process: signals,
 * workers, sockets and reloads.
 *
 * Runs in Deno.
 * @module
 */

import { type Context, createContext } from "../../server/cluster/context.ts";
import { loadConfig } from "../../server/config.ts";
import { createApp } from "../../server/app.ts";
import { createLogger } from "../../server/log.ts";
import { createMetrics } from "../../server/metrics.ts";
import { ModelStore } from "../../server/model/store.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** An app and its context; `close()` releases the model and the decode worker. */
export interface TestApp {
  app: (req: Request) => Promise<Response>;
  ctx: Context;
  close(): Promise<void>;
}

/**
 * Build the app on the bundled model with the server's defaults.
 *
 * @param env Environment variables as the server reads them (`MAX_UPLOAD_BYTES`, `CORS_ORIGINS`…).
 * @returns The app, its context and `close`.
 * @example
 * ```ts
 * const { app, close } = await createTestApp();
 * const res = await app(new Request("http://localhost/health"));
 * await close();
 * ```
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    MODEL_DIR: `${ROOT}models`,
    WEB_DIR: `${ROOT}web/dist`,
    WATCH_MODELS: "false",
    LOG_LEVEL: "error",
    WORKERS: "1",
    ...env,
  });
  const log = createLogger(config.logLevel);
  const store = new ModelStore({ dir: config.modelDir, backends: config.backends, log });
  await store.load();
  const ctx = createContext({ config, store, metrics: createMetrics(), log });
  return {
    app: createApp(ctx),
    ctx,
    async close() {
      ctx.close();
      await store.close();
    },
  };
}

/**
 * A multipart request with one `file` part, as the old service's clients send it.
 *
 * @param url Where to send it.
 * @param bytes The file.
 * @param type Its content type. @default "image/png"
 * @returns The request.
 */
export function uploadRequest(url: string, bytes: Uint8Array, type = "image/png"): Request {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), "digit");
  return new Request(url, { method: "POST", body: form });
}
