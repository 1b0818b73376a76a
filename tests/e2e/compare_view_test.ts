/**
 * `web/compare_view.ts`: the probability difference between the page and the server,
 * written for people. Lives beside the e2e tests because it tests a `web/` module.
 * @module
 */

import assert from "node:assert/strict";
import { comparisonSummary, formatDifference, maxDifference } from "../../web/compare_view.ts";

Deno.test("formatDifference() says 'identical' for 0 and never uses exponents", () => {
  const cases: [number, string][] = [
    [0, "identical"],
    [1e-9, "less than 0.0001%"],
    [1.19e-7, "less than 0.0001%"],
    [9.99e-7, "less than 0.0001%"],
    [1e-6, "0.0001%"],
    [1.234e-6, "0.00012%"],
    [1.2e-5, "0.0012%"],
    [0.00345, "0.34%"],
    [0.034, "3.4%"],
    [1, "100%"],
    [-0.01, "1%"],
    [Infinity, "not comparable"],
    [NaN, "not comparable"],
  ];
  for (const [diff, text] of cases) {
    assert.equal(formatDifference(diff), text, `formatDifference(${diff})`);
    assert.doesNotMatch(formatDifference(diff), /e[+-]/);
  }
});

Deno.test("comparisonSummary() names the digits and the difference in one sentence", () => {
  assert.equal(comparisonSummary(true, 0), "Same digit, identical probabilities.");
  assert.equal(
    comparisonSummary(true, 1.2e-7),
    "Same digit. Largest probability difference: less than 0.0001%.",
  );
  assert.equal(comparisonSummary(false, 0.25), "Different digits. Largest probability difference: 25%.");
  assert.match(comparisonSummary(true, maxDifference([0.5, 0.5], [1])), /not comparable/);
  // A scribble: neither side states a digit as the answer.
  assert.match(comparisonSummary(true, 0, { page: true, server: true }), /^Both say not a digit/);
  assert.match(comparisonSummary(true, 0.01, { page: true, server: false }), /^Different answers/);
});
