/**
 * The drain measurement, repeatable: the real server (start task flags), 16 loops
 * POSTing the 280 px PNG with a new connection per request and never looking at readiness,
 * SIGTERM after 2 s; each loop stops at its first refused connection. Prints one line per
 * run: requests, answers by status, broken (reset, closed unanswered, timed out), refused,
 * time from SIGTERM to exit, and the server's drain log lines.
 *
 *     deno run -A bench/drain.ts                       # 3 runs, WORKERS=2, default drain settings
 *     deno run -A bench/drain.ts --runs 5 --after 2000 DRAIN_DELAY_MS=1000 WORKERS=1
 *
 * Runs in Deno; 127.0.0.1 only.
 * @module
 */
// deno-lint-ignore-file no-console

import { parseArgs } from "node:util";
import { broken, hammer, predictRequest } from "../tests/support/drain_clients.ts";
import { ROOT, startServer } from "../tests/support/test_utils.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    after: { type: "string", default: "2000" },
    threads: { type: "string", default: "16" },
  },
  allowPositionals: true,
});
const env = Object.fromEntries(positionals.map((p) => p.split("=") as [string, string]));
const PNG = await Deno.readFile(`${ROOT}tests/testdata/images/7_bench.png`);

for (let run = 1; run <= Number(values.runs); run++) {
  const srv = await startServer({ WORKERS: "2", WATCH_MODELS: "false", ...env });
  const load = hammer(srv.port, predictRequest(PNG), { threads: Number(values.threads), maxMs: 60_000 });
  await new Promise((r) => setTimeout(r, Number(values.after)));
  const t0 = Date.now();
  srv.process.kill("SIGTERM");
  const code = await srv.exited;
  const exitMs = Date.now() - t0;
  const t = await load.done;
  console.log(
    `run ${run}: ${t.answered + broken(t)} requests, answers ${JSON.stringify(t.statuses)}, broken ${
      broken(t)
    } ` +
      `(reset ${t.reset}, closed unanswered ${t.dropped}, timed out ${t.timedOut}, other ${t.other.length}), ` +
      `refused ${t.refused}; exit ${code} ${exitMs} ms after SIGTERM`,
  );
  for (const line of srv.logs) {
    if (/"msg":"(draining|closing listeners|listeners closed|drain timed out|stopped)"/.test(line)) {
      const { time, msg, level: _l, worker: _w, ...rest } = JSON.parse(line);
      console.log(`    ${time.slice(11)} ${msg} ${JSON.stringify(rest)}`);
    }
  }
}
