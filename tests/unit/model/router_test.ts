import assert from "node:assert/strict";
import { chooseBackend, WEBGPU_MARGIN } from "../../../server/model/router.ts";

Deno.test("chooseBackend: WebGPU only when it wins by the margin", () => {
  assert.equal(chooseBackend({ wasm: 0.2, webgpu: 14 }), "wasm");
  assert.equal(chooseBackend({ wasm: 35, webgpu: 53 }), "wasm"); // the H100 host at batch 256
  assert.equal(chooseBackend({ wasm: 100, webgpu: 100 * WEBGPU_MARGIN + 0.5 }), "wasm"); // a near tie
  assert.equal(chooseBackend({ wasm: 100, webgpu: 100 * WEBGPU_MARGIN - 0.5 }), "webgpu");
  assert.equal(chooseBackend({ wasm: 72, webgpu: 43 }), "webgpu");
});

Deno.test("chooseBackend: a missing or broken measurement never wins", () => {
  assert.equal(chooseBackend({ wasm: 1 }), "wasm");
  assert.equal(chooseBackend({ wasm: 1, webgpu: NaN }), "wasm");
  assert.equal(chooseBackend({ wasm: Infinity, webgpu: 5 }), "webgpu");
  assert.equal(chooseBackend({ webgpu: 5 }), "webgpu");
});
