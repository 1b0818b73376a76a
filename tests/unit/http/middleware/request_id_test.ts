import assert from "node:assert/strict";
import { requestId } from "../../../../server/http/middleware/request_id.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

Deno.test("requestId() keeps a well-formed client id and echoes it", async () => {
  const { res, state } = await runMiddleware(
    requestId(),
    new Request("http://x/", { headers: { "x-request-id": "req-42.a_b" } }),
  );
  assert.equal(state.requestId, "req-42.a_b");
  assert.equal(res.headers.get("x-request-id"), "req-42.a_b");
});

Deno.test("requestId() replaces a missing, long or unsafe id with a UUID", async () => {
  for (const incoming of [undefined, "x".repeat(65), "a b", "<script>", ""]) {
    const headers: HeadersInit = incoming === undefined ? {} : { "x-request-id": incoming };
    const { res, state } = await runMiddleware(requestId(), new Request("http://x/", { headers }));
    assert.match(state.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(res.headers.get("x-request-id"), state.requestId);
  }
});
