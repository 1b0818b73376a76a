/**
 * Pointer events on an element → strokes in unit coordinates.
 *
 * Runs in the browser. Mouse, touch and pen arrive as pointer events; the element's
 * CSS sets `touch-action: none` so a finger draws instead of scrolling. One pointer
 * draws at a time (a second finger is ignored), the pointer is captured so a stroke
 * that leaves the pad still ends, and coalesced events are read so fast strokes keep
 * every sample the browser collected.
 *
 * The pad's `touchmove` events are cancelled as well. `touch-action: none` only stops
 * the browser from panning; Chromium still reads an uncancelled swipe as a scroll
 * gesture and, when the finger lifts off while moving, as a fling (with nothing to
 * scroll). The next touch then stops that fling, and Chromium drops the tap that stops
 * a fling: a Clear or Undo tapped within about half a second of lifting the finger got
 * `pointerdown` and `pointerup` but no `click` (lost 3 of 4 times). A cancelled
 * `touchmove` tells Chromium the page consumed the swipe, so it makes no scroll or
 * fling gesture of it.
 * @module
 */

/// <reference lib="dom" />

import type { Point } from "./strokes.ts";

/** What the pad does with a stroke. */
export interface StrokeHandlers {
  /** A stroke starts at `p`. */
  start(p: Point): void;
  /** The stroke moves through `points`. */
  move(points: Point[]): void;
  /** The stroke ends (pointer up, cancelled or lost). */
  end(): void;
}

/**
 * Listen for strokes on an element.
 *
 * @param el The drawing surface.
 * @param handlers Called on stroke start, move and end.
 * @returns A function that removes the listeners.
 * @example
 * ```ts
 * const stop = listenStrokes(canvas, { start: console.log, move: console.log, end() {} });
 * ```
 */
export function listenStrokes(el: HTMLElement, handlers: StrokeHandlers): () => void {
  let active: number | undefined;
  const toUnit = (e: PointerEvent): Point => {
    const r = el.getBoundingClientRect();
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    return { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
  };

  const down = (e: PointerEvent) => {
    if (active !== undefined || (e.pointerType === "mouse" && e.button !== 0)) return;
    e.preventDefault();
    active = e.pointerId;
    el.setPointerCapture(e.pointerId);
    handlers.start(toUnit(e));
  };
  const move = (e: PointerEvent) => {
    if (e.pointerId !== active) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() ?? [];
    handlers.move((events.length ? events : [e]).map(toUnit));
  };
  const consume = (e: TouchEvent) => {
    if (e.cancelable) e.preventDefault();
  };
  const up = (e: PointerEvent) => {
    if (e.pointerId !== active) return;
    active = undefined;
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    handlers.end();
  };

  el.addEventListener("pointerdown", down);
  el.addEventListener("pointermove", move);
  el.addEventListener("touchmove", consume, { passive: false });
  el.addEventListener("pointerup", up);
  el.addEventListener("pointercancel", up);
  el.addEventListener("lostpointercapture", up);
  return () => {
    el.removeEventListener("pointerdown", down);
    el.removeEventListener("pointermove", move);
    el.removeEventListener("touchmove", consume);
    el.removeEventListener("pointerup", up);
    el.removeEventListener("pointercancel", up);
    el.removeEventListener("lostpointercapture", up);
  };
}
