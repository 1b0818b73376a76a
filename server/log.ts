/**
 * The one logger: JSON lines on stdout (errors on stderr), filtered by level.
 *
 * Runs in Deno and workers alike.
 * @module
 */

import { LOG_LEVELS, type LogLevel } from "./config.ts";

/** Fields of one log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/**
 * Create a logger.
 *
 * @param level Lowest level written. @default "info"
 * @param base Fields added to every line.
 * @param write Sink for each line (tests capture it). @default stdout/stderr
 * @returns The logger.
 */
export function createLogger(
  level: LogLevel = "info",
  base: LogFields = {},
  write: (line: string, level: LogLevel) => void = defaultWrite,
): Logger {
  const min = LOG_LEVELS.indexOf(level);
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }), lvl);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

const encoder = new TextEncoder();

function defaultWrite(line: string, level: LogLevel): void {
  const bytes = encoder.encode(line + "\n");
  (level === "error" ? Deno.stderr : Deno.stdout).writeSync(bytes);
}
