import assert from "node:assert/strict";
import { boundaryOf, MalformedMultipartError, parseMultipart } from "../../../server/http/multipart.ts";

const enc = new TextEncoder();

/** A body and its content type as Deno's own FormData encoder writes them. */
async function encoded(form: FormData): Promise<{ body: Uint8Array; type: string }> {
  const req = new Request("http://x/", { method: "POST", body: form });
  return { body: new Uint8Array(await req.arrayBuffer()), type: req.headers.get("content-type")! };
}

Deno.test("parseMultipart() reads what FormData writes, bytes exact, as views into the body", async () => {
  // Content that looks like delimiters and header ends, and every byte value.
  const tricky = enc.encode("\r\n--\r\n\r\n--x\r\nContent-Disposition: nope\r\n\r\n");
  const all = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
  const form = new FormData();
  form.append("note", 'héllo "quoted"');
  form.append("file", new Blob([tricky], { type: "image/png" }), 'a "b".png');
  form.append("file", new Blob([all]), "ünï.bin");
  form.append("empty", new Blob([]), "");
  const { body, type } = await encoded(form);
  const parts = parseMultipart(body, boundaryOf(type));
  assert.deepEqual(parts.map((p) => [p.name, p.filename]), [
    ["note", undefined],
    ["file", "a %22b%22.png"], // FormData escapes quotes; Request.formData() leaves them so too
    ["file", "ünï.bin"],
    ["empty", ""],
  ]);
  assert.equal(new TextDecoder().decode(parts[0].data), 'héllo "quoted"');
  assert.deepEqual(parts[1].data, tricky);
  assert.equal(parts[1].contentType, "image/png");
  assert.deepEqual(parts[2].data, all);
  assert.equal(parts[3].data.length, 0);
  assert.equal(parts[2].data.buffer, body.buffer); // not a copy
});

Deno.test("parseMultipart() skips preamble, epilogue and parts that are not named fields", () => {
  const body = enc.encode(
    "preamble\r\n--b\r\n\r\nno headers\r\n--b\r\nContent-Type: text/plain\r\n\r\nno name\r\n" +
      '--b  \r\ncontent-disposition: FORM-DATA; NAME=x; filename="f.png"\r\n\r\nhi\r\n--b--\r\nepilogue',
  );
  const parts = parseMultipart(body, "b");
  assert.equal(parts.length, 1);
  assert.equal(parts[0].name, "x");
  assert.equal(parts[0].filename, "f.png");
  assert.equal(new TextDecoder().decode(parts[0].data), "hi");
});

Deno.test("parseMultipart() refuses bodies cut short or garbled", () => {
  const whole = '--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nxyz\r\n--b--\r\n';
  for (
    const body of [whole.slice(0, 20), whole.slice(0, 60), whole.slice(0, 70), "", "garbage", "--bX\r\n"]
  ) {
    assert.throws(() => parseMultipart(enc.encode(body), "b"), MalformedMultipartError, JSON.stringify(body));
  }
  const noColon = '--b\r\nContent-Disposition form-data; name="file"\r\n\r\nx\r\n--b--';
  assert.throws(() => parseMultipart(enc.encode(noColon), "b"), MalformedMultipartError);
});

Deno.test("boundaryOf() takes the first boundary, unquoted, and refuses bad ones", () => {
  assert.equal(boundaryOf("multipart/form-data; boundary=abc"), "abc");
  assert.equal(boundaryOf('multipart/form-data; charset=x; BOUNDARY="a b:c"'), "a b:c");
  assert.equal(boundaryOf("multipart/form-data; boundary=first; boundary=second"), "first");
  for (
    const type of [
      "multipart/form-data",
      "multipart/form-data; boundary=",
      `multipart/form-data; boundary=${"b".repeat(71)}`,
      'multipart/form-data; boundary="unterminated',
      "multipart/form-data; boundary=bad\u0000char",
    ]
  ) {
    assert.throws(() => boundaryOf(type), MalformedMultipartError, type);
  }
  assert.equal(boundaryOf(`multipart/form-data; boundary=${"b".repeat(70)}`).length, 70);
});
