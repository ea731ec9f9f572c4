import type { KeyboardEvent } from "react";

const FOCUSABLE =
  "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], summary, [tabindex='0']";

/**
 * Keeps Tab inside a modal dialog. showModal() makes the page behind inert, but Tab still
 * leaves for the browser's own controls after the last element; this wraps it round instead.
 */
export function trapTab(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== "Tab") return;
  const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE));
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * Where focus goes when something that held it goes away: `preferred` if it is still in the
 * page and can take focus, else the current screen's heading, so keyboard and screen-reader
 * users are never left on the document body.
 */
export function restoreFocus(preferred: HTMLElement | null) {
  if (preferred?.isConnected && !preferred.matches(":disabled") && preferred !== document.body) {
    preferred.focus();
    if (document.activeElement === preferred) return;
  }
  focusHeading();
}

/** Focuses the main heading of the page (made focusable by script, not in the Tab order). */
export function focusHeading() {
  const h1 = document.querySelector<HTMLElement>("main h1");
  const target = h1 ?? document.querySelector<HTMLElement>("main");
  if (!target) return;
  if (target.tabIndex < 0 && !target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
}

/** Moves focus to the first field marked invalid in `form`, once React has drawn the errors. */
export function focusFirstInvalid(form: HTMLFormElement) {
  window.requestAnimationFrame(() =>
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
  );
}
