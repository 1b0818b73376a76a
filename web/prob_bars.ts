/**
 * Ten probability bars, the most probable one highlighted.
 *
 * Runs in the browser. Each row is a list item whose text ("3 12.4%") is what screen
 * readers get; the bar itself is decoration. Widths are set through the CSSOM (a CSS
 * custom property), which the page's CSP allows, unlike inline `style` attributes.
 * Muted bars (the list gets class `muted`) show the numbers without singling out a
 * winner, for an answer that is not a digit; empty bars are muted too.
 * @module
 */

/// <reference lib="dom" />

/** See {@linkcode createProbBars}. */
export interface ProbBars {
  /**
   * Show these probabilities (one per class); nothing shows all bars empty.
   *
   * @param probabilities One per class.
   * @param muted Grey, with no bar highlighted. @default false
   */
  show(probabilities?: readonly number[], muted?: boolean): void;
}

/** Format a probability as a percentage with one decimal. */
export const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;

/**
 * Fill a list element with one bar per label.
 *
 * @param list An `<ol>` or `<ul>`.
 * @param labels The class labels, in output order.
 * @returns The bars.
 * @example
 * ```ts
 * createProbBars(document.querySelector("ol")!, ["0", "1"]).show([0.2, 0.8]);
 * ```
 */
export function createProbBars(list: HTMLElement, labels: readonly string[]): ProbBars {
  list.replaceChildren();
  const rows = labels.map((label) => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "bar-label";
    name.textContent = label;
    const track = document.createElement("span");
    track.className = "bar-track";
    track.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "bar-fill";
    track.append(fill);
    const value = document.createElement("span");
    value.className = "bar-value";
    li.append(name, track, value);
    list.append(li);
    return { li, value };
  });
  return {
    show(probabilities, muted = false) {
      const best = probabilities && !muted ? probabilities.indexOf(Math.max(...probabilities)) : -1;
      list.classList.toggle("muted", muted || !probabilities);
      rows.forEach(({ li, value }, i) => {
        const p = probabilities?.[i] ?? 0;
        li.style.setProperty("--p", String(p));
        li.classList.toggle("top", i === best);
        value.textContent = probabilities ? percent(p) : "–";
      });
    },
  };
}
