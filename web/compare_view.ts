/**
 * "Compare with server": the page's and the server's answers side by side.
 *
 * Runs in the browser. Each side states the digit, its confidence, the backend and
 * model that produced it; below, the largest difference between the two probability
 * vectors. Full-precision probabilities sit in `data-probabilities` for tests.
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
  /** Backend and model, e.g. "WebGPU · model 2.0.0". */
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

function card(answer: Answer, testId: string): HTMLElement {
  const el = document.createElement("div");
  el.className = "answer";
  el.dataset.testid = testId;
  el.dataset.probabilities = JSON.stringify(answer.probabilities);
  const title = document.createElement("h3");
  title.textContent = answer.who;
  const digit = document.createElement("p");
  digit.className = "answer-digit";
  digit.textContent = `${answer.predictedClass} `;
  const conf = document.createElement("span");
  conf.textContent = percent(answer.confidence);
  digit.append(conf);
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
  summary.textContent =
    (page.predictedClass === server.predictedClass ? "Same digit. " : "Different digits. ") +
    `Largest probability difference: ${diff.toExponential(1)}.`;
  const pair = document.createElement("div");
  pair.className = "answers";
  pair.append(card(page, "compare-page"), card(server, "compare-server"));
  out.replaceChildren(pair, summary);
}
