// Run with the start task's flags (tests/integration/permissions_test.ts): tries what
// server code must not be able to do, and what it must, and prints the outcomes as JSON.
const results: Record<string, string> = {};
async function attempt(name: string, fn: () => Promise<unknown> | unknown) {
  try {
    await fn();
    results[name] = "allowed";
  } catch (e) {
    results[name] = e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied
      ? "denied"
      : `error: ${(e as Error).name}`;
  }
}
await attempt("read /etc/passwd", () => Deno.readTextFile("/etc/passwd"));
await attempt("read deno.json", () => Deno.readTextFile("deno.json"));
await attempt("read tests/", () => Deno.readTextFile("tests/support/test_utils.ts"));
await attempt("read .git/config", () => Deno.readTextFile(".git/config"));
await attempt("write models/", () => Deno.writeTextFile("models/x.json", "{}"));
// Refused by the permission check before any packet is sent.
await attempt("fetch example.com", () => fetch("http://example.com/"));
await attempt("connect 1.1.1.1:53", () => Deno.connect({ hostname: "1.1.1.1", port: 53 }));
await attempt("run a program", () => new Deno.Command("true").output());
await attempt("env HOME", () => Deno.env.get("HOME"));
await attempt("read models/convnet.json", () => Deno.readTextFile("models/convnet.json"));
await attempt("env PORT", () => Deno.env.get("PORT"));
await attempt("listen 127.0.0.1", () => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close());
// deno-lint-ignore no-console
console.log(JSON.stringify(results));
