/**
 * `traceStrokes()` turns MNIST digits into pen paths that stay on the ink.
 * @module
 */

import assert from "node:assert/strict";
import { loadMnist } from "../support/mnist_idx.ts";
import { traceStrokes } from "./mnist_strokes.ts";

Deno.test("traceStrokes() walks the skeleton of MNIST digits along their ink", async () => {
  const mnist = await loadMnist("t10k");
  for (let i = 0; i < 50; i++) {
    const image = mnist.image(i);
    const strokes = traceStrokes(image);
    assert.ok(strokes.length >= 1 && strokes.length <= 4, `#${i}: ${strokes.length} strokes`);
    for (const stroke of strokes) {
      for (let k = 0; k < stroke.length; k++) {
        const { x, y } = stroke[k];
        assert.ok(image[Math.floor(y * 28) * 28 + Math.floor(x * 28)] > 96, `#${i}: point off the ink`);
        if (k === 0) continue;
        const step = Math.max(Math.abs(x - stroke[k - 1].x), Math.abs(y - stroke[k - 1].y)) * 28;
        assert.ok(step <= 1 + 1e-9, `#${i}: jump of ${step} px inside a stroke`);
      }
    }
  }
});
