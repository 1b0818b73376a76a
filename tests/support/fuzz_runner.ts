/**
 * Send generated hostile requests to a running server and check every answer
 * against the documented behaviour. Shared by `fuzz_test.ts` and the `fuzz` task.
 *
 * Runs in Deno; targets a loopback server only.
 * @module
 */

import { type Corpus, type FuzzCase, generateCase, KINDS } from "./hostile_input.ts";
import { rawRequest, type RawResponse } from "./raw_http.ts";
import { isProtocolPath } from "../../server/routes/v2.ts";

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  port: number;
  seed: number;
  /** Cases `first … first + count - 1`. */
  count: number;
  first?: number;
  /** Connections at once. @default 8 */
  concurrency?: number;
  /** Per-request limit; the slowest legitimate decode takes a few seconds. @default 20 000 */
  timeoutMs?: number;
  /** Stop sending after this long (the rest count as not sent). @default Infinity */
  budgetMs?: number;
  /** Only these case ids (replay). */
  only?: number[];
}

/** Outcome of one kind of case. */
export interface KindReport {
  sent: number;
  statuses: Record<string, number>;
  violations: number;
  /** Summed request latency, ms. */
  ms: number;
}

/** Outcome of a run. */
export interface FuzzReport {
  seed: number;
  sent: number;
  planned: number;
  ms: number;
  byKind: Record<string, KindReport>;
  /** Responses with status ≥ 500. */
  serverErrors: number;
  /** Requests with no complete answer in time. */
  timeouts: number;
  /** First violations, each naming the case id to replay. */
  violations: string[];
  violationCount: number;
  /** Set when the server stopped answering and the run was cut short. */
  aborted?: string;
}

const dec = new TextDecoder();

/** The path the server sees for a request target (WHATWG URL parsing, as Deno's). */
function pathOf(target: string): string {
  try {
    return new URL(target, "http://fuzz.invalid").pathname;
  } catch {
    return target;
  }
}
/** Content of files outside web/dist that a traversal could reach (start task may read them). */
const SECRETS = ["createApp(", '"tasks"', "root:x:0:0", '"normalization"', "export * from", "@module"];
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Check one answer against its case.
 *
 * @param c The case.
 * @param res The answer.
 * @returns Violations, empty when the answer is as documented.
 */
export function checkAnswer(c: FuzzCase, res: RawResponse): string[] {
  const out: string[] = [];
  const fromApp = res.headers.has("x-request-id");
  if (res.status === 0) {
    if (!c.protocol) out.push(`no answer (${res.error})`);
    return out;
  }
  if (res.status >= 500) out.push(`status ${res.status}`);
  if (!c.expect.includes(res.status)) out.push(`status ${res.status}, documented ${c.expect.join("/")}`);
  if (!fromApp && !c.protocol) out.push("answered without the app's headers");
  if (fromApp) {
    if (res.headers.get("x-content-type-options") !== "nosniff") out.push("no nosniff header");
    if (!REQUEST_ID.test(res.headers.get("x-request-id") ?? "")) out.push("unsafe x-request-id echoed");
    if (res.headers.has("access-control-allow-origin")) out.push("CORS header without CORS_ORIGINS");
  }
  const text = dec.decode(res.body);
  if (res.status >= 400 && fromApp && c.req.method !== "HEAD") {
    // The Open Inference Protocol's paths answer its {"error": ...}; the rest problem details.
    const protocolPath = isProtocolPath(pathOf(c.req.target));
    const type = res.headers.get("content-type") ?? "";
    if (protocolPath ? !/^application\/json/.test(type) : !/^application\/problem\+json/.test(type)) {
      out.push(`error without ${protocolPath ? "JSON" : "problem+json"} (${type})`);
    } else {
      try {
        const p = JSON.parse(text);
        if (typeof p.detail !== "string" || !p.detail) out.push("problem without detail");
        if (protocolPath && (typeof p.error !== "string" || !p.error)) {
          out.push("protocol error without error");
        }
        if (p.status !== res.status) out.push(`problem status ${p.status} ≠ ${res.status}`);
      } catch {
        out.push("problem body is not JSON");
      }
    }
  }
  if (res.status === 200 && c.label !== undefined) {
    try {
      const got = JSON.parse(text).predicted_class;
      if (got !== c.label) out.push(`predicted ${got}, label ${c.label}`);
    } catch {
      out.push("200 body is not JSON");
    }
  }
  if (c.leakCheck && res.status < 400) out.push(`traversal answered ${res.status}`);
  if (c.leakCheck && SECRETS.some((s) => text.includes(s))) {
    out.push("file content from outside web/dist leaked");
  }
  return out;
}

