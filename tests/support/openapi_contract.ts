/**
 * Check real answers against an OpenAPI 3.1 document: the operation and status must be
 * documented, the content type listed, and the body valid against the listed schema
 * (Ajv, JSON Schema 2020-12, strict). A binary-extension body (`Inference-Header-Content-Length`)
 * has its JSON header validated as an `InferenceResponse` and its sizes added up. Records
 * which documented (operation, status) pairs were seen, so a test can demand them all.
 *
 * Runs in Deno.
 * @module
 */

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/** One answer to check. */
export interface Answer {
  method: string;
  /** The request's path, without the query. */
  path: string;
  status: number;
  headers: Headers;
  body: Uint8Array;
}

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, Response_> }>>;
  components: { schemas: Record<string, unknown> };
};
type Response_ = { content?: Record<string, { schema?: unknown }> };

const dec = new TextDecoder();
const HTTP_METHODS = ["get", "post", "put", "delete", "patch", "options", "head"];

/** Refs into the document, rewritten to the schema registered as `oas`. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"oas#/$defs/'));
}

/** A checker for one document. */
export class ContractChecker {
  readonly #doc: Doc;
  readonly #ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  readonly #compiled = new Map<unknown, ValidateFunction>();
  readonly #templates: { template: string; pattern: RegExp; literal: boolean }[];
  readonly #covered = new Set<string>();

  /**
   * @param doc The OpenAPI document, as served.
   * @throws {Error} When a schema in it does not compile in strict mode.
   */
  constructor(doc: unknown) {
    this.#doc = doc as Doc;
    this.#ajv.addFormat("binary", true);
    this.#ajv.addSchema({ $id: "oas", $defs: rebase(this.#doc.components.schemas) });
    this.#templates = Object.keys(this.#doc.paths).map((template) => ({
      template,
      pattern: new RegExp(
        "^" +
          template.split(/(\{[^}]+\})/).map((part, i) =>
            i % 2 ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          ).join("") + "$",
      ),
      literal: !template.includes("{"),
    }));
    // Compile every schema now, so a broken one fails here, not on first use.
    for (const [path, item] of Object.entries(this.#doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        for (const [status, res] of Object.entries(operation.responses)) {
          for (const [media, { schema }] of Object.entries(res.content ?? {})) {
            if (schema !== undefined) this.#validator(schema, `${method} ${path} ${status} ${media}`);
          }
        }
      }
    }
  }

  #validator(schema: unknown, where: string): ValidateFunction {
    let v = this.#compiled.get(schema);
    if (!v) {
      try {
        v = this.#ajv.compile(rebase(schema) as object);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
      this.#compiled.set(schema, v);
    }
    return v;
  }

  /** The documented path template a path falls under (literal paths first). */
  templateOf(path: string): string | undefined {
    return (this.#templates.find((t) => t.literal && t.template === path) ??
      this.#templates.find((t) => !t.literal && t.pattern.test(path)))?.template;
  }

  /**
   * Check one answer.
   *
   * @param a The answer.
   * @returns What breaks the contract; empty when the answer is as documented.
   */
  check(a: Answer): string[] {
    const method = a.method === "HEAD" ? "get" : a.method.toLowerCase();
    const at = `${a.method} ${a.path} → ${a.status}`;
    const template = this.templateOf(a.path);
    const operation = template ? this.#doc.paths[template][method] : undefined;
    if (!template || !operation) return [`${at}: no documented operation`];
    const res = operation.responses[String(a.status)];
    if (!res) return [`${at}: status not documented for ${method.toUpperCase()} ${template}`];
    this.#covered.add(`${method.toUpperCase()} ${template} ${a.status}`);
    if (!res.content) return a.body.length ? [`${at}: a body where none is documented`] : [];
    const type = (a.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const media = [type, `${type.split("/")[0]}/*`, "*/*"].find((m) => res.content![m]);
    if (!media) return [`${at}: content type "${type}" not documented (${Object.keys(res.content)})`];
    const schema = res.content[media].schema;
    if (schema === undefined) return [];
    const headerLength = a.headers.get("inference-header-content-length");
    if (type === "application/octet-stream" && headerLength !== null) {
      return this.#binary(a, at, headerLength);
    }
    if (!/^application\/(.+\+)?json$/.test(type)) return [];
    let body: unknown;
    try {
      body = JSON.parse(dec.decode(a.body));
    } catch {
      return [`${at}: body is not JSON`];
    }
    return this.#validate(schema, body, at);
  }

  #validate(schema: unknown, body: unknown, at: string): string[] {
    const v = this.#validator(schema, at);
    if (v(body)) return [];
    return (v.errors ?? []).map((e) => `${at}: ${e.instancePath || "/"} ${e.message} (${e.schemaPath})`);
  }

  /** A binary-extension answer: its JSON header is an `InferenceResponse`, its sizes add up. */
  #binary(a: Answer, at: string, headerLength: string): string[] {
    const n = Number(headerLength);
    if (!Number.isInteger(n) || n < 0 || n > a.body.length) {
      return [`${at}: bad header length ${headerLength}`];
    }
    let header: { outputs?: { parameters?: { binary_data_size?: number } }[] };
    try {
      header = JSON.parse(dec.decode(a.body.subarray(0, n)));
    } catch {
      return [`${at}: JSON header is not JSON`];
    }
    const out = this.#validate({ $ref: "#/components/schemas/InferenceResponse" }, header, at);
    const sizes = (header.outputs ?? []).reduce((s, o) => s + (o.parameters?.binary_data_size ?? 0), 0);
    if (sizes !== a.body.length - n) out.push(`${at}: binary sizes ${sizes} ≠ ${a.body.length - n} bytes`);
    return out;
  }

  /**
   * Documented (operation, status) pairs no checked answer has shown.
   *
   * @returns `METHOD /template STATUS` strings.
   */
  uncovered(): string[] {
    const out: string[] = [];
    for (const [path, item] of Object.entries(this.#doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        for (const status of Object.keys(operation.responses)) {
          const key = `${method.toUpperCase()} ${path} ${status}`;
          if (!this.#covered.has(key)) out.push(key);
        }
      }
    }
    return out;
  }
}
