/**
 * `loadConfig()` with embedded directories, as the compiled binary calls it: the
 * embedded model and page are the defaults, the environment still wins, and an
 * embedded model is not watched (it cannot change).
 * @module
 */

import assert from "node:assert/strict";
import { loadConfig } from "../../server/config.ts";

const embedded = { modelDir: "/tmp/deno-compile-x/models", webDir: "/tmp/deno-compile-x/web/dist" };

Deno.test("loadConfig() defaults to the embedded model and page, unwatched", () => {
  const c = loadConfig({}, 1, embedded);
  assert.equal(c.modelDir, embedded.modelDir);
  assert.equal(c.webDir, embedded.webDir);
  assert.equal(c.watchModels, false);
});

Deno.test("loadConfig() lets MODEL_DIR and WEB_DIR override the embedded copies, and watches MODEL_DIR", () => {
  const c = loadConfig({ MODEL_DIR: "/srv/models", WEB_DIR: "/srv/web" }, 1, embedded);
  assert.deepEqual([c.modelDir, c.webDir, c.watchModels], ["/srv/models", "/srv/web", true]);
  assert.equal(loadConfig({ MODEL_DIR: "/srv/models", WATCH_MODELS: "off" }, 1, embedded).watchModels, false);
  assert.equal(loadConfig({ WATCH_MODELS: "1" }, 1, embedded).watchModels, true);
});

Deno.test("loadConfig() without embedded copies keeps the working-directory defaults", () => {
  const c = loadConfig({});
  assert.deepEqual([c.modelDir, c.webDir, c.watchModels], ["models", "web/dist", true]);
  assert.equal(loadConfig({ WATCH_MODELS: "false" }).watchModels, false);
});
