/**
 * What `Deno.serve`'s `shutdown()` does to connections and requests in each state, on the
 * Deno that runs this (the drain in server/cluster/drain.ts is built on the answers; re-run
 * after a Deno upgrade). Every client runs in a worker, so the server's thread can be kept
 * busy while they connect and write, as a server worker is while it decodes or infers.
 *
 *     deno run -A bench/serve_shutdown.ts
 *
 * Runs in Deno; 127.0.0.1 only.
 * @module
 */
// deno-lint-ignore-file no-console

const CLIENT = `
const req = new TextEncoder().encode("GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n");
async function outcome(c, write) {
  try {
    if (write) await c.write(write);
    const buf = new Uint8Array(4096);
    let t = "";
    while (true) {
      const n = await c.read(buf);
      if (n === null) return t ? t.split("\\r\\n")[0] + ", then closed" : "closed with no answer";
      t += new TextDecoder().decode(buf.subarray(0, n));
      if (t.includes("done")) return t.split("\\r\\n")[0];
    }
  } catch (e) { return e.name; }
}
const c = {};
const res = {};
self.onmessage = async (e) => {
  const { step, port } = e.data;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  if (step === "setup") {
    c.inFlight = await connect();
    res["request being handled"] = outcome(c.inFlight, req);
    for (const k of ["idle", "unread", "half"]) c[k] = await connect();
    self.postMessage("ready");
  } else {
    // The server's thread is busy from here until it calls shutdown().
    res["accepted, whole request unread"] = outcome(c.unread, req);
    res["accepted, half a request head unread"] = outcome(c.half, req.subarray(0, 10));
    const queued = await connect();
    res["in the accept queue, request sent"] = outcome(queued, req);
    const queuedIdle = await connect();
    res["in the accept queue, nothing sent"] = outcome(queuedIdle);
    res["accepted, nothing sent"] = outcome(c.idle);
    const out = {};
    for (const k of Object.keys(res)) out[k] = await res[k];
    self.postMessage(out);
  }
};`;

async function connections(): Promise<Record<string, string>> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await new Promise((r) => setTimeout(r, 300));
    return new Response("done");
  });
  const port = server.addr.port;
  const w = new Worker(`data:text/javascript,${encodeURIComponent(CLIENT)}`, { type: "module" });
  const next = () => new Promise<unknown>((r) => (w.onmessage = (e) => r(e.data)));
  let m = next();
  w.postMessage({ step: "setup", port });
  await m;
  await new Promise((r) => setTimeout(r, 100)); // accept them all and read the first request
  m = next();
  w.postMessage({ step: "go", port });
  const end = performance.now() + 300;
  while (performance.now() < end) { /* busy, like a decode */ }
  const shut = server.shutdown();
  const result = await m as Record<string, string>;
  await shut;
  w.terminate();
  return result;
}

/** A request whose handler reads its body only after shutdown(). */
async function bodyAfterShutdown(): Promise<string> {
  const { promise: gate, resolve: release } = Promise.withResolvers<void>();
  const { promise: arrival, resolve: arrived } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    arrived();
    await gate;
    try {
      return new Response(`read ${(await req.arrayBuffer()).byteLength} bytes`);
    } catch (e) {
      return new Response(`${(e as Error).name}: ${(e as Error).message}`);
    }
  });
  const res = fetch(`http://127.0.0.1:${server.addr.port}/`, { method: "POST", body: new Uint8Array(7702) })
    .then((r) => r.text());
  await arrival;
  const shut = server.shutdown();
  await new Promise((r) => setTimeout(r, 20));
  release();
  const text = await res;
  await shut;
  return text;
}

/** Whether the server closes the connection after a response that says `Connection: close`. */
async function closeHeader(): Promise<string> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("hi", { headers: { connection: "close" } }),
  );
  const c = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await c.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  const buf = new Uint8Array(4096);
  let text = "";
  let closed = false;
  const timer = setTimeout(() => c.close(), 500);
  try {
    while (true) {
      const n = await c.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch { /* closed by the timer */ }
  clearTimeout(timer);
  await server.shutdown();
  return `${/connection: close/i.test(text) ? "header sent" : "header dropped"}, ` +
    `${closed ? "server closed the connection" : "connection still open 500 ms later"}`;
}

/** Whether the listener still accepts right after shutdown() is called, and after a timer turn. */
async function listenerClose(): Promise<string> {
  const out: string[] = [];
  for (const wait of [false, true]) {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("x"));
    const shut = server.shutdown();
    if (wait) await new Promise((r) => setTimeout(r, 0));
    const outcome = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port })
      .then((c) => (c.close(), "accepted"), (e) => e.name);
    out.push(`${wait ? "after setTimeout(0)" : "at once"}: ${outcome}`);
    await shut;
  }
  return out.join("; ");
}

console.log(`Deno ${Deno.version.deno}: connections when shutdown() is called`);
for (const [k, v] of Object.entries(await connections())) console.log(`  ${k.padEnd(38)} ${v}`);
console.log(`a request body (7,702 bytes, all sent) read after shutdown(): ${await bodyAfterShutdown()}`);
console.log(`a response with Connection: close: ${await closeHeader()}`);
console.log(`a connect after shutdown() is called: ${await listenerClose()}`);
