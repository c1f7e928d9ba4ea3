/**
 * Turning dropped files into pond files: CSV (through the strict CSV reader of src/core/csv),
 * Parquet and Arrow IPC become tables (stored as Parquet); everything else is stored as bytes.
 * A CSV with rejected rows is imported only when the user confirmed skipping them
 * (`item.csv.skipRejected`), after `previewImport` showed them.
 */
import * as arrow from 'apache-arrow';
import { pondError, parquetRowCount, tableToParquet, looksLikeParquet, type CsvReport } from '../src/core/index.ts';
import type { ImportItem, ImportPreview } from './api.ts';
import { importTarget } from './importer-names.ts';

/** What to write for one imported file. */
export interface PreparedImport {
  name: string;
  bytes: Uint8Array;
  type: 'file:data' | 'file:table' | 'file:series';
  rows: number | null;
  /** What the CSV reader found (CSV imports only). */
  csv?: CsvReport;
}

/** How a dropped file is read: stored as is, or converted from Parquet, Arrow IPC or CSV. */
export type ImportKind = 'data' | 'parquet' | 'arrow' | 'csv';

/** The reader an item goes through (by the "store as" choice, its extension, then its magic bytes). */
export function importKind(item: Pick<ImportItem, 'name' | 'as'>, raw: Uint8Array): ImportKind {
  if (importTarget(item.name, item.as).type === 'file:data') return 'data';
  const ext = /\.([a-z]+)$/i.exec(item.name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'parquet' || looksLikeParquet(raw)) return 'parquet';
  if (ext === 'arrow' || ext === 'feather' || ext === 'ipc') return 'arrow';
  return 'csv';
}

async function bytesOf(item: ImportItem): Promise<Uint8Array> {
  return item.data instanceof Uint8Array ? item.data : new Uint8Array(await item.data.arrayBuffer());
}

/** The strict CSV reader, loaded on the first CSV (it is not needed to list a pond). */
const csvReader = () => import('../src/core/csv/index.ts');

/**
 * What importing `item` to `path` would do, without writing: for a CSV, the reader's report
 * (rows read, rejected rows with their lines, the schema) or the reason it cannot be read.
 */
export async function previewImport(item: ImportItem, path: string, signal?: AbortSignal): Promise<ImportPreview> {
  const target = importTarget(item.name, item.as);
  const base = { name: item.name, type: target.type, csv: null, error: null };
  // Bytes stored as is, Parquet and Arrow are not read here (a big file costs nothing to preview).
  if (target.type === 'file:data' || importKind(item, new Uint8Array(0)) !== 'csv') return base;
  const raw = await bytesOf(item);
  if (importKind(item, raw) !== 'csv') return base;
  const { inspectCsv } = await csvReader();
  try {
    return { ...base, csv: await inspectCsv(raw, { path, delimiter: item.csv?.delimiter, header: item.csv?.header, signal }) };
  } catch (e) {
    if (signal?.aborted) throw e;
    const err = e as { code?: string; message?: string };
    return { ...base, error: { code: err.code ?? 'EINVAL', message: String(err.message ?? e).replace(/^[A-Z]+: /, '') } };
  }
}

/** Read and convert one dropped file. `path` is where it will land (for error messages). */
export async function prepareImport(item: ImportItem, path: string, signal?: AbortSignal): Promise<PreparedImport> {
  const raw = await bytesOf(item);
  const target = importTarget(item.name, item.as);
  const kind = importKind(item, raw);
  if (kind === 'data') return { name: target.name, bytes: raw, type: 'file:data', rows: null };
  if (kind === 'parquet') {
    // Every row is decoded (a file that cannot be read is refused) but none is kept.
    return { name: target.name, bytes: raw, type: target.type, rows: await parquetRowCount(raw, path) };
  }
  if (kind === 'arrow') {
    let table: arrow.Table;
    try {
      table = arrow.tableFromIPC(raw);
    } catch (e) {
      throw pondError('ECORRUPT', path, `not an Arrow IPC file (${(e as Error).message})`, {}, e);
    }
    return { name: target.name, bytes: await tableToParquet(table), type: target.type, rows: table.numRows };
  }
  const { readCsv } = await csvReader();
  const { table, ...report } = await readCsv(raw, { path, delimiter: item.csv?.delimiter, header: item.csv?.header, signal });
  if (report.rejectedCount > 0 && !item.csv?.skipRejected) {
    const first = report.rejected[0];
    throw pondError(
      'EINVAL',
      path,
      `${report.rejectedCount} row${report.rejectedCount === 1 ? ' was' : 's were'} rejected (line ${first.line}: ${first.reason}); nothing was written: fix the file, or import again skipping them`,
      { rejectedCount: report.rejectedCount, rejected: report.rejected.slice(0, 10) },
    );
  }
  return { name: target.name, bytes: await tableToParquet(table), type: target.type, rows: table.numRows, csv: report };
}
