import assert from "node:assert/strict";
import { HttpError } from "../../../../server/http/errors.ts";
import { errorBoundary } from "../../../../server/http/middleware/error_boundary.ts";
import { CorruptImageError, NoDigitError } from "../../../../src/mod.ts";
import { runMiddleware } from "../../../support/middleware_harness.ts";

const logged: unknown[] = [];
const mw = errorBoundary({
  log: { error: (_m: string, f?: Record<string, unknown>) => logged.push(f) },
  formatFor: (path) => path.startsWith("/v2") ? "inference" : "problem",
});
const throwing = (e: unknown) => () => Promise.reject(e);

Deno.test("errorBoundary() answers an HttpError with its status, detail and headers as problem details", async () => {
  const { res } = await runMiddleware(
    mw,
    new Request("http://x/a"),
    throwing(new HttpError(503, "Busy", { "retry-after": "1" })),
  );
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  assert.equal(res.headers.get("retry-after"), "1");
  assert.deepEqual(await res.json(), {
    type: "about:blank",
    title: "Service Unavailable",
    status: 503,
    detail: "Busy",
    request_id: "test-id",
  });
});

Deno.test("errorBoundary() maps domain errors by class, and hides anything else as a logged 500", async () => {
  assert.equal(
    (await runMiddleware(mw, new Request("http://x/"), throwing(new NoDigitError()))).res.status,
    422,
  );
  assert.equal(
    (await runMiddleware(mw, new Request("http://x/"), throwing(new CorruptImageError("bad")))).res.status,
    400,
  );
  const { res } = await runMiddleware(mw, new Request("http://x/"), throwing(new Error("secret path /etc")));
  assert.equal(res.status, 500);
  assert.equal((await res.json()).detail, "Internal server error");
  assert.match(String((logged.at(-1) as { error: string }).error), /secret path/);
});

Deno.test("errorBoundary() writes the Open Inference Protocol's {error} on its paths", async () => {
  const { res } = await runMiddleware(
    mw,
    new Request("http://x/v2/models/x"),
    throwing(new HttpError(404, "Unknown model")),
  );
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.error, "Unknown model");
  assert.equal(body.request_id, "test-id");
});

Deno.test("errorBoundary() drops an unread request body", async () => {
  const req = new Request("http://x/", { method: "POST", body: "unread" });
  await runMiddleware(mw, req, throwing(new HttpError(400, "no")));
  await assert.rejects(() => req.text());
});
