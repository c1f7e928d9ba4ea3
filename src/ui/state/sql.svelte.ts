/**
 * The SQL console: query text, table bindings (name -> glob pattern), the running query and its
 * result. Text and bindings are kept per pond in localStorage, so a reload keeps the work.
 */
import type { ColumnInfo } from '../../../workers/api.ts';
import type { ErrorInfo } from '../common/errors.ts';
import { TableState } from './table.svelte.ts';
import type { AppState } from './app.svelte.ts';

export interface Binding {
  name: string;
  pattern: string;
}

interface Saved {
  text: string;
  bindings: Binding[];
}

const KEY = (pond: string) => `duckpond:sql:${pond}`;

/**
 * Which saved console a pond has: a local pond's name, or a published pond's URL (so a published
 * "demo" and a local pond named "demo" keep their work apart).
 */
export function consoleId(pond: { name: string; url?: string | null }): string {
  return pond.url ? `url:${pond.url}` : pond.name;
}
let nextQuery = 1;

/** A table name SQL can use unquoted, made from a file name ('sales 2024.csv' -> 'sales_2024'). */
export function tableName(path: string): string {
  const base = path.split('/').filter(Boolean).pop() ?? 't';
  const name = base
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^(\d)/, '_$1');
  return name || 't';
}

export class SqlState {
  text = $state('');
  bindings = $state<Binding[]>([]);
  running = $state<string | null>(null);
  elapsedMs = $state<number | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** Columns per bound name (for completion), filled lazily. */
  schema = $state.raw<Record<string, ColumnInfo[]>>({});
  readonly result: TableState;
  #pond: string | null = null;

  constructor(private readonly app: AppState) {
    this.result = new TableState(app.api);
  }

  /** Switch to the saved console `pond` (see consoleId). */
  load(pond: string): void {
    if (this.#pond === pond) return;
    this.#pond = pond;
    let saved: Saved | null;
    try {
      saved = JSON.parse(localStorage.getItem(KEY(pond)) ?? 'null') as Saved | null;
    } catch {
      saved = null;
    }
    // A link's query wins over the work saved in this browser.
    const linked = this.app.route.current;
    this.text = linked.sql ?? saved?.text ?? '';
    this.bindings = linked.bindings ?? saved?.bindings ?? [];
    this.result.release();
    this.error = null;
    this.elapsedMs = null;
    void this.refreshSchema();
  }

  /** Keep the console's work: in this browser (per pond) and in the URL, so that a link opens the same query. */
  save(): void {
    if (this.#pond) localStorage.setItem(KEY(this.#pond), JSON.stringify({ text: this.text, bindings: this.bindings } satisfies Saved));
    if (this.app.area === 'sql') {
      const bindings = this.bindings.filter((b) => b.name || b.pattern).map((b) => ({ name: b.name, pattern: b.pattern }));
      this.app.route.go({ sql: this.text || null, bindings: bindings.length ? bindings : null }, { replace: true });
    }
  }

  /** Take the query a link (or the back button) put in the URL. */
  follow(sql: string | null, bindings: Binding[] | null): void {
    if (sql !== null && sql !== this.text) this.text = sql;
    if (bindings !== null && JSON.stringify(bindings) !== JSON.stringify(this.bindings)) {
      this.bindings = bindings;
      void this.refreshSchema();
    }
  }

  /** Bind `path` under a table name made from it (reusing a binding of the same pattern) and start a query of it. */
  queryPath(path: string): void {
    // The console may not have been shown yet: load this pond's saved work before adding to it
    // (the console of what is open: a published pond's is kept apart from a local pond's of that name).
    if (this.app.pond) this.load(consoleId(this.app.pond));
    let binding = this.bindings.find((b) => b.pattern === path);
    if (!binding) {
      let name = tableName(path);
      for (let i = 2; this.bindings.some((b) => b.name === name); i++) name = `${tableName(path)}_${i}`;
      binding = { name, pattern: path };
      this.bindings = [...this.bindings, binding];
    }
    this.text = `SELECT * FROM ${binding.name} LIMIT 1000`;
    this.save();
    void this.refreshSchema();
  }

  /** Fetch the columns of each bound pattern, for completion. */
  async refreshSchema(): Promise<void> {
    const entries = await Promise.all(
      this.bindings
        .filter((b) => b.name && b.pattern)
        .map(async (b) => {
          const cols = await this.app.api.columnsOf(b.pattern).catch(() => [] as ColumnInfo[]);
          return [b.name, cols] as const;
        }),
    );
    this.schema = Object.fromEntries(entries);
  }

  /** Bindings as the worker wants them (named, with a pattern). */
  get tables(): Record<string, string> {
    return Object.fromEntries(this.bindings.filter((b) => b.name.trim() && b.pattern.trim()).map((b) => [b.name.trim(), b.pattern.trim()]));
  }

  async run(): Promise<void> {
    if (this.running || !this.text.trim()) return;
    const opId = `q${nextQuery++}`;
    this.running = opId;
    this.error = null;
    this.save();
    const sql = this.text;
    const tables = this.tables;
    let elapsed: number | null = null;
    await this.result.open(async () => {
      const r = await this.app.api.query(sql, tables, { opId });
      elapsed = r.elapsedMs;
      return r;
    });
    this.elapsedMs = elapsed;
    if (this.result.error) this.error = this.result.error;
    this.running = null;
  }

  cancel(): void {
    if (this.running) void this.app.api.cancel(this.running);
  }

  /** Save the current query as a sql_query node at `path`, with the bindings the query mentions. */
  async saveAsNode(path: string): Promise<boolean> {
    try {
      const all = this.tables;
      const used = await this.app.api.tablesUsed(this.text, Object.keys(all));
      const config = { query: this.text, tables: Object.fromEntries(used.map((name) => [name, all[name]])) };
      await this.app.api.mknod(path, 'sql_query', JSON.stringify(config));
      return true;
    } catch (e) {
      this.app.notices.error(e, `Could not save the query as ${path}`);
      return false;
    }
  }
}
