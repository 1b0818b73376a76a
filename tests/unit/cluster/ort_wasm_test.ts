import assert from "node:assert/strict";
import { compileOrtWasm, useSharedOrtWasm } from "../../../server/cluster/ort_wasm.ts";

Deno.test("compileOrtWasm() compiles onnxruntime-web's WASM build", async () => {
  const module = await compileOrtWasm();
  assert.ok(module instanceof WebAssembly.Module);
  assert.ok(WebAssembly.Module.exports(module).length > 10);
});

Deno.test("useSharedOrtWasm() answers its marker with the shared module, and nothing else", async () => {
  const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]); // a valid, empty module
  const shared = await WebAssembly.compile(empty);
  const original = WebAssembly.instantiate;
  try {
    const marker = useSharedOrtWasm(shared);
    // The glue may hand over a copy of the bytes it was given.
    const fromMarker = await WebAssembly.instantiate(marker.slice(), {});
    assert.equal(fromMarker.module, shared);
    assert.ok(fromMarker.instance instanceof WebAssembly.Instance);
    const other = await WebAssembly.instantiate(empty, {});
    assert.notEqual(other.module, shared);
    await assert.rejects(
      WebAssembly.instantiate(new Uint8Array(marker.length), {}),
      WebAssembly.CompileError,
    );
  } finally {
    WebAssembly.instantiate = original;
  }
});
