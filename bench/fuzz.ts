/**
 * The long fuzz run (issue 8): FUZZ_COUNT generated hostile requests (default 100,000)
 * from FUZZ_SEED against a server it starts on loopback, then the report table, RSS
 * before and after, and the server's log health. Exit code 1 on any broken promise.
 *
 *     deno task fuzz                       # 100k requests, seed 20261126
 *     FUZZ_COUNT=20000 FUZZ_SEED=7 deno task fuzz
 *
 * Runs in Deno.
 * @module
 */

import { startServer } from "../tests/support/test_utils.ts";
import { reportTable, runFuzz } from "../tests/support/fuzz_runner.ts";
import { loadCorpus } from "../tests/support/hostile_input.ts";
import { badLogLines, rssKiB, settleRss } from "../tests/support/server_probe.ts";

const seed = Number(Deno.env.get("FUZZ_SEED") ?? 20261126);
const count = Number(Deno.env.get("FUZZ_COUNT") ?? 100_000);
const corpus = await loadCorpus();
const srv = await startServer({ WORKERS: "2", WATCH_MODELS: "false" });
let code = 0;
try {
  const warm = await runFuzz(corpus, { port: srv.port, seed: seed + 1, count: 1000, concurrency: 4 });
  const baseline = await rssKiB(srv.process.pid);
  const r = warm.aborted
    ? warm
    : await runFuzz(corpus, { port: srv.port, seed, count, concurrency: 4, timeoutMs: 20_000 });
  const after = r.aborted ? NaN : await settleRss(srv.process.pid, baseline * 1.1);
  const logs = badLogLines(srv.logs);
  const growth = (after / baseline - 1) * 100;
  // deno-lint-ignore no-console
  console.log([
    reportTable(r),
    "",
    `seed=${r.seed} sent=${r.sent}/${r.planned} seconds=${(r.ms / 1000).toFixed(1)} ` +
    `rps=${(r.sent / (r.ms / 1000)).toFixed(0)} 5xx=${r.serverErrors} timeouts=${r.timeouts} ` +
    `violations=${r.violationCount} rss_after_warmup_kib=${baseline} rss_after_kib=${after} ` +
    `rss_growth_pct=${growth.toFixed(1)} unhandled_log_lines=${logs.errors.length} ` +
    `non_json_log_lines=${logs.notJsonCount}`,
    ...(warm.aborted ? [`warm-up aborted: ${warm.aborted}`] : r.aborted ? [`aborted: ${r.aborted}`] : []),
    ...r.violations,
  ].join("\n"));
  if (
    r.aborted || r.serverErrors || r.timeouts || r.violationCount || !(growth <= 10) || logs.errors.length
  ) code = 1;
} finally {
  await srv.stop("SIGKILL");
}
Deno.exit(code);