async function alive(port: number): Promise<boolean> {
  const r = await rawRequest(port, { method: "GET", target: "/health" }, 5000).catch(() => undefined);
  return r?.status === 200;
}

/**
 * Run generated cases against a server.
 *
 * @param corpus Real inputs for the generator.
 * @param o Port, seed, count, concurrency and limits.
 * @returns The report; never throws for a bad answer.
 */
export async function runFuzz(corpus: Corpus, o: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const first = o.first ?? 0;
  const ids = o.only ?? Array.from({ length: o.count }, (_, i) => first + i);
  const report: FuzzReport = {
    seed: o.seed,
    sent: 0,
    planned: ids.length,
    ms: 0,
    byKind: Object.fromEntries(KINDS.map((k) => [k, { sent: 0, statuses: {}, violations: 0, ms: 0 }])),
    serverErrors: 0,
    timeouts: 0,
    violations: [],
    violationCount: 0,
  };
  const deadline = Date.now() + (o.budgetMs ?? Infinity);
  let next = 0;
  // Cases sent but not answered: when the server hangs, the culprit is among them.
  const inFlight = new Map<number, string>();
  const worker = async () => {
    while (next < ids.length && !report.aborted && Date.now() < deadline) {
      const c = generateCase(o.seed, ids[next++], corpus);
      const t0 = performance.now();
      inFlight.set(c.id, c.kind);
      const res = await rawRequest(o.port, c.req, o.timeoutMs ?? 20_000).catch((e) => ({
        status: 0,
        headers: new Headers(),
        body: new Uint8Array(),
        error: String(e),
      }));
      report.sent++;
      inFlight.delete(c.id);
      const k = report.byKind[c.kind];
      k.sent++;
      k.ms += performance.now() - t0;
      const key = res.status === 0 ? `no answer (${res.error})` : String(res.status);
      k.statuses[key] = (k.statuses[key] ?? 0) + 1;
      if (res.status >= 500) report.serverErrors++;
      if (res.error === "timeout") report.timeouts++;
      const bad = checkAnswer(c, res);
      if (bad.length) {
        k.violations++;
        report.violationCount++;
        if (report.violations.length < 30) {
          report.violations.push(`case ${c.id} (${c.kind}): ${bad.join("; ")}`);
        }
      }
      // No legitimate request takes the timeout: a worker is stuck, stop sending.
      if (res.error === "timeout" && !report.aborted) {
        const others = [...inFlight.entries()].map(([id, kind]) => `${id} (${kind})`);
        // Set before any await, so the first timeout (the stuck case itself) is the one named.
        report.aborted = `case ${c.id} (${c.kind}) got no answer in ${o.timeoutMs ?? 20_000} ms` +
          `${others.length ? `; still in flight: ${others.join(", ")}` : ""}; replay with FUZZ_ONLY`;
        if (!(await alive(o.port))) report.aborted += "; /health no longer answers";
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * The report as a Markdown table: kind, sent, statuses, violations.
 *
 * @param r A report.
 * @returns Table text.
 */
export function reportTable(r: FuzzReport): string {
  const rows = Object.entries(r.byKind).filter(([, k]) => k.sent > 0).map(([kind, k]) => {
    const st = Object.entries(k.statuses).sort().map(([s, n]) => `${s}×${n}`).join(" ");
    return `| ${kind} | ${k.sent} | ${st} | ${k.violations} |`;
  });
  return ["| Tried | Sent | Answers (status×count) | Violations |", "|---|---:|---|---:|", ...rows].join(
    "\n",
  );
}
