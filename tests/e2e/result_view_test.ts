/**
 * `web/result_view.ts`: what the prediction element says for a digit, for an answer
 * that is not a digit, and for an empty pad (the pure part of the view). Lives beside
 * the e2e tests because it tests a `web/` module.
 * @module
 */

import assert from "node:assert/strict";
import { describeEmpty, describePrediction } from "../../web/result_view.ts";

const LABELS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

Deno.test("describePrediction() shows the digit and its confidence when isDigit is absent or true", () => {
  for (const isDigit of [undefined, true]) {
    assert.deepEqual(describePrediction({ predictedClass: 7, confidence: 0.987, isDigit }, LABELS), {
      state: "digit",
      digit: "7",
      headline: "7",
      confidence: "98.7%",
      unsure: false,
      announcement: "Predicted 7, 99 percent confident.",
    });
  }
});

Deno.test("describePrediction() marks a digit under 60 % as unsure", () => {
  const text = describePrediction({ predictedClass: 3, confidence: 0.41 }, LABELS);
  assert.equal(text.unsure, true);
  assert.equal(text.digit, "3");
});

Deno.test("describePrediction() says 'Not a digit — try again' with no number when isDigit is false", () => {
  const text = describePrediction({ predictedClass: 5, confidence: 0.999, isDigit: false }, LABELS);
  assert.deepEqual(text, {
    state: "not-digit",
    digit: "",
    headline: "Not a digit — try again",
    confidence: "",
    unsure: false,
    announcement: "Not a digit. Try again.",
  });
  assert.doesNotMatch(text.headline + text.confidence + text.announcement, /\d/);
});

Deno.test("describePrediction() falls back to the class index without a label", () => {
  assert.equal(describePrediction({ predictedClass: 4, confidence: 0.9 }, []).digit, "4");
});

Deno.test("describeEmpty() shows the message muted, with no digit", () => {
  assert.deepEqual(describeEmpty(), {
    state: "empty",
    digit: "",
    headline: "Nothing drawn yet",
    confidence: "",
    unsure: false,
    announcement: "Nothing drawn yet",
  });
  assert.equal(describeEmpty("No digit found").headline, "No digit found");
});
