/**
 * Server configuration from environment variables, parsed and checked in one place.
 *
 * Runs in Deno. Pure: the caller passes the environment, so tests need no permissions.
 * @module
 */

import { type BackendName, BACKENDS } from "../src/mod.ts";

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Everything the server can be told from outside. */
export interface Config {
  /** `PORT`. @default 8000 */
  port: number;
  /** `HOST`. @default "0.0.0.0" */
  host: string;
  /** `MODEL_DIR`: holds convnet.onnx + convnet.json. @default "models" */
  modelDir: string;
  /** `WEB_DIR`: the page's static build. @default "web/dist" */
  webDir: string;
  /** `BACKEND`: force one backend, or a comma list as the order. @default "wasm" on a server */
  backends: BackendName[];
  /** `BACKEND=auto`: WASM at once, then per-batch-size routing from a start-up measurement. */
  autoBackend: boolean;
  /** `MAX_UPLOAD_BYTES`: request body limit. @default 5 MiB */
  maxUploadBytes: number;
  /** `MAX_PIXELS`: most pixels an image may declare. @default 4 000 000 (2000×2000) */
  maxPixels: number;
  /** `MAX_BATCH_FILES`: most files in one batch request. @default 64 */
  maxBatchFiles: number;
  /** `CORS_ORIGINS`: comma list of allowed origins, `*` for any. @default none */
  corsOrigins: string[];
  /** `LOG_LEVEL`. @default "info" */
  logLevel: LogLevel;
  /** `WORKERS`: server workers, each with its own model session. @default cores */
  workers: number;
  /** `MAX_INFLIGHT`: requests a worker holds before answering 503. @default 256 */
  maxInflight: number;
  /** `BODY_TIMEOUT_MS`: time allowed to receive a request body. @default 10 000 */
  bodyTimeoutMs: number;
  /** `DECODE_TIMEOUT_MS`: longest decode of one image before it is abandoned (400). @default 2000 */
  decodeTimeoutMs: number;
  /**
   * `DRAIN_DELAY_MS`: on SIGTERM/SIGINT, how long to go on serving (readiness 503, every
   * response `Connection: close`) before the listener closes, so that a load balancer can
   * drop this instance first. @default 0 (nothing to wait for without a load balancer;
   * deploy/k8s sets 5000 for the endpoints to drop the pod)
   */
  drainDelayMs: number;
  /** `DRAIN_TIMEOUT_MS`: after DRAIN_DELAY_MS, longest wait for in-flight requests. @default 10 000 */
  drainTimeoutMs: number;
  /** `MICRO_BATCH`: run requests that queue while the model is busy as one batch. @default false */
  microBatch: boolean;
  /** `WATCH_MODELS`: reload the model when its files change. @default true (false for an embedded model) */
  watchModels: boolean;
}

/** Names of every environment variable read, for `--allow-env` and the README. */
export const ENV_NAMES = Object.freeze(
  [
    "PORT",
    "HOST",
    "MODEL_DIR",
    "WEB_DIR",
    "BACKEND",
    "MAX_UPLOAD_BYTES",
    "MAX_PIXELS",
    "MAX_BATCH_FILES",
    "CORS_ORIGINS",
    "LOG_LEVEL",
    "WORKERS",
    "MAX_INFLIGHT",
    "BODY_TIMEOUT_MS",
    "DRAIN_DELAY_MS",
    "DRAIN_TIMEOUT_MS",
    "DECODE_TIMEOUT_MS",
    "WATCH_MODELS",
    "MICRO_BATCH",
  ] as const,
);

/**
 * Copies of the model and the page that ship inside the program (a `deno compile` binary):
 * used when `MODEL_DIR` / `WEB_DIR` are unset, and never watched, since they cannot change.
 */
export interface EmbeddedDirs {
  /** Directory holding the default convnet.onnx + convnet.json. */
  modelDir: string;
  /** Directory holding the page's build. */
  webDir: string;
}

function int(env: Record<string, string | undefined>, name: string, def: number, min: number, max: number) {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Parse the configuration.
 *
 * @param env Environment variables (e.g. `Deno.env.toObject()`).
 * @param cores Logical cores, the default worker count.
 * @param embedded Default directories inside a compiled binary; without it the defaults are
 *   `models` and `web/dist` in the working directory.
 * @returns The configuration.
 * @throws {RangeError} Naming the variable that is out of range or unknown.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  cores = 1,
  embedded?: EmbeddedDirs,
): Config {
  const requested = (env.BACKEND?.trim() || "wasm").toLowerCase();
  const autoBackend = requested === "auto";
  const backends = autoBackend ? ["wasm"] : requested.split(",").map((s) => s.trim());
  for (const b of backends) {
    if (!(BACKENDS as readonly string[]).includes(b)) {
      throw new RangeError(
        `BACKEND must be auto, one of ${BACKENDS.join(", ")}, or a comma list, got "${b}"`,
      );
    }
  }
  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new RangeError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }
  const modelDir = env.MODEL_DIR?.trim();
  const watch = env.WATCH_MODELS?.trim();
  return {
    port: int(env, "PORT", 8000, 0, 65535),
    host: env.HOST?.trim() || "0.0.0.0",
    modelDir: modelDir || embedded?.modelDir || "models",
    webDir: env.WEB_DIR?.trim() || embedded?.webDir || "web/dist",
    backends: backends as BackendName[],
    autoBackend,
    maxUploadBytes: int(env, "MAX_UPLOAD_BYTES", 5 * 1024 * 1024, 1024, 1 << 30),
    maxPixels: int(env, "MAX_PIXELS", 4_000_000, 1, 1 << 30),
    maxBatchFiles: int(env, "MAX_BATCH_FILES", 64, 1, 1024),
    corsOrigins: (env.CORS_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    logLevel,
    workers: int(env, "WORKERS", Math.max(1, cores), 1, 256),
    maxInflight: int(env, "MAX_INFLIGHT", 256, 1, 1 << 20),
    bodyTimeoutMs: int(env, "BODY_TIMEOUT_MS", 10_000, 100, 600_000),
    decodeTimeoutMs: int(env, "DECODE_TIMEOUT_MS", 2000, 50, 600_000),
    drainDelayMs: int(env, "DRAIN_DELAY_MS", 0, 0, 600_000),
    drainTimeoutMs: int(env, "DRAIN_TIMEOUT_MS", 10_000, 0, 600_000),
    microBatch: /^(1|true|yes|on)$/i.test(env.MICRO_BATCH?.trim() ?? ""),
    watchModels: watch ? !/^(0|false|no|off)$/i.test(watch) : Boolean(modelDir) || !embedded,
  };
}
