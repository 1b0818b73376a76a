/**
 * API documentation pages: Swagger UI at `/docs` and ReDoc at `/redoc`, with their
 * assets served from the npm packages on disk, so they work with no internet.
 *
 * Runs in Deno.
 * @module
 */

import { HEADER } from "../http/status.ts";

/** Files the docs pages may load, by URL name → path under node_modules. */
const ASSETS: Readonly<Record<string, string>> = Object.freeze({
  "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
  "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
  "redoc.standalone.js": "redoc/bundles/redoc.standalone.js",
});

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
  `<link rel="stylesheet" href="docs/assets/swagger-ui.css">`,
  `<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/swagger-init.js"></script>`,
);

/** HTML of `/redoc`. */
export const REDOC_HTML = page(
  "MNIST API – ReDoc",
  "",
  `<div id="redoc"></div>
<script src="docs/assets/redoc.standalone.js"></script>
<script src="docs/assets/redoc-init.js"></script>`,
);

/**
 * Serve one docs asset.
 *
 * @param name File name after `/docs/assets/`.
 * @param nodeModules Where the npm packages are. @default the project's node_modules, found from this
 * module (so it also holds inside a compiled binary, whatever the working directory)
 * @returns The file, or undefined when the name is not a docs asset.
 */
export async function docsAsset(
  name: string,
  nodeModules = new URL("../../node_modules", import.meta.url).pathname,
): Promise<Response | undefined> {
  const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  const headers = { [HEADER.ContentType]: type, [HEADER.CacheControl]: "public, max-age=86400" };
  if (INIT[name]) return new Response(INIT[name], { headers });
  const path = ASSETS[name];
  if (!path) return undefined;
  return new Response(await Deno.readFile(`${nodeModules}/${path}`), { headers });
}
