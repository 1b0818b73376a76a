/**
 * A minimal HTTP/1.1 client over a raw TCP socket, for requests `fetch` refuses or
 * rewrites: unnormalised paths (`/../x`), malformed headers, bodies that disagree
 * with their headers, and bytes that are not HTTP at all.
 *
 * {@linkcode rawRequest} sends one request per connection (`Connection: close`);
 * {@linkcode rawConnection} keeps one connection for many, as a keep-alive client does.
 * Runs in Deno; loopback only.
 * @module
 */

/** What came back for one raw request. */
export interface RawResponse {
  /** HTTP status, or 0 when the server closed the connection without a response. */
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Why no complete response arrived: "timeout", "reset" or "closed". */
  error?: string;
}

/** One request to build. */
export interface RawRequest {
  method: string;
  /** Sent exactly as given, no normalisation or encoding. */
  target: string;
  /** Sent in order; duplicates allowed. `Host` and `Connection: close` are added when absent. */
  headers?: [string, string][];
  body?: Uint8Array;
  /** Replace the whole request with these bytes (headers and body are ignored). */
  raw?: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Serialise a request to bytes. `Content-Length` is added for a body unless a
 * `Content-Length` or `Transfer-Encoding` header is already given.
 *
 * @param req The request.
 * @param host Value of the Host header.
 * @returns The request bytes.
 */
export function serialise(req: RawRequest, host: string): Uint8Array {
  if (req.raw) return req.raw;
  const headers = [...(req.headers ?? [])];
  const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
  if (!has("host")) headers.unshift(["Host", host]);
  if (!has("connection")) headers.push(["Connection", "close"]);
  if (req.body && !has("content-length") && !has("transfer-encoding")) {
    headers.push(["Content-Length", String(req.body.length)]);
  }
  const head = enc.encode(
    `${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`,
  );
  const out = new Uint8Array(head.length + (req.body?.length ?? 0));
  out.set(head);
  if (req.body) out.set(req.body, head.length);
  return out;
}

function indexOfCrlf2(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

/** Decode a chunked body; undefined when it is incomplete. */
function dechunk(b: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let i = 0;
  while (true) {
    let j = i;
    while (j + 1 < b.length && !(b[j] === 13 && b[j + 1] === 10)) j++;
    if (j + 1 >= b.length) return undefined;
    const size = parseInt(dec.decode(b.subarray(i, j)).split(";")[0], 16);
    if (!Number.isFinite(size)) return undefined;
    i = j + 2;
    if (size === 0) break;
    if (i + size > b.length) return undefined;
    parts.push(b.subarray(i, i + size));
    i += size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Parse the bytes of one HTTP/1.1 response.
 *
 * @param b Everything read from the connection.
 * @returns The response; status 0 when no status line was received.
 */
export function parseResponse(b: Uint8Array): RawResponse {
  const end = indexOfCrlf2(b);
  if (end < 0) return { status: 0, headers: new Headers(), body: new Uint8Array(), error: "closed" };
  const lines = dec.decode(b.subarray(0, end)).split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const k = line.indexOf(":");
    if (k > 0) headers.append(line.slice(0, k).trim(), line.slice(k + 1).trim());
  }
  let body = b.subarray(end + 4);
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
    const d = dechunk(body);
    if (!d) return { status, headers, body, error: "closed" };
    body = d;
  } else if (headers.has("content-length")) {
    const n = Number(headers.get("content-length"));
    if (body.length < n) return { status, headers, body, error: "closed" };
    body = body.subarray(0, n);
  }
  return { status, headers, body };
}

/**
 * The bytes of `chunks` in order, in one array (the chunk itself when there is one).
 *
 * @param chunks Byte chunks.
 * @returns Their concatenation.
 */
export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return all;
}

/**
 * Send one request on a fresh loopback connection and read the response.
 *
 * @param port Server port on 127.0.0.1.
 * @param req The request.
 * @param timeoutMs Give up (and close) after this long. @default 10 000
 * @returns The response, with `error` set when it is missing or incomplete.
 */
export async function rawRequest(port: number, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  let error: string | undefined;
  try {
    const bytes = serialise(req, `127.0.0.1:${port}`);
    // Write and read at once: the server may answer (and stop reading) before the body is sent.
    const writing = (async () => {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    })().catch(() => undefined);
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      // Stop as soon as one whole response is in: a server may keep the socket open.
      if (!parseResponse(concat(chunks)).error) break;
    }
    await writing;
  } catch (e) {
    error = timedOut ? "timeout" : e instanceof Deno.errors.ConnectionReset ? "reset" : String(e);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  if (timedOut) error = "timeout";
  const res = parseResponse(concat(chunks));
  if (error && (res.status === 0 || res.error)) res.error = error;
  return res;
}

/** A kept-alive loopback connection: one request at a time, reused until either side closes it. */
export interface RawConnection {
  /**
   * Send one request (with `Connection: keep-alive` unless the request names its own) and
   * read its response. After a `Connection: close` response, or any error, the connection
   * is closed and `open` turns false.
   */
  send(req: RawRequest, timeoutMs?: number): Promise<RawResponse>;
  /** Whether the next `send` may use this connection. */
  readonly open: boolean;
  close(): void;
}

/**
 * Open a keep-alive connection, as a load balancer's pool holds one.
 *
 * @param port Server port on 127.0.0.1.
 * @returns The connection.
 * @throws {Deno.errors.ConnectionRefused} When nothing listens on the port.
 */
export async function rawConnection(port: number): Promise<RawConnection> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const buf = new Uint8Array(64 * 1024);
  return {
    get open() {
      return open;
    },
    close,
    async send(req, timeoutMs = 10_000) {
      if (!open) throw new Deno.errors.BadResource("The connection is closed");
      const has = (req.headers ?? []).some(([k]) => k.toLowerCase() === "connection");
      const bytes = serialise(
        has ? req : { ...req, headers: [...(req.headers ?? []), ["Connection", "keep-alive"]] },
        `127.0.0.1:${port}`,
      );
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        close();
      }, timeoutMs);
      const chunks: Uint8Array[] = [];
      let error: string | undefined;
      let res: RawResponse | undefined;
      try {
        const writing = (async () => {
          let off = 0;
          while (off < bytes.length) off += await conn.write(bytes.subarray(off));
        })().catch(() => undefined);
        while (true) {
          const n = await conn.read(buf);
          if (n === null) break;
          chunks.push(buf.slice(0, n));
          res = parseResponse(concat(chunks));
          if (!res.error) break;
        }
        await writing;
      } catch (e) {
        error = e instanceof Deno.errors.ConnectionReset ? "reset" : String(e);
      } finally {
        clearTimeout(timer);
      }
      if (timedOut) error = "timeout";
      res = parseResponse(concat(chunks));
      if (res.error) {
        if (error) res.error = error;
        close();
      } else if (/\bclose\b/i.test(res.headers.get("connection") ?? "")) close();
      return res;
    },
  };
}
