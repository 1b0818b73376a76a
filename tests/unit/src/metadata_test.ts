import assert from "node:assert/strict";
import { InvalidModelError } from "../../../src/errors.ts";
import { outputColumns, parseMetadata } from "../../../src/metadata.ts";

const base = {
  name: "digitnet-m",
  version: "2.1.0",
  file: "convnet.onnx",
  sha256: "0".repeat(64),
  input: { name: "input", shape: ["batch", 1, 28, 28], dtype: "float32" },
  output: { name: "logits", shape: ["batch", 10], dtype: "float32", kind: "logits" },
  normalization: { mean: 0.1307, std: 0.3081 },
  labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
};
const withNotDigit = {
  ...base,
  output: { ...base.output, shape: ["batch", 11] },
  not_digit: { output_index: 10, score: "digit_probability", threshold: 0.25, calibration: {} },
};

Deno.test("parseMetadata() accepts a model with a 'not a digit' logit after the labels'", () => {
  const m = parseMetadata(structuredClone(withNotDigit));
  assert.equal(m.not_digit?.threshold, 0.25);
  assert.equal(outputColumns(m), 11);
  assert.equal(outputColumns(parseMetadata(structuredClone(base))), 10);
});

Deno.test("parseMetadata() rejects a not_digit block that does not fit the model", () => {
  const bad = (patch: Record<string, unknown>) => () =>
    parseMetadata({ ...structuredClone(withNotDigit), not_digit: { ...withNotDigit.not_digit, ...patch } });
  assert.throws(bad({ output_index: 9 }), InvalidModelError);
  assert.throws(bad({ threshold: 1.5 }), InvalidModelError);
  assert.throws(bad({ threshold: "0.3" }), InvalidModelError);
  assert.throws(bad({ score: "energy" }), InvalidModelError);
  // 11 logits declared without saying which is "not a digit", or the block on a 10-logit model.
  assert.throws(() => parseMetadata({ ...structuredClone(base), output: withNotDigit.output }), /11 logits/);
  assert.throws(
    () => parseMetadata({ ...structuredClone(withNotDigit), output: base.output }),
    /labels and not_digit need 11/,
  );
});
