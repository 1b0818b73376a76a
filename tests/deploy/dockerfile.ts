/**
 * A reader for the subset of Dockerfile syntax this project uses, and for
 * `.dockerignore`: enough to check the Dockerfile statically and to replay its steps on a
 * machine with no Docker engine.
 *
 * Runs in Deno. Pure: callers pass the file contents.
 * @module
 */

/** One instruction, continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  keyword: string;
  /** Leading `--name=value` options (COPY --from, RUN --mount, HEALTHCHECK --interval…). */
  flags: Record<string, string>;
  /** What follows the options, trimmed. */
  rest: string;
  /** Exec form (`["a", "b"]`) parsed, or undefined for shell form. */
  exec?: string[];
  /** 1-based line where the instruction starts. */
  line: number;
}

/** A build stage: its FROM and the instructions after it. */
export interface Stage {
  /** Base image reference, e.g. `denoland/deno:2.9.6`. */
  image: string;
  /** `AS` name, if any. */
  name?: string;
  /** Instructions after FROM, in order. */
  steps: Instruction[];
}

function splitFlags(body: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = body.trimStart();
  for (let m; (m = rest.match(/^--([a-z-]+)(?:=(\S*))?\s+/));) {
    flags[m[1]] = m[2] ?? "";
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}

/**
 * Parse a Dockerfile into instructions.
 *
 * @param text The file's contents.
 * @returns Instructions in order; comments and blank lines dropped.
 * @throws {SyntaxError} On an exec form that is not a JSON array of strings.
 */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].trim();
    if (first === "" || first.startsWith("#")) continue;
    const start = i + 1;
    let body = lines[i].trimEnd();
    while (body.endsWith("\\") && i + 1 < lines.length) {
      body = body.slice(0, -1);
      i++;
      // Comment lines inside a continuation are dropped, as Docker does.
      if (!lines[i].trim().startsWith("#")) body += " " + lines[i].trim();
    }
    const m = body.trim().match(/^(\S+)\s*(.*)$/s)!;
    const keyword = m[1].toUpperCase();
    // HEALTHCHECK's own options come before its CMD.
    const { flags, rest } = splitFlags(m[2]);
    const jsonPart = keyword === "HEALTHCHECK" ? rest.replace(/^CMD\s+/, "") : rest;
    let exec: string[] | undefined;
    if (jsonPart.startsWith("[")) {
      const parsed = JSON.parse(jsonPart);
      if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== "string")) {
        throw new SyntaxError(`line ${start}: exec form must be a JSON array of strings`);
      }
      exec = parsed;
    }
    out.push({ keyword, flags, rest, exec, line: start });
  }
  return out;
}

/**
 * Group instructions by stage.
 *
 * @param instructions From {@linkcode parseDockerfile}.
 * @returns Stages in order; the last one is the image.
 * @throws {SyntaxError} When an instruction other than ARG comes before the first FROM.
 */
export function stages(instructions: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const [image, as, name] = ins.rest.split(/\s+/);
      out.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, steps: [] });
    } else if (out.length === 0) {
      if (ins.keyword !== "ARG") throw new SyntaxError(`line ${ins.line}: ${ins.keyword} before FROM`);
    } else {
      out[out.length - 1].steps.push(ins);
    }
  }
  return out;
}

/**
 * Sources and destination of a COPY (shell form).
 *
 * @param ins A COPY instruction.
 * @returns `{ from, sources, dest }`; `from` is the `--from` stage, if any.
 */
export function copyArgs(ins: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = ins.exec ?? ins.rest.split(/\s+/);
  return { from: ins.flags.from, sources: words.slice(0, -1), dest: words[words.length - 1] };
}

/**
 * `ENV` pairs of one instruction (`K=V` form, values without spaces).
 *
 * @param ins An ENV instruction.
 * @returns Name → value.
 */
export function envPairs(ins: Instruction): Record<string, string> {
  return Object.fromEntries(
    ins.rest.split(/\s+/).filter(Boolean).map((kv) => {
      const eq = kv.indexOf("=");
      return [kv.slice(0, eq), kv.slice(eq + 1).replace(/^"(.*)"$/, "$1")];
    }),
  );
}

/**
 * A matcher for `.dockerignore` patterns: `*` and `?` within one path segment, `**`
 * across segments, `!` to re-include; a pattern that names a directory excludes what is
 * under it.
 *
 * @param text The file's contents.
 * @returns `ignored(path)` for a path relative to the build context.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => {
    const negate = l.startsWith("!");
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, "");
    const re = pattern.split("/").map((seg) =>
      seg === "**"
        ? ".*"
        : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
    ).join("/");
    return { negate, re: new RegExp(`^${re}(/.*)?$`) };
  });
  return (path) => {
    const p = path.replace(/^\.\/+/, "").replace(/\/+$/, "");
    let ignored = false;
    for (const r of rules) if (r.re.test(p)) ignored = !r.negate;
    return ignored;
  };
}
