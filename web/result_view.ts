/**
 * Shows a prediction: the digit large with its confidence, the ten bars, the 28×28
 * preview, and a spoken summary.
 *
 * Runs in the browser; {@linkcode describePrediction} and {@linkcode describeEmpty}
 * are pure and run anywhere. Live predictions while drawing update the view silently;
 * a final one (stroke ended, undo, upload) is also announced through an `aria-live`
 * region, so a screen reader hears one result per change, not one per frame. An answer
 * whose `isDigit` is `false` (the model's out-of-distribution verdict; a prediction
 * without the field counts as a digit) shows "Not a digit — try again" instead of a
 * number, with the bars muted. The prediction element carries `data-state` (`empty`,
 * `digit`, `not-digit`), `data-digit` (the label shown, `""` when none),
 * `data-version` (the pad change it answers), `data-final` and `data-probabilities`,
 * for tests.
 * @module
 */

/// <reference lib="dom" />

import type { PixelsPrediction } from "../src/mod.ts";
import { createProbBars, percent } from "./prob_bars.ts";
import { showPreview } from "./preview.ts";

/** A prediction as the view reads it; `isDigit` may be absent (then it is a digit). */
export type ViewPrediction = Omit<PixelsPrediction, "isDigit"> & { readonly isDigit?: boolean };

/** What the prediction element is in: nothing drawn, a digit, or an answer that is not a digit. */
export type ResultState = "empty" | "digit" | "not-digit";

/** What the view shows for one answer; see {@linkcode describePrediction}. */
export interface ResultText {
  /** `data-state`. */
  state: ResultState;
  /** `data-digit`: the label shown, `""` when there is none. */
  digit: string;
  /** The large text: the digit, or a short message in text size. */
  headline: string;
  /** Beside the headline: the confidence, or `""`. */
  confidence: string;
  /** Confidence under 60 %: the digit is shown muted. */
  unsure: boolean;
  /** What the `aria-live` region says for a final answer. */
  announcement: string;
}

/** Below this confidence a digit is shown muted. */
export const UNSURE_BELOW = 0.6;

/**
 * The text for a prediction.
 *
 * @param p The prediction (`isDigit` `undefined` counts as a digit).
 * @param labels Class labels, in output order.
 * @returns What to show and say.
 * @example
 * ```ts
 * describePrediction({ predictedClass: 7, confidence: 0.98, isDigit: false }, labels).headline;
 * // "Not a digit — try again"
 * ```
 */
export function describePrediction(
  p: Pick<ViewPrediction, "predictedClass" | "confidence" | "isDigit">,
  labels: readonly string[],
): ResultText {
  if (p.isDigit === false) {
    return {
      state: "not-digit",
      digit: "",
      headline: "Not a digit — try again",
      confidence: "",
      unsure: false,
      announcement: "Not a digit. Try again.",
    };
  }
  const label = labels[p.predictedClass] ?? String(p.predictedClass);
  return {
    state: "digit",
    digit: label,
    headline: label,
    confidence: percent(p.confidence),
    unsure: p.confidence < UNSURE_BELOW,
    announcement: `Predicted ${label}, ${Math.round(p.confidence * 100)} percent confident.`,
  };
}

/**
 * The text for a pad with nothing to classify.
 *
 * @param message What to show and say. @default "Nothing drawn yet"
 * @returns What to show and say.
 */
export function describeEmpty(message = "Nothing drawn yet"): ResultText {
  return {
    state: "empty",
    digit: "",
    headline: message,
    confidence: "",
    unsure: false,
    announcement: message,
  };
}

/** The elements the view fills. */
export interface ResultElements {
  prediction: HTMLElement;
  announce: HTMLElement;
  bars: HTMLElement;
  preview: HTMLCanvasElement;
}

/** See {@linkcode createResultView}. */
export interface ResultView {
  /** Show a prediction made from pad change `version`. */
  show(p: ViewPrediction, version: number, final: boolean): void;
  /** Show that there is nothing to classify. */
  empty(version: number, message?: string): void;
}

/**
 * Build the view over existing elements.
 *
 * @param els The elements.
 * @param labels Class labels, in output order.
 * @returns The view.
 */
export function createResultView(els: ResultElements, labels: readonly string[]): ResultView {
  const bars = createProbBars(els.bars, labels);
  const digit = els.prediction.querySelector(".digit") ?? els.prediction;
  const confidence = els.prediction.querySelector(".confidence");
  const render = (
    text: ResultText,
    version: number,
    final: boolean,
    probabilities?: readonly number[],
  ) => {
    digit.textContent = text.headline;
    if (confidence) confidence.textContent = text.confidence;
    els.prediction.classList.toggle("unsure", text.unsure);
    const d = els.prediction.dataset;
    d.state = text.state;
    d.digit = text.digit;
    d.version = String(version);
    d.final = String(final);
    if (probabilities) d.probabilities = JSON.stringify(probabilities);
    else delete d.probabilities;
    if (final) els.announce.textContent = text.announcement;
  };
  bars.show();
  showPreview(els.preview);
  return {
    show(p, version, final) {
      const text = describePrediction(p, labels);
      bars.show(p.probabilities, text.state === "not-digit");
      showPreview(els.preview, p.input);
      render(text, version, final, p.probabilities);
    },
    empty(version, message) {
      bars.show();
      showPreview(els.preview);
      render(describeEmpty(message), version, true);
    },
  };
}
