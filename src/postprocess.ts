/**
 * Model outputs → probabilities and predictions, for batches of any size.
 *
 * Runs in Deno and the browser. A model with a "not a digit" output has one logit more
 * than it has classes; the class probabilities are then the softmax of the class logits
 * alone (what a model without that output would say: "if this is a digit, which?"), and
 * the extra logit gives the digit score the answer `isDigit` is read from.
 * @module
 */

import type { ModelMetadata } from "./metadata.ts";

/** One classified image. */
export interface Prediction {
  /** Index of the most probable class. */
  predictedClass: number;
  /** Its probability. */
  confidence: number;
  /** Probability of every class (given that the image is a digit); they sum to 1. */
  probabilities: number[];
  /**
   * Whether the image reads as one digit: {@linkcode Prediction.digitScore} is at least
   * the model's calibrated threshold. False for scribbles, dots, letters, several
   * digits, noise: `predictedClass` is then only the closest digit.
   */
  isDigit: boolean;
  /** p(digit), 0–1, from the model's "not a digit" output; 1 for a model without one. */
  digitScore: number;
}

/** Which logit says "not a digit", and the digit score below which an image is not one. */
export interface NotDigitRule {
  /** Column of the "not a digit" logit: the one after the classes'. */
  outputIndex: number;
  /** Smallest p(digit) answered as a digit. */
  threshold: number;
}

/**
 * The "not a digit" rule a model's metadata declares.
 *
 * @param metadata Checked metadata (`parseMetadata`).
 * @returns The rule for {@linkcode toPredictions}, or undefined for a model without that output.
 * @example
 * ```ts
 * const rule = notDigitRule(classifier.metadata);
 * const predictions = toPredictions(await classifier.outputs(tensor, n), 10, rule);
 * ```
 */
export function notDigitRule(metadata: Pick<ModelMetadata, "not_digit">): NotDigitRule | undefined {
  const nd = metadata.not_digit;
  return nd && { outputIndex: nd.output_index, threshold: nd.threshold };
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
 * @param logits Row-major `[batch, classes]` logits, or `[batch, classes + 1]` with `notDigit`.
 * @param classes Classes per row. @default 10
 * @param notDigit The model's "not a digit" logit and threshold; without it every row is a digit.
 * @returns Predictions in input order.
 * @throws {RangeError} When the length is not a multiple of the row width, or the rule's
 *   logit is not the one after the classes.
 * @example
 * ```ts
 * const [p] = toPredictions(await model.run(input, 1), 10, { outputIndex: 10, threshold: 0.5 });
 * console.log(p.isDigit ? p.predictedClass : "not a digit", p.digitScore);
 * ```
 */
export function toPredictions(
  logits: ArrayLike<number>,
  classes = 10,
  notDigit?: NotDigitRule,
): Prediction[] {
  if (notDigit && notDigit.outputIndex !== classes) {
    throw new RangeError(
      `The "not a digit" logit must follow the ${classes} classes, got ${notDigit.outputIndex}`,
    );
  }
  const width = notDigit ? classes + 1 : classes;
  if (classes < 1 || logits.length % width !== 0) {
    throw new RangeError(`Logits length ${logits.length} is not a multiple of ${width}`);
  }
  const out: Prediction[] = [];
  const row = new Float64Array(classes);
  for (let r = 0; r < logits.length; r += width) {
    for (let i = 0; i < classes; i++) row[i] = logits[r + i];
    const probabilities = Array.from(softmax(row, classes));
    const [best] = topK(probabilities, 1);
    let digitScore = 1;
    if (notDigit) {
      // p(digit) = Σ exp(digit logits) / Σ exp(all logits) = 1 / (1 + exp(nd − logsumexp(digits))).
      let max = -Infinity;
      for (let i = 0; i < classes; i++) max = Math.max(max, row[i]);
      let sum = 0;
      for (let i = 0; i < classes; i++) sum += Math.exp(row[i] - max);
      const margin = logits[r + classes] - (max + Math.log(sum));
      digitScore = 1 / (1 + Math.exp(margin));
    }
    out.push({
      predictedClass: best.label,
      confidence: best.probability,
      probabilities,
      isDigit: !notDigit || digitScore >= notDigit.threshold,
      digitScore,
    });
  }
  return out;
}
