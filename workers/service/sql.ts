/**
 * SQL from the UI's editor: run a query over the open pond (cancellable; the result is held for
 * paging, its first page sent along), and what the editor needs to help write one (the columns
 * behind a pattern, the bound tables a statement uses).
 */
import { transfer } from 'comlink';
import type { ColumnInfo, OpOptions, QueryResult } from '../api.ts';
import { columnsOf } from '../result-sets.ts';
import { tablesUsed } from '../sql-tables.ts';
import type { ServiceContext } from './context.ts';

export class Sql {
  constructor(private readonly ctx: ServiceContext) {}

  async query(sql: string, tables: Record<string, string> = {}, options: OpOptions & { pageSize?: number } = {}): Promise<QueryResult> {
    const pond = this.ctx.reader();
    const results = this.ctx.results;
    return this.ctx.ops.run(options.opId, undefined, async (op) => {
      const started = performance.now();
      const table = await pond.query(sql, { tables, signal: op.signal });
      const elapsedMs = performance.now() - started;
      const handle = results.hold(table, 'query');
      const firstPage = results.page(handle.id, 0, options.pageSize ?? 200);
      return transfer({ ...handle, elapsedMs, firstPage }, [firstPage.ipc.buffer]);
    });
  }

  async columnsOf(pattern: string): Promise<ColumnInfo[]> {
    const pond = this.ctx.reader();
    const first = (await pond.glob(pattern)).find((m) => m.type === 'file:table' || m.type === 'file:series');
    return first ? columnsOf((await pond.readTable(first.path)).schema) : [];
  }

  async tablesUsed(sql: string, names: string[]): Promise<string[]> {
    return tablesUsed(sql, names);
  }
}
