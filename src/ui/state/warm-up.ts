/**
 * Loading DuckDB in idle time, after the first screen: once the first page of an opened pond is
 * on screen and the page is idle, the worker is asked to load it if the pond's SQL nodes will need
 * it (their results are not stored); opening the SQL console asks for it at idle, too. Nothing
 * here runs before the first page is shown, so the first screen never waits for DuckDB.
 */
import type { Remote } from 'comlink';
import type { PondApi, PondInfo, WarmUpReason } from '../../../workers/api.ts';

/** The text a view shows while its content loads (Viewer, FileView, TableView, DirectoryView). */
const LOADING = 'Loading…';
/** The longest wait for an idle moment before running anyway. */
const IDLE_TIMEOUT_MS = 2_000;

/** Run `fn` when the page is idle (requestIdleCallback, or a short timer where there is none), at the latest after a timeout. */
export function whenIdle(fn: () => void, timeoutMs = IDLE_TIMEOUT_MS): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => fn(), { timeout: timeoutMs });
  else setTimeout(fn, 100);
}

/** Whether `el` shows a page: something rendered (content or an error), and no loading placeholder left. */
export function pageShown(el: Element): boolean {
  if (!el.firstElementChild) return false;
  for (const n of el.querySelectorAll('p, span')) if (n.textContent?.trim() === LOADING) return false;
  return true;
}

/**
 * Call `onShown` once, when `el` shows a page. Checked at idle after each change, so that a view's
 * first effects (which put up its placeholder) have run and the page has been painted. Returns a
 * function that stops watching.
 */
export function watchFirstPage(el: Element, onShown: () => void): () => void {
  let done = false;
  let pending = false;
  const check = (): void => {
    if (done || pending) return;
    pending = true;
    whenIdle(() => {
      pending = false;
      if (done || !pageShown(el)) return;
      done = true;
      observer.disconnect();
      onShown();
    });
  };
  const observer = new MutationObserver(check);
  observer.observe(el, { childList: true, subtree: true, characterData: true });
  check();
  return () => {
    done = true;
    observer.disconnect();
  };
}

/** Asks the worker to warm DuckDB up: once per opened pond after its first page, and when the SQL console opens. */
export class WarmUp {
  /** The pond whose first page was shown last (name and URL): another pond warms up again. */
  #pond: string | null = null;
  #running = new Set<WarmUpReason>();

  constructor(private readonly api: Remote<PondApi>) {}

  /** The first page of `pond` is on screen: at idle, load DuckDB if its SQL nodes will need it. */
  pageShown(pond: PondInfo): void {
    const key = `${pond.name}\n${pond.url ?? ''}`;
    if (this.#pond === key) return;
    this.#pond = key;
    whenIdle(() => this.#run('pond'));
  }

  /** The SQL console opened: load DuckDB at idle, so that the first query does not wait for it. */
  consoleOpened(): void {
    whenIdle(() => this.#run('console'));
  }

  #run(reason: WarmUpReason): void {
    if (this.#running.has(reason)) return;
    this.#running.add(reason);
    this.api
      .warmUp(reason)
      // A mark per warm-up (detail: the worker's report), for the profiler and the e2e tests.
      .then((report) => performance.mark('duckpond:warm-up', { detail: report }))
      .catch(() => {})
      .finally(() => this.#running.delete(reason));
  }
}
