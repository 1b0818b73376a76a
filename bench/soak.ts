/**
 * The soak run (issue 8, "Load"): a server started here on loopback with one worker
 * per core takes `--conns` concurrent connections (default 16) of mixed traffic for
 * `--duration` (default 5 minutes): about 70 % valid uploads of the real digits in
 * tests/testdata/images/ (multipart and raw bodies), the rest generated hostile
 * requests from tests/support/hostile_input.ts. Then a load-shedding check: a burst
 * of 4 × cores × 16 connections against a second server with a small MAX_INFLIGHT.
 *
 * Prints requests by kind, failed valid requests, 5xx, RSS after warm-up and at the end,
 * latency percentiles of the valid requests and the shedding figures; exits 1 when a
 * target is missed (any failed valid request, any 5xx in the soak, a hostile request
 * answered against its documented status, RSS growth of 10 % or more, a crash line in
 * the log, or shedding that queues instead of answering 503 with Retry-After).
 *
 *     deno task soak                                  # 5 minutes, 16 connections
 *     deno task soak --duration 60s --conns 16 --valid 0.7 --seed 7
 *
 * Bounded: the run stops at `--duration` or `--max-requests`, each request at 20 s.
 * Runs in Deno; traffic goes to 127.0.0.1 only.
 * @module
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { ROOT, type ServerHandle, startServer } from "../tests/support/test_utils.ts";
import { checkAnswer } from "../tests/support/fuzz_runner.ts";
import { type Corpus, generateCase, loadCorpus, Rng } from "../tests/support/hostile_input.ts";
import { type RawRequest, rawRequest, type RawResponse } from "../tests/support/raw_http.ts";
import { badLogLines, rssKiB, settleRss } from "../tests/support/server_probe.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "5m" },
    warmup: { type: "string", default: "20s" },
    conns: { type: "string", default: "16" },
    valid: { type: "string", default: "0.7" },
    seed: { type: "string", default: "20261126" },
    "max-requests": { type: "string", default: "2000000" },
    workers: { type: "string", default: String(navigator.hardwareConcurrency) },
    "shed-inflight": { type: "string", default: "2" },
  },
});

/** "300", "300s", "5m" → milliseconds. */
function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new TypeError(`Cannot read the duration "${s}": use e.g. 300, 300s or 5m`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? "s"] ?? 1000);
}

const DURATION_MS = durationMs(values.duration!);
const WARMUP_MS = durationMs(values.warmup!);
const CONNS = Number(values.conns);
const VALID_SHARE = Number(values.valid);
const SEED = Number(values.seed);
const MAX_REQUESTS = Number(values["max-requests"]);
const WORKERS = values.workers!;
const CORES = navigator.hardwareConcurrency;
/** A legitimate request takes milliseconds to a few seconds (slow decodes stop at DECODE_TIMEOUT_MS). */
const REQUEST_TIMEOUT_MS = 20_000;
/** Spacing of the RSS timeline. */
const TIMELINE_MS = 30_000;
/** Quiet time before each RSS reading. */
const IDLE_MS = 3000;
const PREDICT = "/api/v1/predict";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A real digit from tests/testdata/images/ (name starts with its label). */
interface Digit {
  name: string;
  format: string;
  mime: string;
  bytes: Uint8Array;
  label: number;
}

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
};

async function loadDigits(): Promise<Digit[]> {
  const dir = `${ROOT}tests/testdata/images/`;
  const out: Digit[] = [];
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    const ext = e.name.split(".").pop()!;
    if (!/^\d_/.test(e.name) || !MIME[ext]) continue;
    out.push({
      name: e.name,
      format: ext,
      mime: MIME[ext],
      bytes: await Deno.readFile(dir + e.name),
      label: Number(e.name[0]),
    });
  }
  return out;
}

