/**
 * Load test of `/v2/models/mnist/infer` with a batch of 64 MNIST digits: JSON (JSON
 * outputs) against Triton's binary tensor data extension (binary outputs), with wrk
 * (`bench/v2_post.lua`), the two variants alternating JSON, binary, JSON, binary… on
 * one server, so both see the same minutes of this noisy machine. Prints the medians
 * side by side, with the bytes each request and answer takes.
 *
 *     deno run -A bench/v2_load.ts                       # -c 1,8, 8 s, 2 rounds
 *     deno run -A bench/v2_load.ts --conns 8 --duration 5 --rounds 3
 *
 * Traffic goes to 127.0.0.1 only. Needs wrk (Debian: `apt-get install -y wrk`).
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { ROOT, startServer } from "../tests/support/test_utils.ts";
import { v2Bodies } from "./v2_bodies.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "8" },
    rounds: { type: "string", default: "2" },
    conns: { type: "string", default: "1,8" },
    batch: { type: "string", default: "64" },
    workers: { type: "string", default: "1" },
    warmup: { type: "string", default: "2" },
  },
});
const N = Number(values.batch);
const LUA = `${ROOT}bench/v2_post.lua`;
const SUMMARY = /^rps=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+)$/m;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function wrk(url: string, conns: number, seconds: number, args: string[]): Promise<Run> {
  const out = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${conns}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "--latency",
      "-s",
      LUA,
      url,
      "--",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = SUMMARY.exec(text);
  if (!out.success || !m) throw new Error(`wrk failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  return { rps: Number(m[1]), p50: Number(m[2]), p99: Number(m[3]), errors: Number(m[4]) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const bodies = await v2Bodies(N);
const dir = await Deno.makeTempDir({ prefix: "v2-load-" });
const srv = await startServer({ WORKERS: values.workers, WATCH_MODELS: "false", LOG_LEVEL: "warn" });
const url = `${srv.url}/v2/models/mnist/infer`;
try {
  const variants = await Promise.all((["json", "binary"] as const).map(async (name) => {
    const b = bodies[name];
    const file = `${dir}/${name}.body`;
    await Deno.writeFile(file, b.body);
    const probe = await fetch(url, { method: "POST", body: b.body, headers: b.headers });
    const answer = (await probe.arrayBuffer()).byteLength;
    if (probe.status !== 200) throw new Error(`${name} probe: ${probe.status}`);
    const args = [
      file,
      b.headers["content-type"],
      ...(name === "binary" ? [b.headers["inference-header-content-length"]] : []),
    ];
    return { name, args, request: b.body.length, answer };
  }));
  const rows: string[] = [];
  for (const conns of values.conns.split(",").map(Number)) {
    for (const v of variants) await wrk(url, conns, Number(values.warmup), v.args);
    const runs = new Map<string, Run[]>(variants.map((v) => [v.name, []]));
    for (let r = 1; r <= Number(values.rounds); r++) {
      for (const v of variants) {
        const run = await wrk(url, conns, Number(values.duration), v.args);
        console.error(`c=${conns} round ${r} ${v.name}: ${JSON.stringify(run)}`);
        runs.get(v.name)!.push(run);
      }
    }
    const med = (name: string, k: keyof Run) => median(runs.get(name)!.map((x) => x[k]));
    for (const v of variants) {
      rows.push(
        `| ${conns} | ${v.name} | ${v.request} | ${v.answer} | ${med(v.name, "rps").toFixed(1)} | ` +
          `${med(v.name, "p50").toFixed(2)} | ${med(v.name, "p99").toFixed(2)} | ${med(v.name, "errors")} |`,
      );
    }
    rows.push(
      `| ${conns} | binary ÷ JSON | ${(variants[1].request / variants[0].request).toFixed(3)} | ` +
        `${(variants[1].answer / variants[0].answer).toFixed(3)} | ${
          (med("binary", "rps") / med("json", "rps")).toFixed(2)
        }× | ` +
        `${(med("binary", "p50") / med("json", "p50")).toFixed(2)} | ${
          (med("binary", "p99") / med("json", "p99")).toFixed(2)
        } | |`,
    );
  }
  console.log(
    `\n${N} digits per request, wrk -t1, ${values.duration} s × ${values.rounds} rounds alternating, ` +
      `WORKERS=${values.workers}, medians:\n`,
  );
  console.log("| connections | body | request bytes | answer bytes | req/s | p50 ms | p99 ms | errors |");
  console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
} finally {
  await srv.stop();
  await Deno.remove(dir, { recursive: true });
}
