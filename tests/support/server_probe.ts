/**
 * Facts about a running server process, read from outside: its resident memory and
 * whether it is still the same live process.
 *
 * Runs in Deno on Linux (reads /proc).
 * @module
 */

/**
 * Resident set size of a process, in KiB, from `/proc/<pid>/status`.
 *
 * @param pid Process id.
 * @returns VmRSS in KiB.
 * @throws {Deno.errors.NotFound} When the process is gone.
 */
export async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!m) throw new TypeError(`No VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

/**
 * Wait until the RSS is at most `limit` KiB, polling; V8 returns freed pages lazily.
 *
 * @param pid Process id.
 * @param limit Target in KiB.
 * @param ms Longest wait. @default 45 000 (V8 shrinks idle heaps after some seconds)
 * @returns The last RSS read.
 */
export async function settleRss(pid: number, limit: number, ms = 45_000): Promise<number> {
  const end = Date.now() + ms;
  let rss = await rssKiB(pid);
  while (rss > limit && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    rss = await rssKiB(pid);
  }
  return rss;
}

/**
 * Log lines that show a crash or a caught-but-unhandled error, or that are not JSON.
 *
 * @param logs Lines from the server's stdout and stderr.
 * @returns The offending lines (at most 10 of each kind) and the count of non-JSON lines.
 */
export function badLogLines(
  logs: readonly string[],
): { errors: string[]; notJson: string[]; notJsonCount: number } {
  const errors: string[] = [];
  const notJson: string[] = [];
  let notJsonCount = 0;
  for (const line of logs) {
    if (!line.trim()) continue;
    if (/unhandled error|worker crashed|cannot start|panicked|Uncaught|out of memory/i.test(line)) {
      if (errors.length < 10) errors.push(line.slice(0, 400));
    }
    try {
      JSON.parse(line);
    } catch {
      notJsonCount++;
      if (notJson.length < 10) notJson.push(line.slice(0, 200));
    }
  }
  return { errors, notJson, notJsonCount };
}

/** Methods a metrics label may carry; anything else must be folded, or clients can grow the series without bound. */
export const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "TRACE",
  "CONNECT",
  "OTHER",
  "other",
]);

/**
 * `method` label values of `http_requests_total` that are not standard methods.
 *
 * @param metricsText Prometheus text from `/metrics`.
 * @returns The unknown values.
 */
export function unknownMethodLabels(metricsText: string): string[] {
  const out = new Set<string>();
  for (const m of metricsText.matchAll(/^http_requests_total\{[^}]*method="([^"]*)"/gm)) {
    if (!KNOWN_METHODS.has(m[1])) out.add(m[1]);
  }
  return [...out];
}
