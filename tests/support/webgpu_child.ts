/**
 * WebGPU in Deno for the tests, in child processes: whether an adapter exists, and a model's logits.
 *
 * Why children: one CI run of the whole suite passed every test and then aborted at the
 * runner's exit with glibc's "corrupted size vs. prev_size in fastbins" (exit 134). The
 * runner then held a WebGPU device (Mesa's lavapipe on a CPU machine), and a Vulkan device
 * still alive at process exit is a known source of crashes at termination (wgpu reports
 * them). Now the runner loads no Vulkan driver at all; the child destroys its device before
 * it exits, and the parent checks the child's exit status, so a crash at teardown fails the
 * test that caused it and says so.
 *
 * Run as a script, it prints one JSON line: `deno run --allow-read --allow-env
 * tests/support/webgpu_child.ts logits DIR JSON BATCH` reads `BATCH × 784` float32 values on
 * stdin; `… tests/support/webgpu_child.ts adapter` describes the adapter, or null.
 * @module
 */

import { createClassifier, NoBackendError } from "../../src/mod.ts";
import { readModel } from "../model_validation/model_files.ts";

/** The child's answer: logits on WebGPU, or why there is no WebGPU adapter here. */
export type WebGpuLogits =
  | { backend: string; logits: Float32Array }
  | { unavailable: string };

/**
 * Run a model directory's ONNX file on WebGPU in a child process.
 *
 * @param dir Model directory.
 * @param json Its metadata file's name.
 * @param input `batch` normalised 28×28 images.
 * @param batch How many images.
 * @returns The logits and the backend used, or `unavailable` when no adapter exists.
 * @throws {Error} When the child fails or exits with anything but 0 (stderr attached).
 */
export async function webgpuLogits(
  dir: string,
  json: string,
  input: Float32Array,
  batch: number,
): Promise<WebGpuLogits> {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const answer = await askChild(["logits", dir, json, String(batch)], bytes);
  return "unavailable" in answer
    ? answer
    : { backend: answer.backend, logits: Float32Array.from(answer.logits) };
}

/**
 * Whether this machine has a WebGPU adapter, asked in a child process so that the test
 * runner loads no Vulkan driver.
 *
 * @returns The adapter's description, or undefined when there is none.
 */
export async function webgpuAdapter(): Promise<string | undefined> {
  return (await askChild(["adapter"])) ?? undefined;
}

/** Run this file as a child with `args` (and `stdin`); its one JSON line, parsed. */
// deno-lint-ignore no-explicit-any
async function askChild(args: string[], stdin?: Uint8Array): Promise<any> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", import.meta.filename!, ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const { code, signal, stdout, stderr } = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (code !== 0) {
    throw new Error(`WebGPU child (${args[0]}) exited with ${signal ?? code}:\n${text(stderr).slice(-2000)}`);
  }
  return JSON.parse(text(stdout).trim().split("\n").at(-1)!);
}

/** The child's one line of output. */
function answer(value: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(value) + "\n");
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at)); // a pipe may take part
}

async function printAdapter(): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const a = await (navigator as any).gpu?.requestAdapter().catch(() => null);
  answer(a ? a.info?.description || a.info?.vendor || "adapter" : null);
}

async function printLogits([dir, json, batchArg]: string[]): Promise<void> {
  const batch = Number(batchArg);
  const bytes = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
  const input = new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  const model = await readModel(dir, json);
  const gpu = await createClassifier(model.bytes, model.metadata, { backend: "webgpu" }).catch((e) => e);
  if (gpu instanceof NoBackendError && gpu.attempts.every((a) => a.status === "not available")) {
    answer({ unavailable: gpu.message });
    return;
  }
  if (gpu instanceof Error) throw gpu;
  const logits = await gpu.outputs(input, batch); // every output, "not a digit" included
  await gpu.release();
  // The same module instance the backend loaded: destroy its device so that no driver
  // work is left for the process exit.
  const ort = await import("onnxruntime-web/webgpu");
  const device = await ort.env.webgpu.device as { destroy(): void };
  device.destroy();
  answer({ backend: gpu.backend, logits: Array.from(logits) });
}

if (import.meta.main) await (Deno.args[0] === "adapter" ? printAdapter() : printLogits(Deno.args.slice(1)));
