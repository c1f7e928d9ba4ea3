/**
 * Tables held in the worker for the UI to page through: a pond table opened for the grid, its
 * pages (sorted on request) and chart series, until the UI releases it. Query results are held
 * the same way (see sql.ts).
 */
import { transfer } from 'comlink';
import type { ChartData, SortSpec, TableHandle, TablePage } from '../api.ts';
import type { ServiceContext } from './context.ts';

export class Tables {
  constructor(private readonly ctx: ServiceContext) {}

  async openTable(path: string): Promise<TableHandle> {
    const pond = this.ctx.reader();
    // The path only: a stat that computed a dynamic table would also encode it to Parquet and hash it.
    const stat = await pond.stat(path, { compute: false });
    return this.ctx.results.hold(await pond.readTable(stat.path), stat.path);
  }

  async tablePage(id: string, offset: number, limit: number, sort?: SortSpec | null): Promise<TablePage> {
    const page = this.ctx.results.page(id, offset, limit, sort);
    return transfer(page, [page.ipc.buffer]);
  }

  async chartData(id: string, x: string, ys: string[], maxPoints?: number, splitBy?: string | null): Promise<ChartData> {
    const data = this.ctx.results.chart(id, x, ys, maxPoints, splitBy ?? null);
    return transfer(data, [data.x.buffer, ...data.ys.map((y) => y.buffer)]);
  }

  async releaseTable(id: string): Promise<void> {
    this.ctx.results.release(id);
  }
}
