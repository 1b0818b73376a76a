/**
 * Publish gate: refuses (exit 1) when a model's measured test accuracy, from its
 * metadata (`test.accuracy` in convnet.json), is missing or below a threshold. The
 * workflow runs it before building and pushing the image.
 *
 *     deno run --allow-read=models scripts/accuracy_gate.ts models/convnet.json 0.994
 *
 * Runs in Deno.
 * @module
 */

/** The gate's verdict. */
export interface GateResult {
  /** True when the model may be published. */
  ok: boolean;
  /** One line saying why. */
  message: string;
}

/**
 * Decide whether a model may be published.
 *
 * @param metadata The parsed metadata file.
 * @param threshold Lowest accepted accuracy, from 0 to 1.
 * @returns The verdict; never throws for bad metadata, which fails the gate.
 * @throws {RangeError} When the threshold is not a number from 0 to 1.
 * @example
 * ```ts
 * accuracyGate({ test: { accuracy: 0.9955 } }, 0.994); // { ok: true, … }
 * ```
 */
export function accuracyGate(metadata: unknown, threshold: number): GateResult {
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new RangeError(`Threshold must be a number from 0 to 1, got ${threshold}`);
  }
  const m = metadata as { name?: string; version?: string; test?: { accuracy?: unknown } } | null;
  const acc = m?.test?.accuracy;
  const model = `${m?.name ?? "model"} ${m?.version ?? "?"}`;
  if (typeof acc !== "number" || !Number.isFinite(acc)) {
    return { ok: false, message: `${model}: metadata has no numeric test.accuracy` };
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  return acc >= threshold
    ? { ok: true, message: `${model}: test accuracy ${pct(acc)} >= ${pct(threshold)}` }
    : {
      ok: false,
      message: `${model}: test accuracy ${pct(acc)} is below ${pct(threshold)}: not publishing`,
    };
}

if (import.meta.main) {
  const [file, raw] = Deno.args;
  if (!file || raw === undefined) {
    Deno.stderr.writeSync(new TextEncoder().encode("usage: accuracy_gate.ts METADATA.json THRESHOLD\n"));
    Deno.exit(2);
  }
  const result = accuracyGate(JSON.parse(await Deno.readTextFile(file)), Number(raw));
  (result.ok ? Deno.stdout : Deno.stderr).writeSync(
    new TextEncoder().encode(`accuracy gate: ${result.message}\n`),
  );
  Deno.exit(result.ok ? 0 : 1);
}
