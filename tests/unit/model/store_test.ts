import assert from "node:assert/strict";
import { createLogger } from "../../../server/log.ts";
import { ModelStore } from "../../../server/model/store.ts";
import { copyModelDir, ROOT } from "../../support/test_utils.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const log = createLogger("error");

/** Run `fn` on a fresh copy of the model directory, removed afterwards. */
async function withModelDir(fn: (dir: string) => Promise<void>) {
  const dir = await copyModelDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const realFiles = async () => ({
  json: await Deno.readTextFile(`${ROOT}models/convnet.json`),
  onnx: await Deno.readFile(`${ROOT}models/convnet.onnx`),
});

Deno.test({
  name: "ModelStore: the first load takes the initial files, later loads read the directory",
  ...opts,
  fn: () =>
    withModelDir(async (dir) => {
      // The directory already holds garbage, as when another worker read it just before a bad deploy.
      await Deno.writeFile(`${dir}/convnet.onnx`, crypto.getRandomValues(new Uint8Array(5000)));
      const initial = await realFiles();
      const store = new ModelStore({ dir, backends: ["wasm"], log, initial });
      await store.load();
      const sha = JSON.parse(initial.json).sha256;
      assert.equal(store.current.metadata.sha256, sha);
      assert.deepEqual(store.files?.onnx, initial.onnx);

      await store.load(); // now from the directory: rejected, the initial model keeps serving
      assert.equal(store.current.metadata.sha256, sha);
      assert.equal(store.history.at(-1)?.ok, false);
      assert.match(store.history.at(-1)?.error ?? "", /sha256 [0-9a-f]+ does not match metadata/);
      await store.close();
    }),
});

Deno.test({
  name: "ModelStore: loading the same files again keeps the classifier and records nothing",
  ...opts,
  fn: () =>
    withModelDir(async (dir) => {
      const store = new ModelStore({ dir, backends: ["wasm"], log });
      await store.load();
      const first = store.current;
      const events = store.history.length;
      await store.load();
      assert.equal(store.current, first);
      assert.equal(store.history.length, events);
      await store.close();
    }),
});

Deno.test({
  name: "ModelStore: initial files with broken metadata fail the first load",
  ...opts,
  async fn() {
    const store = new ModelStore({
      dir: `${ROOT}models`,
      backends: ["wasm"],
      log,
      initial: { json: "{", onnx: new Uint8Array(1) },
    });
    await assert.rejects(() => store.load(), /initial convnet\.json/);
  },
});
