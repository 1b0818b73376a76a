/**
 * Helpers shared by the test suites: start the real server process on a free port.
 * @module
 */

/** A running server process. */
export interface ServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  process: Deno.ChildProcess;
  /** Every stdout/stderr line so far (JSON logs). */
  logs: string[];
  /** Resolves with the exit code when the process ends by itself (logs complete). */
  exited: Promise<number>;
  /** Send SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** A copy of the production model in a temporary directory a test may change. */
export async function copyModelDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mnist-models-" });
  for (const f of ["convnet.onnx", "convnet.json"]) await Deno.copyFile(`${ROOT}models/${f}`, `${dir}/${f}`);
  return dir;
}

/**
 * The exit code of a server expected to stop by itself, or `timeoutCode` when it is
 * still running after `ms` (it is then killed).
 */
export async function exitWithin(srv: ServerHandle, ms = 20_000, timeoutCode = -1): Promise<number> {
  const code = await Promise.race([
    srv.exited,
    new Promise<number>((r) => setTimeout(() => r(timeoutCode), ms)),
  ]);
  await srv.stop("SIGKILL");
  return code;
}

/**
 * POST one image to `/api/v1/predict` as the old clients do: multipart field `file`.
 *
 * @param url The server's base URL.
 * @param bytes The file's bytes.
 * @param name Its file name. @default "image.png"
 * @param type Its content type. @default "image/png"
 * @returns The response, unread.
 */
export async function postPredict(
  url: string,
  bytes: Uint8Array,
  name = "image.png",
  type = "image/png",
): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
  return await fetch(`${url}/api/v1/predict`, { method: "POST", body: form });
}

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/** Project root (this file lives in tests/). */
export const ROOT = new URL("../../", import.meta.url).pathname;

const ENV_WORD = /^[A-Z_][A-Z0-9_]*=\S*$/;

function startTaskWords(): string[] {
  const start = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks.start;
  return (typeof start === "string" ? start : start.command).split(/\s+/);
}

/** The environment the start task sets before `deno` (allocator settings). */
export function startTaskEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const w of startTaskWords()) {
    if (!ENV_WORD.test(w)) break;
    const [k, v] = w.split("=");
    env[k] = v;
  }
  return env;
}

/**
 * The start task's `deno` arguments from deno.json, so tests run the server with the
 * same permissions users get; `extraRead` widens `--allow-read` (temporary model dirs).
 */
export function startTaskArgs(extraRead: string[] = []): string[] {
  const args: string[] = startTaskWords().filter((w) => !ENV_WORD.test(w)).slice(1);
  return args.map((a) =>
    a.startsWith("--allow-read=") && extraRead.length ? `${a},${extraRead.join(",")}` : a
  );
}

/**
 * Start `server/main.ts` with the start task's flags and wait until `/ready` answers 200.
 *
 * @param env Extra environment (MODEL_DIR, WORKERS…).
 * @param options `args` replaces the deno arguments (permissions); `waitReady: false` returns at once.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: { args?: string[]; waitReady?: boolean; timeoutMs?: number } = {},
): Promise<ServerHandle> {
  const port = freePort();
  const args = options.args ?? startTaskArgs(env.MODEL_DIR ? [env.MODEL_DIR] : []);
  const process = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: {
      ...startTaskEnv(),
      HOST: "127.0.0.1",
      PORT: String(port),
      WORKERS: "1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoderStream();
    let buf = "";
    for await (const chunk of stream.pipeThrough(decoder as unknown as TransformStream<Uint8Array, string>)) {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      logs.push(...lines);
    }
    if (buf) logs.push(buf);
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const status = process.status.then((s) => {
    exited = true;
    return s;
  });
  const handle: ServerHandle = {
    url,
    port,
    process,
    logs,
    exited: status.then(async (s) => {
      await pumps;
      return s.code;
    }),
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) {
        try {
          process.kill(signal);
        } catch { /* already gone */ }
      }
      const s = await status;
      await pumps;
      return s.code;
    },
  };
  if (options.waitReady === false) return handle;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Server exited early:\n${logs.join("\n")}`);
    try {
      const r = await fetch(`${url}/ready`);
      await r.body?.cancel();
      if (r.status === 200) return handle;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.stop("SIGKILL");
  throw new Error(`Server not ready within ${options.timeoutMs ?? 60_000} ms:\n${logs.join("\n")}`);
}
