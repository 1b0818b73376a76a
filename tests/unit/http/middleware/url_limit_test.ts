import assert from "node:assert/strict";
import { HttpError } from "../../../../server/http/errors.ts";
import { urlLimit } from "../../../../server/http/middleware/url_limit.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

Deno.test("urlLimit() passes a URL at the limit and refuses a longer one with 414", async () => {
  const at = "http://x/?" + "a".repeat(40 - "http://x/?".length);
  assert.equal((await runMiddleware(urlLimit({ max: 40 }), new Request(at))).reached, true);
  await assert.rejects(
    () => runMiddleware(urlLimit({ max: 40 }), new Request(at + "a")),
    (e) => e instanceof HttpError && e.status === 414,
  );
});
