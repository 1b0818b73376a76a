/**
 * API documentation pages: Swagger UI at `/docs` and ReDoc at `/redoc`, so they work
 * with no internet. Their third-party files come from the npm packages by way of the
 * build (`web/docs_assets.ts` copies them to `web/dist/docs-assets/`, where they are
 * precompressed and served as static files); the small start-up scripts are here.
 *
 * Runs in Deno.
 * @module
 */

import { HttpError } from "../http/errors.ts";
import { HEADER, STATUS } from "../http/status.ts";
import { MIME } from "../http/static_files.ts";

/** Inline scripts are forbidden by the CSP, so each page's start-up is a small file. */
const INIT: Readonly<Record<string, string>> = Object.freeze({
  "swagger-init.js":
    `window.ui = SwaggerUIBundle({ url: "../openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`,
  "redoc-init.js": `Redoc.init("../openapi.json", {}, document.getElementById("redoc"));\n`,
});

/** CSP of the docs pages: both UIs set inline styles, ReDoc starts a blob worker. */
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'";

const page = (title: string, head: string, body: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;

/** HTML of `/docs`. */
export const SWAGGER_HTML = page(
  "MNIST API – Swagger UI",
  `<link rel="stylesheet" href="docs-assets/swagger-ui.css">`,
  `<div id="swagger-ui"></div>
<script src="docs-assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/swagger-init.js"></script>`,
);

/** HTML of `/redoc`. */
export const REDOC_HTML = page(
  "MNIST API – ReDoc",
  "",
  `<div id="redoc"></div>
<script src="docs-assets/redoc.standalone.js"></script>
<script src="docs/assets/redoc-init.js"></script>`,
);

/**
 * Serve one of the docs pages' start-up scripts.
 *
 * @param name File name after `/docs/assets/`.
 * @returns The script, or undefined when the name is not one.
 * @example
 * ```ts
 * const res = docsAsset("redoc-init.js");
 * ```
 */
export function docsAsset(name: string): Response | undefined {
  if (!Object.hasOwn(INIT, name)) return undefined;
  return new Response(INIT[name], {
    headers: { [HEADER.ContentType]: MIME.js, [HEADER.CacheControl]: "public, max-age=86400" },
  });
}

/**
 * `GET /docs/assets/{name}`: one of the docs pages' start-up scripts.
 *
 * @param _req The request.
 * @param _ctx Unused.
 * @param name File name after `/docs/assets/`.
 * @returns The script.
 * @throws {HttpError} 404 for any other name.
 */
export function docsAssetRoute(_req: Request, _ctx: unknown, name: string): Response {
  const res = docsAsset(name);
  if (!res) throw new HttpError(STATUS.NotFound, `No docs asset "${name}"`);
  return res;
}
