/**
 * The clients of the graceful-drain tests: many loops POSTing one image to a real server
 * over loopback sockets, counting how each request ended. Two kinds:
 *
 * - {@linkcode hammer}: never looks at readiness, as the measurement did; each loop
 *   stops at its first refused connection (the server is gone).
 * - {@linkcode balancer}: a load balancer's view: it polls the readiness route and stops
 *   sending new requests a short while after seeing it fail, as an endpoint controller
 *   takes a moment to drop a pod.
 *
 * Both are bounded in time and count. Runs in Deno; 127.0.0.1 only.
 * @module
 */

import { rawConnection, type RawRequest, rawRequest, type RawResponse } from "./raw_http.ts";

/** How the requests of one run ended. */
export interface Tally {
  /** Complete responses, by status. */
  statuses: Record<number, number>;
  /** Requests answered in full. */
  answered: number;
  /** Connections refused (nothing was sent on them). */
  refused: number;
  /** Requests sent and then reset by the server (ECONNRESET). */
  reset: number;
  /** Requests sent and then closed without a whole response (Python's RemoteDisconnected). */
  dropped: number;
  /** Requests with no answer in time. */
  timedOut: number;
  /** Other failures, by message. */
  other: string[];
  /** Responses carrying `Connection: close`. */
  closeHeaders: number;
  /** Connections opened. */
  connections: number;
}

/** Requests that failed after being sent: reset, dropped, timed out or other. */
export function broken(t: Tally): number {
  return t.reset + t.dropped + t.timedOut + t.other.length;
}

function newTally(): Tally {
  return {
    statuses: {},
    answered: 0,
    refused: 0,
    reset: 0,
    dropped: 0,
    timedOut: 0,
    other: [],
    closeHeaders: 0,
    connections: 0,
  };
}

function count(t: Tally, r: RawResponse): boolean {
  if (r.status && !r.error) {
    t.statuses[r.status] = (t.statuses[r.status] ?? 0) + 1;
    t.answered++;
    if (/\bclose\b/i.test(r.headers.get("connection") ?? "")) t.closeHeaders++;
    return true;
  }
  if (r.error === "reset") t.reset++;
  else if (r.error === "closed") t.dropped++;
  else if (r.error === "timeout") t.timedOut++;
  else t.other.push(String(r.error));
  return false;
}

/**
 * A multipart upload of one file in field `file`, as the old clients send it.
 *
 * @param bytes The file.
 * @param type Its content type. @default "image/png"
 * @returns The request for `/api/v1/predict`.
 */
export function predictRequest(bytes: Uint8Array, type = "image/png"): RawRequest {
  const boundary = "drain-test-boundary";
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="digit.png"\r\n` +
      `Content-Type: ${type}\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + bytes.length + tail.length);
  body.set(head);
  body.set(bytes, head.length);
  body.set(tail, head.length + bytes.length);
  return {
    method: "POST",
    target: "/api/v1/predict",
    headers: [["Content-Type", `multipart/form-data; boundary=${boundary}`]],
    body,
  };
}

/** Limits shared by both clients. */
export interface LoadOptions {
  /** Concurrent loops. @default 16 */
  threads?: number;
  /** Stop after this long whatever happens. @default 20 000 */
  maxMs?: number;
  /** Stop after this many requests in all. @default 20 000 */
  maxRequests?: number;
  /** Per-request timeout. @default 10 000 */
  timeoutMs?: number;
}

/** A running client: its tally so far, and a promise of the final one. */
export interface Load {
  tally: Tally;
  /** Resolves when every loop has stopped. */
  done: Promise<Tally>;
}

/**
 * Loops that open a new connection per request and never look at readiness; each stops at
 * its first refused connection, or at the limits.
 *
 * @param port Server port on 127.0.0.1.
 * @param req The request each loop sends.
 * @param options Limits.
 * @returns The running load.
 */
export function hammer(port: number, req: RawRequest, options: LoadOptions = {}): Load {
  const { threads = 16, maxMs = 20_000, maxRequests = 20_000, timeoutMs = 10_000 } = options;
  const tally = newTally();
  const end = Date.now() + maxMs;
  let sent = 0;
  const loop = async () => {
    while (Date.now() < end && sent < maxRequests) {
      sent++;
      let r: RawResponse;
      try {
        tally.connections++;
        r = await rawRequest(port, req, timeoutMs);
      } catch (e) {
        if (e instanceof Deno.errors.ConnectionRefused) {
          tally.refused++;
          return;
        }
        // A connect that the kernel reset is as much a lost request as a reset after sending.
        if (e instanceof Deno.errors.ConnectionReset) tally.reset++;
        else tally.other.push(String(e));
        continue;
      }
      count(tally, r);
    }
  };
  const done = Promise.all(Array.from({ length: threads }, loop)).then(() => tally);
  return { tally, done };
}

/** Options of {@linkcode balancer}. */
export interface BalancerOptions extends LoadOptions {
  /** Reuse each loop's connection until the server says `Connection: close`. @default false */
  keepAlive?: boolean;
  /** The readiness route polled. @default "/ready" */
  readyPath?: string;
  /** Time between readiness polls. @default 50 */
  pollMs?: number;
  /** How long after seeing readiness fail the loops still send, as an endpoint list lags. @default 150 */
  lagMs?: number;
}

/** What a balancer saw. */
export interface BalancerLoad extends Load {
  /** `Date.now()` when readiness was first seen failing; 0 before. */
  readonly unreadyAt: number;
}

/**
 * Loops that send like a load balancer's backend pool: they poll readiness and stop
 * sending new requests `lagMs` after it first fails (requests already sent still count).
 *
 * @param port Server port on 127.0.0.1.
 * @param req The request each loop sends.
 * @param options Limits, keep-alive, readiness polling.
 * @returns The running load.
 */
export function balancer(port: number, req: RawRequest, options: BalancerOptions = {}): BalancerLoad {
  const {
    threads = 16,
    maxMs = 20_000,
    maxRequests = 20_000,
    timeoutMs = 10_000,
    keepAlive = false,
    readyPath = "/ready",
    pollMs = 50,
    lagMs = 150,
  } = options;
  const tally = newTally();
  const end = Date.now() + maxMs;
  let unreadyAt = 0;
  let sent = 0;
  const sending = () =>
    Date.now() < end && sent < maxRequests && (!unreadyAt || Date.now() < unreadyAt + lagMs);
  const poll = async () => {
    while (Date.now() < end && !unreadyAt) {
      const r = await rawRequest(port, { method: "GET", target: readyPath }, 2000).catch(() => undefined);
      if (r && r.status !== 0 && r.status !== 200) unreadyAt = Date.now();
      else await new Promise((res) => setTimeout(res, pollMs));
    }
  };
  const loop = async () => {
    let conn: Awaited<ReturnType<typeof rawConnection>> | undefined;
    while (sending()) {
      sent++;
      try {
        if (!keepAlive) {
          tally.connections++;
          count(tally, await rawRequest(port, req, timeoutMs));
          continue;
        }
        if (!conn?.open) {
          tally.connections++;
          conn = await rawConnection(port);
        }
        count(tally, await conn.send(req, timeoutMs));
      } catch (e) {
        if (e instanceof Deno.errors.ConnectionRefused) tally.refused++;
        else if (e instanceof Deno.errors.ConnectionReset) tally.reset++;
        else tally.other.push(String(e));
      }
    }
    conn?.close();
  };
  const done = Promise.all([poll(), ...Array.from({ length: threads }, loop)]).then(() => tally);
  return {
    tally,
    done,
    get unreadyAt() {
      return unreadyAt;
    },
  };
}
