/**
 * The drawing page's entry (bundled by `web/build.ts`): wires the pad, the classifier
 * from `src/`, the result view, the backend picker, the server comparison and the
 * service worker together. Each of those lives in its own module; this one only
 * connects them and owns the page's state (which classifier is in use).
 *
 * Runs in the browser. Query parameters: `?backend=webgpu|webgl|wasm` forces a backend
 * (no fallback, so a test sees the one it asked for); `?threads=N` sets WASM threads.
 * Timings for measurements are written to `<html data-ready-ms data-first-prediction-ms>`.
 * @module
 */

/// <reference lib="dom" />

import { type BackendName, type Classifier, NoBackendError, NoDigitError } from "../src/mod.ts";
import { autoOrder } from "./auto_order.ts";
import { BACKEND_LABELS, createBackendPicker, forcedBackend } from "./backend_picker.ts";
import { pageAnswer, serverAnswer, showComparison } from "./compare_view.ts";
import { createDrawingPad } from "./drawing_pad.ts";
import { type LatestRunner, latestRunner } from "./latest_runner.ts";
import { fetchModel, loadClassifier } from "./model_loader.ts";
import { registerServiceWorker, storeForOffline } from "./offline.ts";
import { createResultView, type ResultView } from "./result_view.ts";
import { detectApi, predictOnServer } from "./server_api.ts";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}`);
  return el as T;
}

const els = {
  pad: byId<HTMLCanvasElement>("pad"),
  undo: byId<HTMLButtonElement>("undo"),
  clear: byId<HTMLButtonElement>("clear"),
  upload: byId<HTMLInputElement>("upload"),
  prediction: byId("prediction"),
  announce: byId("announce"),
  bars: byId("bars"),
  preview: byId<HTMLCanvasElement>("preview"),
  select: byId<HTMLSelectElement>("backend-select"),
  backend: byId("backend"),
  timing: byId("timing"),
  status: byId("status"),
  why: byId("why"),
  model: byId("model"),
  compare: byId("compare"),
  compareButton: byId<HTMLButtonElement>("compare-button"),
  compareOut: byId("compare-out"),
  offline: byId("offline"),
};
const marks = document.documentElement.dataset;
const message = (e: unknown) => e instanceof Error ? e.message : String(e);
const say = (text: string): void => {
  els.status.textContent = text;
};
const threads = Number(new URLSearchParams(location.search).get("threads")) || undefined;

/** A backend the user asked for (undefined: automatic), as one request of `loads`. */
interface Choice {
  backend: BackendName | undefined;
}

let classifier: Classifier | undefined;
/** The choice `classifier` was loaded for. */
let chosen: Choice | undefined;
/** The user's latest choice: a load finished for an earlier one is dropped. */
let wanted: Choice | undefined;
let view: ResultView | undefined;
const model = fetchModel();

/** Load the model for `choice` (a backend, or the first that works) and make it the one in use. */
async function useBackend(choice: Choice): Promise<void> {
  const { backend } = choice;
  const files = await model;
  view ??= createResultView(els, files.metadata.labels);
  const m = files.metadata;
  els.model.textContent = `Model ${m.name} ${m.version}` +
    (m.test ? ` · ${(m.test.accuracy * 100).toFixed(2)}% on the MNIST test set` : "");
  say(`Loading ${backend ? BACKEND_LABELS[backend] : "the fastest backend"}…`);
  try {
    const auto = backend ? undefined : await autoOrder();
    const loaded = await loadClassifier(files, { backend, order: auto?.order, numThreads: threads });
    picker.record(loaded.attempts);
    if (choice !== wanted) {
      void loaded.release(); // the user picked again while this one loaded: that choice is next
      return;
    }
    const previous = classifier;
    classifier = loaded;
    chosen = choice;
    void previous?.release();
    els.backend.textContent = BACKEND_LABELS[loaded.backend];
    els.backend.dataset.backend = loaded.backend;
    els.backend.dataset.attempts = JSON.stringify(loaded.attempts);
    say("");
    els.why.textContent = auto?.reason ?? "";
    marks.readyMs ??= performance.now().toFixed(0);
    void registerServiceWorker().then(() => storeForOffline()).then((n) => {
      if (n === undefined) return;
      els.offline.textContent = `Works offline: ${n} files stored on this device.`;
      marks.offline = "ready";
    });
  } catch (e) {
    if (!(e instanceof NoBackendError)) throw e;
    picker.record(e.attempts);
    if (choice !== wanted) return;
    if (chosen) picker.select(chosen.backend); // keep showing what still runs
    say(e.message);
    if (!classifier) els.backend.textContent = "none";
  }
}

/**
 * Backend loads, one at a time (the selector stays usable): choices made while one
 * loads collapse into the newest, and `src/` queues session creation besides.
 */
const loads: LatestRunner<Choice> = latestRunner(
  useBackend,
  (e) => say(`Could not load the model: ${message(e)}`),
);

/** Switch to `backend` (undefined: automatic), then classify the drawing again. */
function choose(backend: BackendName | undefined): void {
  wanted = { backend };
  loads.request(wanted);
  void loads.idle().then(() => live.request(true));
}

const live: LatestRunner<boolean> = latestRunner(async (final: boolean): Promise<void> => {
  await loads.idle();
  const c = classifier;
  const version = pad.version;
  if (!view) return;
  if (pad.size === 0) return view.empty(version);
  if (!c) return;
  const pixels = pad.pixels();
  const start = performance.now();
  try {
    const [p] = await c.classifyPixels([pixels]);
    const ms = performance.now() - start;
    view.show(p, version, final);
    els.timing.textContent = `· ${ms.toFixed(1)} ms to classify`;
    els.timing.dataset.ms = String(ms);
    marks.firstPredictionMs ??= performance.now().toFixed(0);
  } catch (e) {
    if (e instanceof NoDigitError) return view.empty(version, "No digit found");
    if (c !== classifier) return live.request(final); // the backend changed under this run
    throw e;
  }
}, (e) => say(`Could not classify: ${message(e)}`));

const pad = createDrawingPad(els.pad, (why) => live.request(why !== "stroke"));

const picker = createBackendPicker(els.select, (backend) => {
  const url = new URL(location.href);
  if (backend) url.searchParams.set("backend", backend);
  else url.searchParams.delete("backend");
  history.replaceState(null, "", url);
  choose(backend);
});

async function useFile(file: File | undefined): Promise<void> {
  if (!file) return;
  try {
    pad.setImage(await createImageBitmap(file));
  } catch {
    say(`Could not read ${file.name} as an image`);
  }
}

async function compare(): Promise<void> {
  const c = classifier;
  if (!c || pad.size === 0) {
    els.compareOut.textContent = "Draw a digit first.";
    return;
  }
  // The same canvas state, taken in one tick, goes to both sides.
  const pixels = pad.pixels();
  const png = pad.png();
  els.compareButton.disabled = true;
  els.compareOut.textContent = "Asking the server…";
  try {
    const [[mine], theirs] = await Promise.all([c.classifyPixels([pixels]), png.then(predictOnServer)]);
    const engine = `${BACKEND_LABELS[c.backend]} · model ${c.metadata.version}`;
    showComparison(els.compareOut, pageAnswer(mine, engine), serverAnswer(theirs));
  } catch (e) {
    els.compareOut.textContent = e instanceof NoDigitError ? "No digit found." : message(e);
  } finally {
    els.compareButton.disabled = false;
  }
}

els.undo.addEventListener("click", () => pad.undo());
els.clear.addEventListener("click", () => pad.clear());
els.upload.addEventListener("change", () => {
  void useFile(els.upload.files?.[0]);
  els.upload.value = ""; // choosing the same file again is a change too
});
els.pad.addEventListener("dragover", (e) => e.preventDefault());
els.pad.addEventListener("drop", (e) => {
  e.preventDefault();
  void useFile(e.dataTransfer?.files[0]);
});
els.compareButton.addEventListener("click", () => void compare());
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") pad.clear();
  else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "z") {
    e.preventDefault();
    pad.undo();
  }
});
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => pad.repaint());

const forced = forcedBackend();
picker.select(forced);
choose(forced);
void detectApi().then((info) => els.compare.hidden = !info);
