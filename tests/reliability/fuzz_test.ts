/**
 * Seeded fuzz of the real server process (issue 8, "Hostile input"): FUZZ_COUNT
 * generated requests (default 10,000) from FUZZ_SEED; every answer is checked against
 * the documented status, and afterwards the process must be the same one, its logs
 * clean and its memory back within 10 % of its size after warm-up.
 *
 *     FUZZ_SEED=7 FUZZ_ONLY=123,456 deno test -A tests/reliability/fuzz_test.ts   # replay cases
 */
import assert from "node:assert/strict";
import { startServer } from "../support/test_utils.ts";
import { reportTable, runFuzz } from "../support/fuzz_runner.ts";
import { loadCorpus } from "../support/hostile_input.ts";
import { badLogLines, rssKiB, settleRss, unknownMethodLabels } from "../support/server_probe.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261126);
const COUNT = Number(Deno.env.get("FUZZ_COUNT") ?? 10_000);
const ONLY = Deno.env.get("FUZZ_ONLY")?.split(",").map(Number);
const WARMUP = 1000;

Deno.test({
  name:
    `runFuzz() ${ONLY ? ONLY.length : COUNT} hostile requests (seed ${SEED}): documented answers, no 5xx, ` +
    "no crash, memory back within 10 %",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const corpus = await loadCorpus();
    // Two workers, as on this 2-core machine by default; the model is not watched.
    const srv = await startServer({ WORKERS: "2", WATCH_MODELS: "false" });
    const pid = srv.process.pid;
    let exited: number | undefined;
    srv.exited.then((c) => (exited = c));
    // Every broken promise is collected, so one run names all of them.
    const problems: string[] = [];
    try {
      // Warm-up from another seed: JIT, pools and caches settle before the baseline.
      const warm = await runFuzz(corpus, { port: srv.port, seed: SEED + 1, count: WARMUP, concurrency: 4 });
      if (warm.aborted) problems.push(`warm-up (seed ${SEED + 1}): ${warm.aborted}`);
      const baseline = exited === undefined ? await rssKiB(pid) : NaN;
      const r = warm.aborted ? undefined : await runFuzz(corpus, {
        port: srv.port,
        seed: SEED,
        count: COUNT,
        only: ONLY,
        concurrency: 4,
        timeoutMs: 20_000,
      });
      if (r) {
        const table = `\n${reportTable(r)}\n`;
        if (r.aborted) problems.push(r.aborted);
        if (r.sent !== r.planned) problems.push(`sent ${r.sent} of ${r.planned} requests`);
        if (r.serverErrors) problems.push(`${r.serverErrors} answers were 5xx`);
        if (r.timeouts) problems.push(`${r.timeouts} requests got no answer in time`);
        if (r.violationCount) {
          problems.push(
            `${r.violationCount} answers broke the documented behaviour:\n${r.violations.join("\n")}`,
          );
        }
        if (problems.length) problems.push(table);
      }
      if (exited !== undefined) {
        problems.push(`the server exited with ${exited}:\n${srv.logs.slice(-20).join("\n")}`);
      } else if (warm.aborted || r?.aborted) {
        problems.push("memory and metrics not checked: a worker is stuck, so the run was cut short");
      } else {
        const after = await settleRss(pid, baseline * 1.1);
        if (after > baseline * 1.1) {
          problems.push(
            `RSS ${after} KiB after the run, ${baseline} KiB after warm-up (+${
              Math.round((after / baseline - 1) * 100)
            } %)`,
          );
        }
        const res = await fetch(`${srv.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
        const unknown = unknownMethodLabels(await res.text());
        if (unknown.length) {
          problems.push(
            `client-chosen methods became metric labels (unbounded series): ${unknown.length} such, ` +
              unknown.slice(0, 5).join(", "),
          );
        }
      }
      const logs = badLogLines(srv.logs);
      if (logs.errors.length) {
        problems.push(`crash or unhandled-error lines in the log:\n${logs.errors.join("\n")}`);
      }
      if (logs.notJsonCount) {
        problems.push(
          `${logs.notJsonCount} log lines are not JSON, e.g.:\n${logs.notJson.slice(0, 3).join("\n")}`,
        );
      }
    } finally {
      await srv.stop("SIGKILL");
    }
    assert.deepEqual(problems, []);
  },
});
