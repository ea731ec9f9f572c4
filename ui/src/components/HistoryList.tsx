import { useEffect, useReducer, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { useVirtualizer, type Virtualizer } from "@tanstack/react-virtual";
import type { EntryDto } from "../lib/backend";
import type { HistoryPager } from "../lib/historyPager";
import { usePreferences } from "../lib/preferences";
import { entryLabels } from "./entryLabels";

/** Height of a row in pixels (fixed, so a million rows need no measuring). */
export const ROW_HEIGHT = 56;
/**
 * Browsers cap an element's height (WebKit and Chromium near 33 million pixels); a million
 * rows of 56 px are past it. Beyond this height the scroll bar moves through the rows at a
 * proportionally faster rate: the list scrolls a shorter, real range and maps it onto the full
 * virtual one.
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/** Maps the real scroll offset of a capped scroller to the virtual offset and back. */
export function scrollScale(count: number, viewport: number) {
  const total = count * ROW_HEIGHT;
  const real = Math.min(total, MAX_SCROLL_HEIGHT);
  const span = Math.max(1, real - viewport);
  const factor = total > real ? Math.max(0, total - viewport) / span : 1;
  return {
    real,
    toVirtual: (offset: number) => offset * factor,
    toReal: (offset: number) => offset / factor,
  };
}

function Row({ entry }: { entry: EntryDto }) {
  const { money, dateTime, t } = usePreferences();
  const { kind, status, out } = entryLabels(entry, t);
  return (
    <>
      <span className="hrow-main">
        <span className="hrow-title">{entry.site ?? kind}</span>
        <span className="hrow-sub">
          {entry.description ?? entry.resource ?? kind} ·{" "}
          <time dateTime={entry.at}>{dateTime(entry.at)}</time>
        </span>
      </span>
      <span className="hrow-side">
        <span className={`amount ${out ? "amount-out" : "amount-in"}`}>
          {money(entry.amount, entry.asset)}
        </span>
        <span className={`badge badge-${entry.status}`}>{status}</span>
        {entry.settledWithoutReceipt && (
          <span className="badge badge-unconfirmed" title={t("history.noReceiptHint")}>
            {t("history.noReceipt")}
          </span>
        )}
      </span>
    </>
  );
}

/**
 * The filtered history as a virtualized listbox (@tanstack/react-virtual): only the rows in
 * view exist in the page. Arrow keys, Page Up/Down, Home and End move through it; Enter opens
 * the entry.
 */
export function HistoryList({
  pager,
  count,
  label,
  onOpen,
}: {
  pager: HistoryPager;
  count: number;
  label: string;
  onOpen: (entry: EntryDto) => void;
}) {
  const { t } = usePreferences();
  const scroller = useRef<HTMLDivElement>(null);
  const [, redraw] = useReducer((x: number) => x + 1, 0);
  const [active, setActive] = useState(0);
  const [viewport, setViewport] = useState(480);
  const scale = scrollScale(count, viewport);
  const scaleRef = useRef(scale);
  scaleRef.current = scale;

  useEffect(() => pager.subscribe(redraw), [pager]);
  useEffect(() => setActive(0), [pager]);

  // TanStack Virtual keeps its own mutable state; the React Compiler leaves this component as is.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    // The scroller may be shorter than the rows (see MAX_SCROLL_HEIGHT): report and take
    // offsets in the rows' own space.
    observeElementOffset: (instance: Virtualizer<HTMLDivElement, Element>, cb) => {
      const el = instance.scrollElement;
      if (!el) return;
      let idle: number | undefined;
      const report = () => {
        cb(scaleRef.current.toVirtual(el.scrollTop), true);
        window.clearTimeout(idle);
        idle = window.setTimeout(() => cb(scaleRef.current.toVirtual(el.scrollTop), false), 120);
      };
      cb(scaleRef.current.toVirtual(el.scrollTop), false);
      el.addEventListener("scroll", report, { passive: true });
      return () => {
        window.clearTimeout(idle);
        el.removeEventListener("scroll", report);
      };
    },
    scrollToFn: (offset, { behavior }, instance) => {
      instance.scrollElement?.scrollTo({ top: scaleRef.current.toReal(offset), behavior });
    },
    // The list starts at the top for each new filter.
    initialOffset: 0,
  });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (count > 0) pager.ensure(first, last);
  }, [pager, first, last, count]);

  const offset = virtualizer.scrollOffset ?? 0;
  const perPage = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);

  function moveTo(index: number) {
    const i = Math.min(Math.max(0, index), count - 1);
    setActive(i);
    // Scroll just enough to show row i. Not virtualizer.scrollToIndex: it clamps offsets to the
    // real scroll height, which is shorter than the rows (see MAX_SCROLL_HEIGHT).
    const el = scroller.current;
    if (!el) return;
    const top = i * ROW_HEIGHT;
    const current = scale.toVirtual(el.scrollTop);
    if (top < current) el.scrollTop = Math.floor(scale.toReal(top));
    else if (top + ROW_HEIGHT > current + viewport)
      el.scrollTop = Math.ceil(scale.toReal(top + ROW_HEIGHT - viewport));
  }

  function onKeyDown(e: KeyboardEvent) {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + perPage),
      PageUp: () => moveTo(active - perPage),
      Home: () => moveTo(0),
      End: () => moveTo(count - 1),
      Enter: () => {
        const entry = pager.get(active);
        if (entry) onOpen(entry);
      },
    };
    const action = keys[e.key === " " ? "Enter" : e.key];
    if (action && count > 0) {
      e.preventDefault();
      action();
    }
  }

  const optionId = (i: number) => `hrow-${i}`;
  const activeRendered = items.some((it) => it.index === active);

  return (
    <div
      ref={scroller}
      className="history-scroller"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={count > 0 && activeRendered ? optionId(active) : undefined}
      onKeyDown={onKeyDown}
      data-count={count}
    >
      <div className="history-window">
        {items.map((item) => {
          const entry = pager.get(item.index);
          return (
            <div
              key={item.key}
              id={optionId(item.index)}
              role="option"
              aria-selected={item.index === active}
              aria-posinset={item.index + 1}
              aria-setsize={count}
              aria-busy={entry ? undefined : true}
              className="hrow"
              data-index={item.index}
              style={{ transform: `translateY(${item.start - offset}px)` }}
              onClick={() => {
                // The list keeps focus (the dialog gives it back on closing).
                scroller.current?.focus();
                setActive(item.index);
                if (entry) onOpen(entry);
              }}
            >
              {entry ? <Row entry={entry} /> : <span className="muted">{t("app.loading")}</span>}
            </div>
          );
        })}
      </div>
      <div
        className="history-spacer"
        aria-hidden="true"
        style={{ height: `${Math.max(0, scale.real - viewport)}px` }}
      />
    </div>
  );
}
