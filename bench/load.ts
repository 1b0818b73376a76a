/**
 * Side-by-side load test: this server against the Python service it replaces, with
 * the shared wrk harness (`../shared/bench/compare.sh`, A B A B rounds), at 1, 16 and
 * 64 connections, with a 280×280 and a 28×28 PNG. Prints a markdown table of medians
 * and ratios, cold start and resident memory.
 *
 *     deno task load                        # -d 10 -r 3 (about 7 minutes)
 *     deno task load --duration 5 --rounds 1
 *
 * Traffic goes to 127.0.0.1 only. Needs wrk (Debian) and the reference's Debian packages.
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { freePort, ROOT, startServer } from "../tests/test_utils.ts";
import { rssKiB } from "../tests/reliability/server_probe.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    conns: { type: "string", default: "1,16,64" },
    workers: { type: "string", default: "" },
    shared: { type: "string", default: `${ROOT}../shared` },
  },
});
const BENCH = `${values.shared}/bench`;
const IMAGES = { "280": `${BENCH}/digit7_280.png`, "28": `${ROOT}tests/testdata/images/3_mnist28.png` };

/** Wait until `url` answers 2xx. */
async function waitHttp(url: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} not up`);
}

// The server's own default (one worker per core); startServer() would pick 1.
const env: Record<string, string> = { WORKERS: values.workers || String(navigator.hardwareConcurrency) };
const t0 = performance.now();
const ours = await startServer({ ...env, LOG_LEVEL: "warn" });
const oursColdMs = performance.now() - t0;

const refPort = freePort();
const t1 = performance.now();
const ref = new Deno.Command("bash", {
  args: [`${values.shared}/anchors/seed_reference/run.sh`, String(refPort)],
  stdout: "null",
  stderr: "null",
}).spawn();
const refUrl = `http://127.0.0.1:${refPort}`;
await waitHttp(`${refUrl}/health`);
const refColdMs = performance.now() - t1;

const rows: string[] = [];
try {
  for (const [size, image] of Object.entries(IMAGES)) {
    for (const c of values.conns!.split(",")) {
      const out = await new Deno.Command("bash", {
        args: [
          `${BENCH}/compare.sh`,
          ours.url,
          refUrl,
          "-c",
          c,
          "-d",
          values.duration!,
          "-r",
          values.rounds!,
          "-f",
          image,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      console.log(text.trim());
      const field = (line: string, name: string) => Number(new RegExp(`${name}=([0-9.]+)`).exec(line)?.[1]);
      const med = (side: "A" | "B", name: string) => {
        const v = text.split("\n").filter((l) => new RegExp(`^round=\\d+ ${side} `).test(l)).map((l) =>
          field(l, name)
        )
          .sort((a, b) => a - b);
        return v[v.length >> 1];
      };
      const errs = (side: "A" | "B") =>
        text.split("\n").filter((l) => new RegExp(`^round=\\d+ ${side} `).test(l)).reduce(
          (s, l) => s + field(l, "errors"),
          0,
        );
      const last = text.trim().split("\n").pop()!;
      rows.push(
        `| ${size} | ${c} | ${med("A", "rps").toFixed(0)} | ${med("A", "p50_ms")} | ${med("A", "p99_ms")} | ${
          errs("A")
        } | ` +
          `${med("B", "rps").toFixed(0)} | ${med("B", "p99_ms")} | ${errs("B")} | ${
            field(last, "ratio_rps").toFixed(2)
          } | ` +
          `${field(last, "ratio_p99").toFixed(3)} |`,
      );
    }
  }
} finally {
  // The server's workers are threads, so its one process holds them all.
  const oursRss = (await rssKiB(ours.process.pid)) / 1024;
  const refRss = (await rssKiB(ref.pid)) / 1024;
  await ours.stop();
  ref.kill("SIGTERM");
  await ref.status;
  console.log(
    `\nMachine: ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores; ${
      new Date().toISOString()
    }`,
  );
  console.log(`Command: deno task load --duration ${values.duration} --rounds ${values.rounds}\n`);
  console.log(
    "| image | conns | ours rps | ours p50 ms | ours p99 ms | ours errors | ref rps | ref p99 ms | ref errors | rps ratio | p99 ratio |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
  console.log(
    `\nCold start to ready: ours ${oursColdMs.toFixed(0)} ms, reference ${refColdMs.toFixed(0)} ms`,
  );
  console.log(
    `RSS after load: ours ${oursRss.toFixed(0)} MB (all workers), reference ${refRss.toFixed(0)} MB`,
  );
}
