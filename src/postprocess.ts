/**
 * Model outputs → probabilities and predictions, for batches of any size.
 *
 * Runs in Deno and the browser.
 * @module
 */

/** One classified image. */
export interface Prediction {
  /** Index of the most probable class. */
  predictedClass: number;
  /** Its probability. */
  confidence: number;
  /** Probability of every class; they sum to 1. */
  probabilities: number[];
}

/**
 * Numerically stable softmax of each row of a `[batch, classes]` logits array.
 *
 * @param logits Row-major logits.
 * @param classes Values per row. @default 10
 * @returns Probabilities, same layout.
 * @throws {RangeError} When the length is not a multiple of `classes`.
 */
export function softmax(logits: ArrayLike<number>, classes = 10): Float32Array {
  if (classes < 1 || logits.length % classes !== 0) {
    throw new RangeError(`Logits length ${logits.length} is not a multiple of ${classes}`);
  }
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += classes) {
    let max = -Infinity;
    for (let i = 0; i < classes; i++) max = Math.max(max, logits[r + i]);
    let sum = 0;
    for (let i = 0; i < classes; i++) sum += out[r + i] = Math.exp(logits[r + i] - max);
    for (let i = 0; i < classes; i++) out[r + i] /= sum;
  }
  return out;
}

/**
 * The `k` most probable classes of one probability row, best first (ties: lower index first).
 *
 * @param probabilities One row.
 * @param k How many. @default 3
 * @returns `{ label, probability }` pairs.
 */
export function topK(probabilities: ArrayLike<number>, k = 3): { label: number; probability: number }[] {
  return Array.from(probabilities, (probability, label) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability || a.label - b.label)
    .slice(0, Math.max(0, k));
}

/**
 * Logits of a batch → one {@linkcode Prediction} per row.
 *
 * @param logits Row-major `[batch, classes]` logits.
 * @param classes Values per row. @default 10
 * @returns Predictions in input order.
 * @example
 * ```ts
 * const [p] = toPredictions(await model.run(input, 1));
 * console.log(p.predictedClass, p.confidence);
 * ```
 */
export function toPredictions(logits: ArrayLike<number>, classes = 10): Prediction[] {
  const probs = softmax(logits, classes);
  const out: Prediction[] = [];
  for (let r = 0; r < probs.length; r += classes) {
    const row = Array.from(probs.subarray(r, r + classes));
    const [best] = topK(row, 1);
    out.push({ predictedClass: best.label, confidence: best.probability, probabilities: row });
  }
  return out;
}