/** One multipart body with a single `file` part, as the old Streamlit client sent. */
function multipartUpload(d: Digit): RawRequest {
  const boundary = `----soak${d.bytes.length}`;
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${d.name}"\r\n` +
      `Content-Type: ${d.mime}\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + d.bytes.length + tail.length);
  body.set(head);
  body.set(d.bytes, head.length);
  body.set(tail, head.length + d.bytes.length);
  return {
    method: "POST",
    target: PREDICT,
    headers: [["Content-Type", `multipart/form-data; boundary=${boundary}`]],
    body,
  };
}

function rawUpload(d: Digit): RawRequest {
  return { method: "POST", target: PREDICT, headers: [["Content-Type", d.mime]], body: d.bytes };
}

/** A request that never threw: connection errors become status 0. */
async function send(port: number, req: RawRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<RawResponse> {
  return await rawRequest(port, req, timeoutMs).catch((e) => ({
    status: 0,
    headers: new Headers(),
    body: new Uint8Array(),
    error: String(e),
  }));
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmtMs = (v: number) => v.toFixed(1);

/** Counts of one kind of request. */
interface KindStats {
  sent: number;
  statuses: Record<string, number>;
  bad: number;
}

/** What one phase of mixed traffic saw. */
interface MixReport {
  sent: number;
  valid: number;
  hostile: number;
  byKind: Map<string, KindStats>;
  validFailed: number;
  hostileBad: number;
  serverErrors: number;
  /** 400s for a decode that overran DECODE_TIMEOUT_MS: each one replaced a decode worker. */
  decodeTimeouts: number;
  /** Valid-request latencies, ms. */
  latencies: number[];
  examples: string[];
  ms: number;
}

/**
 * Mixed traffic at `conns` connections until `ms` passes or `maxRequests` are sent.
 * Request `i` is valid or hostile by the seeded draw; hostile ones are the generator's
 * cases that are not themselves valid requests.
 */
async function mixedTraffic(
  port: number,
  corpus: Corpus,
  digits: Digit[],
  o: { seed: number; ms: number; maxRequests: number; conns: number },
): Promise<MixReport> {
  const r: MixReport = {
    sent: 0,
    valid: 0,
    hostile: 0,
    byKind: new Map(),
    validFailed: 0,
    hostileBad: 0,
    serverErrors: 0,
    decodeTimeouts: 0,
    latencies: [],
    examples: [],
    ms: 0,
  };
  const rng = new Rng(o.seed, 0);
  let hostileId = 0;
  const started = performance.now();
  const end = Date.now() + o.ms;
  const count = (kind: string, status: string, bad: boolean) => {
    const k = r.byKind.get(kind) ?? { sent: 0, statuses: {}, bad: 0 };
    k.sent++;
    k.statuses[status] = (k.statuses[status] ?? 0) + 1;
    if (bad) k.bad++;
    r.byKind.set(kind, k);
  };
  const note = (s: string) => {
    if (r.examples.length < 20) r.examples.push(s);
  };
  const client = async () => {
    while (Date.now() < end && r.sent < o.maxRequests) {
      r.sent++;
      if (rng.chance(VALID_SHARE)) {
        const d = rng.pick(digits);
        const multipart = rng.chance(0.6);
        const kind = `valid: ${d.format.toUpperCase()} ${multipart ? "multipart" : "raw body"}`;
        const t0 = performance.now();
        const res = await send(port, multipart ? multipartUpload(d) : rawUpload(d));
        const ms = performance.now() - t0;
        r.valid++;
        r.latencies.push(ms);
        let why = "";
        if (res.status !== 200) why = `status ${res.status || res.error}`;
        else {
          try {
            const got = JSON.parse(dec.decode(res.body)).predicted_class;
            if (got !== d.label) why = `predicted ${got}, label ${d.label}`;
          } catch {
            why = "200 body is not JSON";
          }
        }
        if (res.status >= 500) r.serverErrors++;
        if (why) {
          r.validFailed++;
          note(`valid ${d.name} (${multipart ? "multipart" : "raw"}): ${why}`);
        }
        count(kind, res.status ? String(res.status) : `no answer (${res.error})`, why !== "");
      } else {
        let c = generateCase(o.seed, hostileId++, corpus);
        // The generator's own valid kinds are counted as valid traffic above.
        while (c.kind.startsWith("valid") || c.kind === "v2 infer: valid tensor") {
          c = generateCase(o.seed, hostileId++, corpus);
        }
        const res = await send(port, c.req);
        r.hostile++;
        if (res.status >= 500) r.serverErrors++;
        if (res.status === 400 && dec.decode(res.body).includes("could not be decoded within")) {
          r.decodeTimeouts++;
        }
        const bad = checkAnswer(c, res);
        if (bad.length) {
          r.hostileBad++;
          note(`hostile case ${c.id} seed ${o.seed} (${c.kind}): ${bad.join("; ")}`);
        }
        count(c.kind, res.status ? String(res.status) : `no answer (${res.error})`, bad.length > 0);
      }
    }
  };
  await Promise.all(Array.from({ length: o.conns }, client));
  r.ms = performance.now() - started;
  return r;
}

function kindTable(r: MixReport): string {
  const rows = [...r.byKind.entries()].sort(([a], [b]) => {
    const va = a.startsWith("valid: "), vb = b.startsWith("valid: ");
    return va !== vb ? (va ? -1 : 1) : a < b ? -1 : 1;
  }).map(([kind, k]) => {
    const st = Object.entries(k.statuses).sort().map(([s, n]) => `${s}×${n}`).join(" ");
    return `| ${kind} | ${k.sent} | ${st} | ${k.bad} |`;
  });
  return ["| Kind | Sent | Answers (status×count) | Not as documented |", "|---|---:|---|---:|", ...rows]
    .join("\n");
}

/** Open a connection and send the head of a valid PNG upload plus its first 100 body bytes. */
async function heldUpload(port: number, png: Uint8Array): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc.encode(
    `POST ${PREDICT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n` +
      `Content-Length: ${png.length}\r\nConnection: close\r\n\r\n`,
  ));
  await conn.write(png.subarray(0, 100));
  return conn;
}

/** Read one response head (and whatever body came with it) or give up after `ms`. */
async function readHead(conn: Deno.Conn, ms: number): Promise<{ text: string; ms: number }> {
  const t0 = performance.now();
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* closed */ }
  }, ms);
  try {
    while (!/\r\n\r\n/.test(text)) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } catch { /* closed by the timer or the server */ }
  clearTimeout(timer);
  return { text: timedOut ? "" : text, ms: performance.now() - t0 };
}

/** Figures of one burst of complete requests. */
interface BurstReport {
  statuses: Record<string, number>;
  retryAfterMissing: number;
  latencies: number[];
}

/** `n` complete valid uploads at once, each on its own connection. */
async function burst(port: number, digits: Digit[], n: number, seed: number): Promise<BurstReport> {
  const rng = new Rng(seed, 1);
  const reqs = Array.from({ length: n }, () => rawUpload(rng.pick(digits)));
  const out: BurstReport = { statuses: {}, retryAfterMissing: 0, latencies: [] };
  await Promise.all(reqs.map(async (req) => {
    const t0 = performance.now();
    const res = await send(port, req);
    out.latencies.push(performance.now() - t0);
    const key = res.status ? String(res.status) : `no answer (${res.error})`;
    out.statuses[key] = (out.statuses[key] ?? 0) + 1;
    if (res.status === 503 && !res.headers.has("retry-after")) out.retryAfterMissing++;
  }));
  out.latencies.sort((a, b) => a - b);
  return out;
}

const burstLine = (b: BurstReport) =>
  `${Object.entries(b.statuses).sort().map(([s, n]) => `${s}×${n}`).join(" ")}, ` +
  `503 without Retry-After ${b.retryAfterMissing}, latency p50 ${fmtMs(percentile(b.latencies, 50))} ms ` +
  `max ${fmtMs(b.latencies.at(-1) ?? NaN)} ms`;

const missed: string[] = [];
const target = (ok: boolean, what: string) => {
  if (!ok) missed.push(what);
  return ok ? "ok" : "MISSED";
};

const corpus = await loadCorpus();
const digits = await loadDigits();
const BURST = 4 * CORES * 16;
console.log(
  `soak: ${values.duration} at ${CONNS} connections, ${
    Math.round(VALID_SHARE * 100)
  } % valid, seed ${SEED}, ` +
    `WORKERS=${WORKERS} on ${CORES} cores, ${digits.length} real digit files; ${new Date().toISOString()}`,
);

// ---- Soak ------------------------------------------------------------------------------------
const srv: ServerHandle = await startServer({ WORKERS, WATCH_MODELS: "false", LOG_LEVEL: "warn" });
let exitedWith: number | undefined;
srv.exited.then((c) => (exitedWith = c));
let soak: MixReport | undefined;
let baseline = NaN, peak = NaN, after = NaN;
let defaultsBurst: BurstReport | undefined;
let crashedWith: number | undefined;
/** RSS in MiB during the soak, one reading per TIMELINE_MS. */
const timeline: number[] = [];
try {
  const warm = await mixedTraffic(srv.port, corpus, digits, {
    seed: SEED + 1,
    ms: WARMUP_MS,
    maxRequests: MAX_REQUESTS,
    conns: CONNS,
  });
  console.log(
    `warm-up: ${warm.sent} requests in ${(warm.ms / 1000).toFixed(1)} s (seed ${SEED + 1}), ` +
      `decode timeouts ${warm.decodeTimeouts}`,
  );
  // Start and end are both read after a short idle, so neither catches a burst of garbage.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  baseline = await rssKiB(srv.process.pid);
  peak = baseline;
  const soakStart = Date.now();
  const sampler = setInterval(() => {
    rssKiB(srv.process.pid).then((v) => {
      peak = Math.max(peak, v);
      // One point every ~30 s tells a steady climb (a leak) from a plateau (allocator high water).
      const slot = Math.floor((Date.now() - soakStart) / TIMELINE_MS);
      if (timeline.length <= slot) timeline.push(Math.round(v / 1024));
    }).catch(() => undefined);
  }, 2000);
  try {
    soak = await mixedTraffic(srv.port, corpus, digits, {
      seed: SEED,
      ms: DURATION_MS,
      maxRequests: MAX_REQUESTS,
      conns: CONNS,
    });
  } finally {
    clearInterval(sampler);
  }
  await new Promise((r) => setTimeout(r, IDLE_MS));
  if (exitedWith === undefined) after = await settleRss(srv.process.pid, baseline * 1.1);
  // The same burst at the default MAX_INFLIGHT: the excess waits, within that bound.
  if (exitedWith === undefined) defaultsBurst = await burst(srv.port, digits, BURST, SEED);
} finally {
  // Read before the stop: the SIGKILL below is ours, not a crash.
  crashedWith = exitedWith;
  await srv.stop("SIGKILL");
}
const logs = badLogLines(srv.logs);

// ---- Load shedding ---------------------------------------------------------------------------
const SHED_INFLIGHT = Number(values["shed-inflight"]);
const capacity = Number(WORKERS) * SHED_INFLIGHT;
const png = digits.find((d) => d.name === "7_bench.png")!.bytes;
const shedSrv = await startServer({
  WORKERS,
  WATCH_MODELS: "false",
  LOG_LEVEL: "warn",
  MAX_INFLIGHT: String(SHED_INFLIGHT),
});
let held = { conns: 0, shed: 0, admitted: 0, admittedOk: 0, retryAfter: 0, other: 0, shedMs: [] as number[] };
let shedBurst: BurstReport | undefined;
try {
  // Each held request keeps its slot while its body is incomplete, so the split is exact.
  const conns = await Promise.all(Array.from({ length: BURST }, () => heldUpload(shedSrv.port, png)));
  // One reader per connection; those without an answer after 5 s are the admitted ones.
  const reads = conns.map((c) => readHead(c, REQUEST_TIMEOUT_MS));
  const answers = await Promise.all(
    reads.map((r) =>
      Promise.race([r, new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 5000))])
    ),
  );
  held = { ...held, conns: conns.length };
  const pending: number[] = [];
  answers.forEach((a, i) => {
    if (a === undefined) pending.push(i);
    else if (/^HTTP\/1\.1 503/.test(a.text)) {
      held.shed++;
      held.shedMs.push(a.ms);
      if (/\r\nretry-after: \d+/i.test(a.text)) held.retryAfter++;
      try {
        conns[i].close();
      } catch { /* closed */ }
    } else {
      held.other++;
      console.log(`held burst: unexpected answer ${a.text.split("\r\n")[0] || "(none)"}`);
    }
  });
  held.admitted = pending.length;
  const done = await Promise.all(pending.map(async (i) => {
    await conns[i].write(png.subarray(100)).catch(() => 0);
    const a = await reads[i];
    try {
      conns[i].close();
    } catch { /* closed */ }
    return a.text;
  }));
  held.admittedOk = done.filter((t) => /^HTTP\/1\.1 200/.test(t)).length;
  held.shedMs.sort((a, b) => a - b);
  shedBurst = await burst(shedSrv.port, digits, BURST, SEED + 2);
} finally {
  await shedSrv.stop("SIGKILL");
}
const shedLogs = badLogLines(shedSrv.logs);

// ---- Report ----------------------------------------------------------------------------------
const growth = (after / baseline - 1) * 100;
const lat = [...(soak?.latencies ?? [])].sort((a, b) => a - b);
console.log("");
if (soak) console.log(kindTable(soak), "\n");
console.log(
  [
    `sent=${soak?.sent ?? 0} valid=${soak?.valid ?? 0} invalid=${soak?.hostile ?? 0} seconds=${
      ((soak?.ms ?? 0) / 1000).toFixed(1)
    } rps=${soak ? (soak.sent / (soak.ms / 1000)).toFixed(1) : 0}`,
    `failed_valid=${soak?.validFailed ?? "n/a"} (target 0: ${
      target(soak?.validFailed === 0, "failed valid")
    })`,
    `5xx=${soak?.serverErrors ?? "n/a"} (target 0: ${target(soak?.serverErrors === 0, "5xx in the soak")})`,
    `invalid_not_as_documented=${soak?.hostileBad ?? "n/a"} (target 0: ${
      target(soak?.hostileBad === 0, "hostile requests answered against their documented status")
    })`,
    `decode_timeouts=${soak?.decodeTimeouts ?? "n/a"} (each replaced a decode worker)`,
    `rss_after_warmup_kib=${baseline} rss_peak_kib=${peak} rss_end_kib=${after} rss_growth_pct=${
      growth.toFixed(1)
    } (target < 10: ${target(growth < 10, "RSS growth")})`,
    `rss_timeline_mib (every ${TIMELINE_MS / 1000} s)=${timeline.join(",")}`,
    `valid_latency_ms p50=${fmtMs(percentile(lat, 50))} p90=${fmtMs(percentile(lat, 90))} p99=${
      fmtMs(percentile(lat, 99))
    } max=${fmtMs(lat.at(-1) ?? NaN)}`,
    `server_exited=${crashedWith ?? "no"} crash_or_unhandled_log_lines=${logs.errors.length} (target 0: ${
      target(crashedWith === undefined && logs.errors.length === 0, "server crash or unhandled error")
    })`,
    "",
    `burst at defaults (MAX_INFLIGHT 256 per worker): ${BURST} connections: ${
      defaultsBurst ? burstLine(defaultsBurst) : "not run"
    }`,
    `shedding (WORKERS=${WORKERS}, MAX_INFLIGHT=${SHED_INFLIGHT}, capacity ${capacity}): ` +
    `${held.conns} connections holding incomplete bodies: 503×${held.shed} (Retry-After on ${held.retryAfter}), ` +
    `admitted ${held.admitted} → 200×${held.admittedOk}, other ${held.other}; 503 answered in p50 ${
      fmtMs(percentile(held.shedMs, 50))
    } ms max ${fmtMs(held.shedMs.at(-1) ?? NaN)} ms (target: shed = connections − admitted, admitted ≤ ` +
    `capacity, all 503 with Retry-After, admitted all 200: ${
      target(
        held.conns === BURST && held.other === 0 && held.admitted >= 1 && held.admitted <= capacity &&
          held.shed === BURST - held.admitted && held.retryAfter === held.shed &&
          held.admittedOk === held.admitted,
        "load shedding of held requests",
      )
    })`,
    `shedding burst of ${BURST} complete uploads: ${
      shedBurst ? burstLine(shedBurst) : "not run"
    } (target: only ` +
    `200/503, Retry-After on every 503: ${
      target(
        !!shedBurst && shedBurst.retryAfterMissing === 0 &&
          Object.keys(shedBurst.statuses).every((s) => s === "200" || s === "503"),
        "load shedding of a burst",
      )
    })`,
    `shed server crash_or_unhandled_log_lines=${shedLogs.errors.length} (target 0: ${
      target(shedLogs.errors.length === 0, "shed server crash or unhandled error")
    })`,
  ].join("\n"),
);
if (soak?.examples.length) console.log(`\nFirst problems:\n${soak.examples.join("\n")}`);
for (const l of [...logs.errors, ...shedLogs.errors]) console.log(`log: ${l}`);
console.log(missed.length ? `\nMISSED: ${missed.join(", ")}` : "\nall targets met");
Deno.exit(missed.length ? 1 : 0);
