/**
 * The page's client of the API server: is there one, and what does it predict.
 *
 * Runs in the browser. URLs are relative, so the page finds the API next to itself.
 * On a plain static host `api/info` is a placeholder file the build writes (plain text,
 * see `web/build.ts`): the probe gets a 200 that is not JSON, so the page hides what
 * needs the server without a 404 in the console.
 * @module
 */

/// <reference lib="dom" />

/** The server's answer to `POST api/v1/predict` (the fields the page reads). */
export interface ServerPrediction {
  predicted_class: number;
  confidence: number;
  probabilities: number[];
  /** False when the image is not one digit (absent on servers older than model 2.1.0). */
  is_digit?: boolean;
  backend?: string;
  model_version?: string;
}

/**
 * Whether the API server is there.
 *
 * @param timeoutMs Give up after this long. @default 5000
 * @returns The parsed `api/info` JSON, or undefined when it is not answered with a JSON object
 *   (a static host's placeholder, an error, a timeout, offline).
 * @example
 * ```ts
 * if (await detectApi()) compareSection.hidden = false;
 * ```
 */
export async function detectApi(timeoutMs = 5000): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch("api/info", {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok || !res.headers.get("content-type")?.includes("json")) {
      await res.body?.cancel();
      return undefined;
    }
    const info = await res.json();
    return typeof info === "object" && info !== null && !Array.isArray(info) ? info : undefined;
  } catch {
    return undefined; // offline, static host, or not JSON: no server to compare with
  }
}

/**
 * Ask the server to classify a PNG.
 *
 * @param png The image.
 * @returns The server's prediction.
 * @throws {Error} When the request fails; the message carries the problem's `detail`.
 * @example
 * ```ts
 * const answer = await predictOnServer(await pad.png());
 * ```
 */
export async function predictOnServer(png: Blob): Promise<ServerPrediction> {
  const form = new FormData();
  form.append("file", png, "drawing.png");
  const res = await fetch("api/v1/predict", {
    method: "POST",
    body: form,
    headers: { accept: "application/json" },
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`Server answered ${res.status}: ${body?.detail ?? res.statusText}`);
  if (!Array.isArray(body?.probabilities)) throw new Error("Server answer has no probabilities");
  return body as ServerPrediction;
}
