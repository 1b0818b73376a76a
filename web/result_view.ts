/**
 * Shows a prediction: the digit large with its confidence, the ten bars, the 28×28
 * preview, and a spoken summary.
 *
 * Runs in the browser. Live predictions while drawing update the view silently; a
 * final one (stroke ended, undo, upload) is also announced through an `aria-live`
 * region, so a screen reader hears one result per change, not one per frame. The
 * prediction element carries `data-version` (the pad change it answers), `data-final`
 * and `data-probabilities`, for tests.
 * @module
 */

/// <reference lib="dom" />

import type { PixelsPrediction } from "../src/mod.ts";
import { createProbBars, percent } from "./prob_bars.ts";
import { showPreview } from "./preview.ts";

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
  show(p: PixelsPrediction, version: number, final: boolean): void;
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
  const mark = (version: number, final: boolean, probabilities?: readonly number[]) => {
    const d = els.prediction.dataset;
    d.version = String(version);
    d.final = String(final);
    if (probabilities) d.probabilities = JSON.stringify(probabilities);
    else delete d.probabilities;
  };
  bars.show();
  showPreview(els.preview);
  return {
    show(p, version, final) {
      const label = labels[p.predictedClass] ?? String(p.predictedClass);
      digit.textContent = label;
      if (confidence) confidence.textContent = percent(p.confidence);
      els.prediction.classList.toggle("unsure", p.confidence < 0.6);
      bars.show(p.probabilities);
      showPreview(els.preview, p.input);
      mark(version, final, p.probabilities);
      if (final) {
        els.announce.textContent = `Predicted ${label}, ${Math.round(p.confidence * 100)} percent confident.`;
      }
    },
    empty(version, message = "Nothing drawn") {
      digit.textContent = "–";
      if (confidence) confidence.textContent = "";
      els.prediction.classList.remove("unsure");
      bars.show();
      showPreview(els.preview);
      mark(version, true);
      els.announce.textContent = message;
    },
  };
}
