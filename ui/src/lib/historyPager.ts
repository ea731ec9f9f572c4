// Rows of a filtered history for a virtualized list, fetched from the core's keyset pagination.
//
// The core pages by cursor (the id after which the next page starts), never by offset, so page
// k can only be asked for once the cursor that ends page k-1 is known. The pager keeps every
// cursor it has seen (a few bytes per page, even for a million rows), keeps a bounded number of
// pages of rows (least recently used go first), and walks the cursor chain when the list jumps
// ahead (dragging the scroll bar to the end). One request at a time, nearest wanted page first.
import type { EntryDto, HistoryPageDto } from "./backend";

export type FetchPage = (cursor: string | null, limit: number) => Promise<HistoryPageDto>;

export class HistoryPager {
  /** cursors[k] is the cursor that starts page k (null for the first page). */
  private cursors: (string | null)[] = [null];
  private pages = new Map<number, EntryDto[]>();
  /** The index of the last page, once a page came back without a next cursor. */
  private lastPage: number | null = null;
  private want: [number, number] = [0, 0];
  private running = false;
  private disposed = false;
  private listeners = new Set<() => void>();
  /** Set when a request failed; cleared by the next successful one. */
  error: unknown = null;
  /** Requests made, for tests and benchmarks. */
  requests = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    readonly pageSize = 1000,
    private readonly keepPages = 40,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose() {
    this.disposed = true;
    this.listeners.clear();
  }

  /** The row at `index`, if its page is loaded. */
  get(index: number): EntryDto | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (!rows) return undefined;
    // Touch: most recently used last.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  /** Asks for the rows `from`..`to` (inclusive) to be loaded; returns at once. */
  ensure(from: number, to: number) {
    const first = Math.max(0, Math.floor(from / this.pageSize));
    const last = Math.max(first, Math.floor(to / this.pageSize));
    this.want = [first, last];
    if (!this.running) void this.run();
  }

  private missing(): number | null {
    const [first, last] = this.want;
    for (let p = first; p <= last; p++) {
      if (this.lastPage !== null && p > this.lastPage) return null;
      if (!this.pages.has(p)) return p;
    }
    return null;
  }

  private async run() {
    this.running = true;
    try {
      for (let target = this.missing(); target !== null; target = this.missing()) {
        if (this.disposed) return;
        // The nearest page to the target whose cursor is known: the target itself, or the
        // end of the known chain to walk on from.
        const page = Math.min(target, this.cursors.length - 1);
        const cursor = this.cursors[page] ?? null;
        let result: HistoryPageDto;
        try {
          this.requests++;
          result = await this.fetchPage(cursor, this.pageSize);
        } catch (e) {
          this.error = e;
          this.emit();
          return;
        }
        if (this.disposed) return;
        this.error = null;
        if (result.next === null) this.lastPage = page;
        else if (this.cursors.length === page + 1) this.cursors.push(result.next);
        this.pages.set(page, result.entries);
        while (this.pages.size > this.keepPages) {
          const oldest = this.pages.keys().next().value as number;
          this.pages.delete(oldest);
        }
        this.emit();
      }
    } finally {
      this.running = false;
    }
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}
