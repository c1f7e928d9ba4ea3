/**
 * A table shown in a grid: the worker holds the rows; this class fetches the pages the grid shows
 * (Arrow IPC, decoded here) and keeps a bounded number of them. A sort runs in the worker as a
 * cancellable operation whose progress is shown; leaving the table cancels it and releases the table.
 */
import { proxy, type Remote } from 'comlink';
import type { ColumnInfo, PondApi, Progress, QueryResult, SortSpec, TableHandle, TablePage } from '../../../workers/api.ts';
import { describeError, type ErrorInfo } from '../common/errors.ts';

/** Rows per request: a screenful several times over, small enough to decode in a frame. */
export const PAGE_ROWS = 200;
/** Pages kept decoded; scrolling far away evicts the oldest. */
const MAX_PAGES = 40;

type Rows = unknown[][];

let nextSort = 1;

/** Decode an IPC page into rows of cell values (apache-arrow is loaded on first use, not at start). */
async function decode(page: TablePage): Promise<Rows> {
  const { tableFromIPC } = await import('apache-arrow');
  const table = tableFromIPC(page.ipc);
  const cols = table.schema.fields.map((_, i) => table.getChildAt(i)!);
  const rows: Rows = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) rows[r] = cols.map((c) => c.get(r) as unknown);
  return rows;
}

export class TableState {
  handle = $state.raw<TableHandle | null>(null);
  sort = $state.raw<SortSpec | null>(null);
  /** The table could not be opened: nothing to show in any tab. */
  error = $state.raw<ErrorInfo | null>(null);
  /** Rows could not be fetched: the grid says so, other views of the table (the chart) are unaffected. */
  pageError = $state.raw<ErrorInfo | null>(null);
  loading = $state(false);
  /** The sort being computed in the worker (null when none is), with its progress. */
  sorting = $state.raw<{ sort: SortSpec; progress: Progress | null } | null>(null);
  #sortOp: string | null = null;
  #pages = $state.raw(new Map<number, Rows>());
  #inflight = new Set<string>();
  #generation = 0;
  /** The rows the grid shows, to reload them when the sort changes under it. */
  #range: [number, number] = [0, 0];

  constructor(private readonly api: Remote<PondApi>) {}

  get columns(): ColumnInfo[] {
    return this.handle?.columns ?? [];
  }

  get rowCount(): number {
    return this.handle?.rows ?? 0;
  }

  /** Hold a new table (a path's table or a query result); the previous one is released. */
  async open(load: () => Promise<TableHandle | QueryResult>): Promise<void> {
    const generation = ++this.#generation;
    this.release();
    this.loading = true;
    this.error = null;
    try {
      const handle = await load();
      if (generation !== this.#generation) {
        void this.api.releaseTable(handle.id);
        return;
      }
      this.handle = handle;
      if ('firstPage' in handle) await this.#store(0, handle.firstPage, generation);
    } catch (e) {
      if (generation === this.#generation) this.error = describeError(e);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Row `i` if its page is loaded (reactive: the grid re-renders when it arrives). */
  row(i: number): unknown[] | undefined {
    return this.#pages.get(Math.floor(i / PAGE_ROWS))?.[i % PAGE_ROWS];
  }

  /** Make sure rows [from, to) are loaded or on their way. */
  request(from: number, to: number): void {
    this.#range = [from, to];
    const handle = this.handle;
    if (!handle) return;
    const generation = this.#generation;
    for (let p = Math.floor(from / PAGE_ROWS); p * PAGE_ROWS < Math.min(to, handle.rows); p++) {
      const key = `${generation}:${p}`;
      if (this.#pages.has(p) || this.#inflight.has(key)) continue;
      this.#inflight.add(key);
      this.api
        .tablePage(handle.id, p * PAGE_ROWS, PAGE_ROWS, this.sort)
        .then((page) => this.#store(p, page, generation))
        .catch((e: unknown) => {
          if (generation === this.#generation) this.pageError = describeError(e);
        })
        .finally(() => this.#inflight.delete(key));
    }
  }

  /** Cycle the sort of `column`: ascending, descending, none. */
  toggleSort(column: string): void {
    const s = this.sort;
    this.#setSort(s?.column !== column ? { column, desc: false } : s.desc ? null : { column, desc: true });
  }

  /** Stop the sort being computed and show the rows unsorted. */
  cancelSort(): void {
    this.#setSort(null);
  }

  #setSort(sort: SortSpec | null): void {
    this.#cancelSortOp();
    this.sort = sort;
    this.#generation++;
    this.#pages = new Map();
    this.pageError = null;
    const handle = this.handle;
    if (sort && handle) {
      // Pages asked for meanwhile wait in the worker for the same computation.
      const opId = `sort${nextSort++}-${handle.id}`;
      const generation = this.#generation;
      this.#sortOp = opId;
      this.sorting = { sort, progress: null };
      const onProgress = proxy((progress: Progress) => {
        // The final report of a sort too short to show would only flash the bar.
        const final = progress.total !== undefined && progress.done >= progress.total;
        if (this.#sortOp === opId && !final) this.sorting = { sort, progress };
      });
      this.api
        .sortTable(handle.id, sort, { opId }, onProgress)
        .catch((e: unknown) => {
          if (generation === this.#generation) this.pageError = describeError(e);
        })
        .finally(() => {
          if (this.#sortOp !== opId) return;
          this.#sortOp = null;
          this.sorting = null;
        });
    }
    this.request(...this.#range);
  }

  #cancelSortOp(): void {
    if (this.#sortOp) void this.api.cancel(this.#sortOp).catch(() => {});
    this.#sortOp = null;
    this.sorting = null;
  }

  /** Let the worker drop the table (a sort still running on it stops). */
  release(): void {
    this.#cancelSortOp();
    if (this.handle) void this.api.releaseTable(this.handle.id).catch(() => {});
    this.handle = null;
    this.sort = null;
    this.pageError = null;
    this.#pages = new Map();
  }

  async #store(index: number, page: TablePage, generation: number): Promise<void> {
    const rows = await decode(page);
    if (generation !== this.#generation) return;
    const pages = new Map(this.#pages);
    pages.delete(index);
    pages.set(index, rows);
    while (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value!);
    this.#pages = pages;
  }
}
