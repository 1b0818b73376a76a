/**
 * The API docs pages' third-party files (Swagger UI, ReDoc), copied from their npm
 * packages into the build (`web/dist/docs-assets/`), where `deno task build`
 * precompresses them with the rest of the site and the server sends them like any
 * static file (Brotli, gzip or identity). Doing it at build time keeps server start-up
 * free of compression work: Brotli at quality 11 of these 3 MB takes about 6 s on 2 cores.
 *
 * Runs in Deno (`web/build.ts`). The pages themselves are `server/routes/api_docs.ts`.
 * @module
 */

/** Folder under `web/dist/` that holds the files; the docs pages link to it. */
export const DOCS_ASSETS_DIR = "docs-assets/";

/** Files the docs pages load: name in the build → path under node_modules. */
const FILES: Readonly<Record<string, string>> = Object.freeze({
  "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
  "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
  "redoc.standalone.js": "redoc/bundles/redoc.standalone.js",
});

/**
 * ReDoc 2.5's side menu always shows a "API docs by Redocly" badge whose image comes
 * from Redocly's CDN; no option turns it off (the component renders it unconditionally),
 * and the docs CSP blocks it with a logged violation. The build points it at an empty
 * inline SVG instead, so the page makes no request off this host. The link stays.
 */
const REDOC_LOGO = Object.freeze({
  file: "redoc.standalone.js",
  from: `"https://cdn.redoc.ly/redoc/logo-mini.svg"`,
  to: `"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/%3E"`,
});

/**
 * Copy the docs files into the build.
 *
 * @param nodeModules The project's node_modules.
 * @param write Writes a file under `web/dist/` (path relative to it).
 * @returns The paths written, relative to `web/dist/`.
 * @throws {Error} When a package no longer has a file, or ReDoc no longer names its logo
 *   (the patch would silently stop working).
 */
export async function copyDocsAssets(
  nodeModules: URL,
  write: (rel: string, bytes: Uint8Array | string) => Promise<void>,
): Promise<string[]> {
  const written: string[] = [];
  for (const [name, path] of Object.entries(FILES)) {
    const rel = DOCS_ASSETS_DIR + name;
    if (name === REDOC_LOGO.file) {
      const text = await Deno.readTextFile(new URL(path, nodeModules));
      if (text.split(REDOC_LOGO.from).length !== 2) {
        throw new Error(`${path} no longer names ${REDOC_LOGO.from} once: update web/docs_assets.ts`);
      }
      await write(rel, text.replace(REDOC_LOGO.from, REDOC_LOGO.to));
    } else {
      await write(rel, await Deno.readFile(new URL(path, nodeModules)));
    }
    written.push(rel);
  }
  return written;
}
