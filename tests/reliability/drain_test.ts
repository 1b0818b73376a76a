/**
 * Graceful drain under continuous load: the real server process, real loopback sockets,
 * 16 client loops POSTing the 280 px PNG, SIGTERM while they run.
 *
 * The rules these tests hold the server to:
 *
 * - Kubernetes, "Pod Lifecycle" → "Termination of Pods" (kubernetes/website,
 *   content/en/docs/concepts/workloads/pods/pod-lifecycle.md): "The kubelet triggers the
 *   container runtime to send a TERM signal to process 1 inside each container." "At the
 *   same time as the kubelet is starting graceful shutdown of the Pod, the control plane
 *   evaluates whether to remove that shutting-down Pod from EndpointSlice objects" and
 *   "Pods that shut down slowly should not continue to serve regular traffic and should
 *   start terminating and finish processing open connections." "If the `preStop` hook is
 *   still running after the grace period expires, the kubelet requests a small, one-off
 *   grace period extension of 2 seconds"; "Once the grace period has expired, the KILL
 *   signal is sent to any remaining processes". So traffic keeps coming for a moment after
 *   SIGTERM (DRAIN_DELAY_MS), and everything must end inside terminationGracePeriodSeconds.
 * - Deno, `Deno.HttpServer.shutdown()`: "Gracefully close the server. No more new
 *   connections will be accepted, while pending requests will be allowed to finish."
 *   In the code (ext/http/http_next.rs, v2.9.5, the version beside 2.9.6): `op_http_close`
 *   cancels the listener ("Close the listener and allow remaining connections to drain"),
 *   and a connection still waiting for its request checks that cancellation before it
 *   reads: `match_prefix_or_shutdown` polls `cancel` first and then `io.shutdown()`s it, and
 *   `serve_http11_raw` does the same between requests ("Idle connections can still be
 *   waiting in protocol prefix detection ... close with FIN"). Measured on 2.9.6
 *   (docs/reliability.md): a connection accepted with its whole request unread is closed
 *   with no answer, one still in the accept queue is reset, and a request body not yet
 *   read by JavaScript fails with BadResource after shutdown(). Hence the gate in
 *   server/cluster/drain.ts.
 */
import assert from "node:assert/strict";
import { balancer, broken, hammer, predictRequest, type Tally } from "../support/drain_clients.ts";
import { serialise } from "../support/raw_http.ts";
import { ROOT, type ServerHandle, startServer } from "../support/test_utils.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PNG = await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`);
const UPLOAD = predictRequest(PNG);

/** The old service (uvicorn) broke 2 requests of about 2,200 in the same measurement. */
const OLD_SERVICE_BROKEN = 2;

/** Wait for a condition, polling; fails the test only if it never holds within `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGTERM, then the exit code and how long the process took to exit. */
async function terminate(srv: ServerHandle): Promise<{ code: number; ms: number }> {
  const t0 = Date.now();
  srv.process.kill("SIGTERM");
  const code = await srv.exited;
  return { code, ms: Date.now() - t0 };
}

const summary = (t: Tally) =>
  `answered ${t.answered} ${JSON.stringify(t.statuses)}, broken ${broken(t)} (reset ${t.reset}, ` +
  `closed unanswered ${t.dropped}, timed out ${t.timedOut}, other ${t.other.length}), refused ${t.refused}`;

function report(name: string, t: Tally, extra = "") {
  // deno-lint-ignore no-console
  console.log(`  ${name}: ${summary(t)}${extra}`);
}

