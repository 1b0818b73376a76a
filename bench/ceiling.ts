/**
 * The in-process ceiling: the real request handler (routing, multipart, decode,
 * pre-processing, WASM inference, JSON, metrics) called without a socket, one request
 * at a time, on one thread. Ceiling = cores ÷ median time per request.
 *
 *     deno run -A bench/ceiling.ts [image.png …]     # prints one JSON line per image
 *
 * `deno task load` runs it in a child process before its wrk rounds.
 */
// deno-lint-ignore-file no-console
import { createTestApp } from "../tests/support/app_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** A multipart upload of `bytes` as the old clients send it: body and content type. */
async function upload(bytes: Uint8Array): Promise<{ body: Uint8Array<ArrayBuffer>; type: string }> {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/png" }), "digit.png");
  const req = new Request("http://localhost/", { method: "POST", body: form });
  return { body: new Uint8Array(await req.arrayBuffer()), type: req.headers.get("content-type")! };
}

/**
 * Median milliseconds per request of the whole handler on one image.
 *
 * @param handler The app's handler.
 * @param image PNG bytes.
 * @param runs Timed requests, after as many warm-up requests.
 */
export async function handlerMedianMs(
  handler: (req: Request) => Promise<Response>,
  image: Uint8Array,
  runs = 3000,
): Promise<number> {
  const { body, type } = await upload(image);
  const times: number[] = [];
  for (let i = 0; i < 2 * runs; i++) {
    const t = performance.now();
    const res = await handler(
      new Request("http://localhost/api/v1/predict", {
        method: "POST",
        body,
        headers: { "content-type": type },
      }),
    );
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    if (i >= runs) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

if (import.meta.main) {
  const { app: handler, close } = await createTestApp();
  const images = Deno.args.length ? Deno.args : [`${ROOT}tests/testdata/images/7_bench.png`];
  const cores = navigator.hardwareConcurrency;
  for (const path of images) {
    const ms = await handlerMedianMs(handler, await Deno.readFile(path));
    console.log(JSON.stringify({ image: path, handler_ms: ms, cores, ceiling_rps: (cores * 1000) / ms }));
  }
  await close();
}
