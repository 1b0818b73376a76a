/**
 * The YAML reader the deploy tests use (npm `yaml`), re-exported from one place so the
 * pinned version lives in one line.
 *
 * Runs in Deno.
 * @module
 */

// Inline specifier until deno.json's imports carry "yaml"; then import from "yaml"
export { parse, parseAllDocuments } from "yaml";
