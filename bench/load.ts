/**
 * Side-by-side load test: this server against the Python service it replaces, with
 * the shared wrk harness (`../shared/bench/compare.sh`, A B A B rounds), at 1, 16 and
 * 64 connections, with a 280×280 and a 28×28 PNG. Prints a markdown table of medians
 * and ratios, the in-process ceiling (`bench/ceiling.ts`, measured before each cell) and how much of it is served,
 * cold start and resident memory.
 *
 * Each cell also loads `../shared/bench/echo_server.ts` (the HTTP floor: reads the body,
 * answers a constant) the same way, and prints the best this handler could do there if
 * serving added nothing but that floor: at one connection a request takes at least the handler's
 * in-process time plus the floor's round trip; with more, nothing serves more than the
 * ceiling or the floor, and by Little's law its p99 is at least connections ÷ that rate.
 * The cold start gets the same treatment: `bench/ort_floor.ts` is onnxruntime-web alone.
 *
 *     deno task load                        # -d 10 -r 3 (about 7 minutes)
 *     deno task load --duration 5 --rounds 1
 *     deno task load --micro-batch          # ours with MICRO_BATCH=true (A) against ours without (B)
 *     deno task load --warmup 0             # no warm-up load (default: 3 s on each server first)
 *
 * Traffic goes to 127.0.0.1 only. Needs wrk (Debian) and the reference's Debian packages.
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { freePort, ROOT, startServer } from "../tests/support/test_utils.ts";
import { rssKiB } from "../tests/support/server_probe.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    conns: { type: "string", default: "1,16,64" },
    workers: { type: "string", default: "" },
    "micro-batch": { type: "boolean", default: false },
    warmup: { type: "string", default: "3" },
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

/**
 * The in-process ceiling for one image: cores ÷ median handler time, in a child process.
 * Measured right before each cell (the servers idle meanwhile), so that served ÷ ceiling
 * compares two figures from the same minute of this noisy machine.
 */
async function ceilingRps(image: string): Promise<{ ceiling_rps: number; handler_ms: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}bench/ceiling.ts`, image],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout).trim());
}

/** One `loadtest.sh` run: its summary line's numbers. */
async function loadtest(url: string, conns: string, image: string): Promise<Record<string, number>> {
  const out = await new Deno.Command("bash", {
    args: [`${BENCH}/loadtest.sh`, url, "-c", conns, "-d", values.duration!, "-f", image],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").pop()!;
  return Object.fromEntries([...last.matchAll(/(\w+)=([0-9.]+)/g)].map(([, k, v]) => [k, Number(v)]));
}

/** Milliseconds from spawn to the first prediction of `bench/ort_floor.ts`, median of `n`. */
async function ortFloorMs(n = 3): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}bench/ort_floor.ts`],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = out.stdout.pipeThrough(new TextDecoderStream()).getReader();
    await reader.read();
    times.push(performance.now() - t);
    await reader.cancel();
    await out.status;
  }
  return times.sort((a, b) => a - b)[n >> 1];
}

// The server's own default (one worker per core); startServer() would pick 1.
const env: Record<string, string> = { WORKERS: values.workers || String(navigator.hardwareConcurrency) };
const microBatch = values["micro-batch"];
const t0 = performance.now();
const ours = await startServer({ ...env, LOG_LEVEL: "warn", ...(microBatch ? { MICRO_BATCH: "true" } : {}) });
const oursColdMs = performance.now() - t0;

// B: the Python reference, or this server again without micro-batching.
const refPort = freePort();
const t1 = performance.now();
const other = microBatch ? await startServer({ ...env, LOG_LEVEL: "warn" }) : undefined;
const ref = other?.process ?? new Deno.Command("bash", {
  args: [`${values.shared}/anchors/seed_reference/run.sh`, String(refPort)],
  stdout: "null",
  stderr: "null",
}).spawn();
const refUrl = other?.url ?? `http://127.0.0.1:${refPort}`;
await waitHttp(`${refUrl}/health`);
const refColdMs = performance.now() - t1;
const [nameA, nameB] = microBatch ? ["micro-batch", "no batching"] : ["ours", "ref"];
const floorColdMs = await ortFloorMs();

