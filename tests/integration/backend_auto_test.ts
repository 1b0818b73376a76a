/**
 * `BACKEND=auto` on the real server: ready on WASM at once, then a start-up
 * measurement of WASM against WebGPU (Mesa's lavapipe here, a real GPU where there is
 * one) that `/api/info` reports and that decides where each batch size goes.
 */
import assert from "node:assert/strict";
import { chooseBackend } from "../../server/model/router.ts";
import { copyModelDir, postPredict, ROOT, startServer } from "../support/test_utils.ts";
import { webgpuAdapter } from "../support/webgpu_child.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "BACKEND=auto measures both backends and routes by batch size",
  ...opts,
  async fn(t) {
    const adapter = await webgpuAdapter();
    const srv = await startServer({
      MODEL_DIR: await copyModelDir(),
      WATCH_MODELS: "false",
      BACKEND: "auto",
    });
    try {
      await t.step("it is ready and serves on WASM while it measures", async () => {
        const res = await postPredict(
          srv.url,
          await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`),
          "digit.png",
        );
        assert.equal(res.status, 200);
        assert.equal((await res.json()).predicted_class, 7);
      });

      let routing;
      await t.step("/api/info reports the measured table", async () => {
        const deadline = Date.now() + 120_000;
        do {
          const info = await (await fetch(`${srv.url}/api/info`)).json();
          assert.equal(info.backend.requested, "auto");
          routing = info.backend.routing;
          if (routing.state !== "measuring") break;
          await new Promise((r) => setTimeout(r, 250));
        } while (Date.now() < deadline);
        if (!adapter) {
          assert.equal(routing.state, "wasm only", JSON.stringify(routing));
          assert.match(routing.reason, /adapter|webgpu/i);
          return;
        }
        assert.equal(routing.state, "measured", JSON.stringify(routing));
        assert.deepEqual(routing.table.map((r: { batch: number }) => r.batch), [1, 8, 64, 256]);
        let skipping = false;
        for (const row of routing.table) {
          assert.ok(row.ms.wasm > 0 && Number.isFinite(row.ms.wasm), JSON.stringify(row));
          if (row.skipped) {
            // Once WebGPU cannot win, it is not timed at the larger sizes, which go to WASM.
            assert.equal(row.ms.webgpu, undefined);
            assert.equal(row.backend, "wasm");
            assert.match(row.skipped, /WebGPU took [\d.]+ ms at batch \d+/);
            skipping = true;
          } else {
            assert.ok(!skipping, "a timed size after a skipped one");
            assert.ok(row.ms.webgpu > 0 && Number.isFinite(row.ms.webgpu), JSON.stringify(row));
            assert.equal(row.backend, chooseBackend(row.ms));
          }
        }
        assert.ok(!routing.table[0].skipped, "batch 1 is always timed on both");
      });

      await t.step("predictions after the measurement are still right", async () => {
        for (const name of ["7_bench.png", "3_mnist28.png"]) {
          const res = await postPredict(
            srv.url,
            await Deno.readFile(`${ROOT}tests/testdata/images/${name}`),
            "digit.png",
          );
          assert.equal(res.status, 200);
          assert.equal((await res.json()).predicted_class, Number(name[0]));
        }
      });
    } finally {
      await srv.stop();
    }
  },
});
