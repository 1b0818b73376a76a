/**
 * "Compare with server": the page's and the server's answers side by side.
 *
 * Runs in the browser; {@linkcode formatDifference} and {@linkcode comparisonSummary}
 * are pure and run anywhere. Each side states the digit, its confidence, the backend
 * and model that produced it; below, the largest difference between the two
 * probability vectors, in words a person reads ("identical", "less than 0.0001%"),
 * not `0.0e+0`. Full-precision values sit in `data-probabilities` and
 * `data-max-difference` for tests.
 * @module
 */

/// <reference lib="dom" />

import type { Prediction } from "../src/mod.ts";
import { percent } from "./prob_bars.ts";
import type { ServerPrediction } from "./server_api.ts";

/** One side of the comparison. */
export interface Answer {
  who: string;
  predictedClass: number;
  confidence: number;
  probabilities: readonly number[];
  /** False when this side says the drawing is not a digit. */
  isDigit: boolean;
  /** Backend and model, e.g. "WebGPU · model 2.1.0". */
  engine: string;
}

/** The page's own answer. */
export const pageAnswer = (p: Prediction, engine: string): Answer => ({ who: "This page", ...p, engine });

/** The server's answer. */
export const serverAnswer = (s: ServerPrediction): Answer => ({
  who: "Server",
  predictedClass: s.predicted_class,
  confidence: s.confidence,
  probabilities: s.probabilities,
  isDigit: s.is_digit ?? true,
  engine: [s.backend, s.model_version && `model ${s.model_version}`].filter(Boolean).join(" · "),
});

/**
 * Largest absolute difference between two probability vectors.
 *
 * @returns The difference, or Infinity when their lengths differ.
 */
export function maxDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** Differences below this (0.0001 percentage points) are shown as "less than 0.0001%". */
export const SMALLEST_SHOWN = 1e-6;

/**
 * A difference between two probabilities, for people: in percentage points with two
 * significant digits, and never in exponent notation.
 *
 * @param diff The absolute difference, 0–1 (Infinity or NaN: the vectors differ in length).
 * @returns "identical" for 0, "less than 0.0001%" below {@linkcode SMALLEST_SHOWN},
 *   otherwise e.g. "0.0012%" or "3.4%"; "not comparable" when not finite.
 * @example
 * ```ts
 * formatDifference(0); // "identical"
 * formatDifference(1.2e-7); // "less than 0.0001%"
 * formatDifference(0.034); // "3.4%"
 * ```
 */
export function formatDifference(diff: number): string {
  if (!Number.isFinite(diff)) return "not comparable";
  const d = Math.abs(diff);
  if (d === 0) return "identical";
  if (d < SMALLEST_SHOWN) return `less than ${(SMALLEST_SHOWN * 100).toFixed(4)}%`;
  // toPrecision switches to exponents only below 1e-6, and d * 100 is at least 1e-4 here.
  return `${Number((d * 100).toPrecision(2))}%`;
}

/**
 * The sentence under the two answers.
 *
 * @param sameDigit Whether both sides predict the same class.
 * @param diff The largest absolute probability difference ({@linkcode maxDifference}).
 * @param notDigit Which sides say the drawing is not a digit. @default neither
 * @returns E.g. "Same digit, identical probabilities." or "Same digit. Largest
 *   probability difference: less than 0.0001%."
 */
export function comparisonSummary(
  sameDigit: boolean,
  diff: number,
  notDigit: { page: boolean; server: boolean } = { page: false, server: false },
): string {
  const digits = notDigit.page && notDigit.server
    ? "Both say not a digit"
    : notDigit.page !== notDigit.server
    ? "Different answers (one says not a digit)"
    : sameDigit
    ? "Same digit"
    : "Different digits";
  if (diff === 0) return `${digits}, identical probabilities.`;
  if (!Number.isFinite(diff)) {
    return `${digits}. The probabilities are not comparable (different class counts).`;
  }
  return `${digits}. Largest probability difference: ${formatDifference(diff)}.`;
}

function card(answer: Answer, testId: string): HTMLElement {
  const el = document.createElement("div");
  el.className = "answer";
  el.dataset.testid = testId;
  el.dataset.probabilities = JSON.stringify(answer.probabilities);
  const title = document.createElement("h3");
  title.textContent = answer.who;
  const digit = document.createElement("p");
  digit.className = "answer-digit";
  if (answer.isDigit) {
    digit.textContent = `${answer.predictedClass} `;
    const conf = document.createElement("span");
    conf.textContent = percent(answer.confidence);
    digit.append(conf);
  } else {
    digit.textContent = "Not a digit";
    digit.classList.add("not-digit");
  }
  el.dataset.isDigit = String(answer.isDigit);
  const engine = document.createElement("p");
  engine.className = "answer-engine";
  engine.textContent = answer.engine;
  el.append(title, digit, engine);
  return el;
}

/**
 * Show both answers in `out`, replacing what was there.
 *
 * @param out The container.
 * @param page The page's answer.
 * @param server The server's answer.
 */
export function showComparison(out: HTMLElement, page: Answer, server: Answer): void {
  const diff = maxDifference(page.probabilities, server.probabilities);
  const summary = document.createElement("p");
  summary.className = "answer-summary";
  summary.dataset.maxDifference = String(diff);
  summary.textContent = comparisonSummary(page.predictedClass === server.predictedClass, diff, {
    page: !page.isDigit,
    server: !server.isDigit,
  });
  const pair = document.createElement("div");
  pair.className = "answers";
  pair.append(card(page, "compare-page"), card(server, "compare-server"));
  out.replaceChildren(pair, summary);
}