// The HTTP floor: the same uploads to a server that only reads the body.
const echoPort = freePort();
const echo = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-net", `${BENCH}/echo_server.ts`, String(echoPort)],
  stdout: "null",
  stderr: "inherit",
}).spawn();
const echoUrl = `http://127.0.0.1:${echoPort}`;
await waitHttp(echoUrl);

// Both servers warm up alike before the first measured cell (JIT, caches, connection pools).
for (const url of [ours.url, refUrl]) {
  await new Deno.Command("bash", {
    args: [`${BENCH}/loadtest.sh`, url, "-c", "16", "-d", values.warmup!, "-f", IMAGES["280"]],
    stdout: "null",
    stderr: "inherit",
  }).output();
}

const rows: string[] = [];
try {
  for (const [size, image] of Object.entries(IMAGES)) {
    for (const c of values.conns!.split(",")) {
      const { ceiling_rps: ceiling, handler_ms: handlerMs } = await ceilingRps(image);
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
      const floor = await loadtest(echoUrl, c, image);
      console.log(`echo ${JSON.stringify(floor)}`);
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
      // The best this handler could do in this cell (see the module's comment).
      const n = Number(c);
      const bestRps = n === 1 ? 1000 / (handlerMs + floor.p50_ms) : Math.min(ceiling, floor.rps);
      const bestP99 = n === 1 ? handlerMs + floor.p50_ms : (1000 * n) / bestRps;
      rows.push(
        `| ${size} | ${c} | ${med("A", "rps").toFixed(0)} | ${med("A", "p50_ms")} | ${med("A", "p99_ms")} | ${
          errs("A")
        } | ${ceiling.toFixed(0)} | ${(100 * med("A", "rps") / ceiling).toFixed(0)} % | ` +
          `${med("B", "rps").toFixed(0)} | ${med("B", "p99_ms")} | ${errs("B")} | ${
            field(last, "ratio_rps").toFixed(2)
          } | ` +
          `${field(last, "ratio_p99").toFixed(3)} | ${floor.rps.toFixed(0)} | ${floor.p50_ms} | ` +
          `${(bestRps / med("B", "rps")).toFixed(2)} | ${(bestP99 / med("B", "p99_ms")).toFixed(3)} |`,
      );
    }
  }
} finally {
  // The server's workers are threads, so its one process holds them all.
  const oursRss = (await rssKiB(ours.process.pid)) / 1024;
  const refRss = (await rssKiB(ref.pid)) / 1024;
  await ours.stop();
  echo.kill("SIGTERM");
  await echo.status;
  if (other) await other.stop();
  else {
    ref.kill("SIGTERM");
    await ref.status;
  }
  console.log(
    `\nMachine: ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores; ${
      new Date().toISOString()
    }`,
  );
  console.log(
    `Command: deno task load --duration ${values.duration} --rounds ${values.rounds}${
      microBatch ? " --micro-batch" : ""
    }\n`,
  );
  console.log(
    `| image | conns | ${nameA} rps | ${nameA} p50 ms | ${nameA} p99 ms | ${nameA} errors | in-process ceiling rps | ` +
      `served / ceiling | ${nameB} rps | ${nameB} p99 ms | ${nameB} errors | rps ratio | p99 ratio | ` +
      `HTTP floor rps | HTTP floor p50 ms | best possible rps ratio | best possible p99 ratio |`,
  );
  console.log(
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of rows) console.log(r);
  console.log(
    `\nCold start to ready: ${nameA} ${oursColdMs.toFixed(0)} ms, ${nameB} ${refColdMs.toFixed(0)} ms; ` +
      `onnxruntime-web alone, spawn to its first prediction (bench/ort_floor.ts, median of 3): ${
        floorColdMs.toFixed(0)
      } ms`,
  );
  console.log(
    `RSS after load: ${nameA} ${oursRss.toFixed(0)} MB (${env.WORKERS} workers, ` +
      `${(oursRss / Number(env.WORKERS)).toFixed(0)} MB each), ${nameB} ${refRss.toFixed(0)} MB`,
  );
}
