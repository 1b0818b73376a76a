/**
 * Facts about the project that the deploy files must agree with, each read from its one
 * source: the pinned Deno version and the test command from the README, tasks from
 * deno.json (defaults come from `server/config.ts` itself).
 *
 * Runs in Deno (reads files under the repository root).
 * @module
 */

import { ROOT } from "../support/test_utils.ts";

/** A deno.json task: a plain command or `{ command, dependencies }`. */
type Task = string | { command: string; dependencies?: string[] };

/** The repository's deno.json, parsed. */
export function denoConfig(): { tasks: Record<string, Task>; imports: Record<string, string> } {
  return JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
}

/**
 * The command line of one deno.json task.
 *
 * @param name Task name, e.g. `start`.
 * @returns The command, without the task's dependencies.
 * @throws {RangeError} When deno.json has no such task.
 */
export function taskCommand(name: string): string {
  const task = denoConfig().tasks[name];
  if (task === undefined) throw new RangeError(`deno.json has no task "${name}"`);
  return typeof task === "string" ? task : task.command;
}

/**
 * Split leading `NAME=value` assignments off a task's command line.
 *
 * @param command A task command.
 * @returns The environment it sets and the command proper.
 */
export function splitEnv(command: string): { env: Record<string, string>; command: string } {
  const env: Record<string, string> = {};
  const words = command.split(/\s+/);
  while (words.length && /^[A-Z_][A-Z0-9_]*=\S*$/.test(words[0])) {
    const [k, v] = words.shift()!.split("=");
    env[k] = v;
  }
  return { env, command: words.join(" ") };
}

const TEST_COMMAND = /^\s*(npx -y deno@\S+ task test)(?=\s|$)/;

function findTestCommand(file: string): string {
  const line = Deno.readTextFileSync(`${ROOT}${file}`).split("\n").find((l) => TEST_COMMAND.test(l));
  if (!line) throw new SyntaxError(`${file} has no \`npx -y deno@<version> task test\` line`);
  return line.match(TEST_COMMAND)![1];
}

/**
 * The README's test command (`npx -y deno@X task test`).
 *
 * @returns The command line.
 * @throws {SyntaxError} When README.md no longer shows such a line.
 */
export function readmeTestCommand(): string {
  return findTestCommand("README.md");
}

/**
 * The test command the CI entry `.ci/run` runs.
 *
 * @returns The command line.
 * @throws {SyntaxError} When `.ci/run` no longer holds such a line.
 */
export function ciTestCommand(): string {
  return findTestCommand(".ci/run");
}

/**
 * The Deno version the project pins (from the README's test command).
 *
 * @returns A version such as `2.9.6`.
 */
export function pinnedDenoVersion(): string {
  const m = readmeTestCommand().match(/deno@(\d+\.\d+\.\d+)\b/);
  if (!m) throw new SyntaxError("the test command does not pin an exact Deno version");
  return m[1];
}
