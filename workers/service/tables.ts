/**
 * Tables held in the worker for the UI to page through: a pond table opened for the grid, its
 * pages (sorted on request) and chart series, until the UI releases it. Query results are held
 * the same way (see sql.ts). A sort of millions of rows runs in slices, as an operation the UI
 * can follow and cancel (`sortTable`); other calls are served between its slices.
 */
import { transfer } from 'comlink';
import type { ChartData, OpOptions, ProgressFn, SortSpec, TableHandle, TablePage, TableUsage } from '../api.ts';
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
    // Waits for (or starts) the sort; the page itself is a few hundred rows.
    if (sort) await this.ctx.results.sorted(id, sort);
    const page = this.ctx.results.page(id, offset, limit, sort);
    return transfer(page, [page.ipc.buffer]);
  }

  async chartData(id: string, x: string, ys: string[], maxPoints?: number, splitBy?: string | null): Promise<ChartData> {
    // A chart over unordered x sorts first, in slices (a 3 M-row sort would block other calls).
    await this.ctx.results.chartOrder(id, x);
    const data = this.ctx.results.chart(id, x, ys, maxPoints, splitBy ?? null);
    return transfer(data, [data.x.buffer, ...data.ys.map((y) => y.buffer)]);
  }

  async sortTable(id: string, sort: SortSpec, options: OpOptions = {}, onProgress?: ProgressFn): Promise<void> {
    await this.ctx.ops.run(options.opId, onProgress, async (op) => {
      await this.ctx.results.sorted(id, sort, { signal: op.signal, progress: (done, total) => op.progress({ phase: 'sorting', done, total }) });
    });
  }

  async releaseTable(id: string): Promise<void> {
    this.ctx.results.release(id);
  }

  async tableUsage(): Promise<TableUsage> {
    return this.ctx.results.usage();
  }
}