for (const keepAlive of [false, true]) {
  const variant = keepAlive ? "keep-alive" : "a new connection per request";
  Deno.test({
    name: `SIGTERM under a load balancer (${variant}): no request fails, exit 0 within the drain timeout`,
    ...opts,
    async fn() {
      const delayMs = 1000, timeoutMs = 5000;
      const srv = await startServer({
        WORKERS: "2",
        WATCH_MODELS: "false",
        DRAIN_DELAY_MS: String(delayMs),
        DRAIN_TIMEOUT_MS: String(timeoutMs),
      });
      try {
        // Stops sending 150 ms after it sees /ready fail, as an endpoint list drops a pod.
        const lb = balancer(srv.port, UPLOAD, { threads: 16, keepAlive, lagMs: 150, maxMs: 30_000 });
        await until("100 answers before the signal", () => lb.tally.answered >= 100);
        const before = { ...lb.tally };
        const { code, ms } = await terminate(srv);
        const t = await lb.done;
        report(`load balancer, ${variant}`, t, `, ${t.connections} connections, exit ${code} in ${ms} ms`);
        assert.equal(code, 0);
        assert.ok(lb.unreadyAt > 0, "the balancer saw readiness fail");
        assert.deepEqual(Object.keys(t.statuses), ["200"], summary(t));
        assert.equal(broken(t) + t.refused, 0, summary(t));
        // DRAIN_TIMEOUT_MS counts from the end of DRAIN_DELAY_MS; main.ts gives 1 s more at most.
        assert.ok(ms <= delayMs + timeoutMs + 1000, `exit after ${ms} ms`);
        if (keepAlive) {
          assert.ok(before.connections * 4 < before.answered, "connections were reused before the signal");
          assert.equal(before.closeHeaders, 0, "no Connection: close before the signal");
          assert.ok(t.closeHeaders > 0, "Connection: close while draining");
        }
      } finally {
        await srv.stop("SIGKILL");
      }
    },
  });
}

Deno.test({
  name: "SIGTERM under a client that never looks at readiness: no request the server read is lost",
  ...opts,
  async fn() {
    // As measured in the issue: 16 loops, a new connection each, default drain settings.
    const srv = await startServer({ WORKERS: "2", WATCH_MODELS: "false", LOG_LEVEL: "debug" });
    try {
      const load = hammer(srv.port, UPLOAD, { threads: 16, maxMs: 30_000 });
      await until("1,000 answers before the signal", () => load.tally.answered >= 1000);
      const { code, ms } = await terminate(srv);
      const t = await load.done;
      // Every predict request the server answered (observe logs one line each at debug).
      const served = srv.logs.filter((l) => l.includes('"msg":"request"') && l.includes('"/api/v1/predict"'));
      report(
        "never looks at readiness",
        t,
        `, ${served.length} answered by the server, exit ${code} in ${ms} ms`,
      );
      assert.equal(code, 0);
      assert.deepEqual(Object.keys(t.statuses), ["200"], summary(t));
      assert.equal(served.length, t.answered, "every answer the server made reached its client");
      assert.ok(broken(t) <= OLD_SERVICE_BROKEN, summary(t));
      // Refusals (each loop stops at its first, after the listeners closed, nothing sent) are
      // reported above, not asserted: how a client that ignores readiness learns the server is gone.
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});

Deno.test({
  name: "SIGTERM during a slow upload: the upload completes with 200 and the listener waits for it",
  ...opts,
  async fn() {
    const srv = await startServer({
      WORKERS: "1",
      WATCH_MODELS: "false",
      DRAIN_DELAY_MS: "300",
      DRAIN_TIMEOUT_MS: "10000",
    });
    try {
      const bytes = serialise(
        { ...UPLOAD, headers: [...UPLOAD.headers!, ["Connection", "close"]] },
        "127.0.0.1",
      );
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: srv.port });
      const bodyStart = bytes.length - UPLOAD.body!.length;
      await conn.write(bytes.subarray(0, bodyStart + 100));
      // One worker: once it has answered this, it has read the upload's head sent before.
      const health = await fetch(`${srv.url}/health`);
      await health.body?.cancel();
      srv.process.kill("SIGTERM");
      await until("readiness 503", async () => {
        const r = await fetch(`${srv.url}/ready`).catch(() => undefined);
        await r?.body?.cancel();
        return r?.status === 503;
      });
      // The drain wants to close the listener now, and must wait for the rest of this body.
      await until("the drain's wish to close", () => srv.logs.some((l) => l.includes('"closing listeners"')));
      assert.ok(!srv.logs.some((l) => l.includes('"listeners closed"')), "the listener is still open");
      for (let off = bodyStart + 100; off < bytes.length; off += 1000) {
        await conn.write(bytes.subarray(off, Math.min(off + 1000, bytes.length)));
        await new Promise((r) => setTimeout(r, 20));
      }
      const text = await new Response(conn.readable).text();
      assert.match(text, /^HTTP\/1\.1 200 /, text.slice(0, 300));
      assert.match(text, /"predicted_class":7/);
      assert.match(text, /connection: close/i);
      assert.equal(await srv.exited, 0);
    } finally {
      await srv.stop("SIGKILL");
    }
  },
});
