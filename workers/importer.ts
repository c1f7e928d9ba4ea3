/**
 * Turning dropped files into pond files: CSV (through the SQL engine's CSV reader), Parquet and
 * Arrow IPC become tables (stored as Parquet); everything else is stored as bytes.
 */
import * as arrow from 'apache-arrow';
import { pondError } from '../src/core/errors.ts';
import { parquetToTable, tableToParquet, looksLikeParquet } from '../src/core/arrow/parquet.ts';
import type { ImportItem } from './api.ts';
import { importTarget } from './importer-names.ts';

/** What to write for one imported file. */
export interface PreparedImport {
  name: string;
  bytes: Uint8Array;
  type: 'file:data' | 'file:table' | 'file:series';
  rows: number | null;
}

/** The CSV reader the importer uses (the SQL engine's `csvToTable`). */
export type CsvReader = (bytes: Uint8Array, path: string) => Promise<arrow.Table>;

/** Read and convert one dropped file. `path` is where it will land (for error messages). */
export async function prepareImport(item: ImportItem, path: string, readCsv: CsvReader): Promise<PreparedImport> {
  const raw = item.data instanceof Uint8Array ? item.data : new Uint8Array(await item.data.arrayBuffer());
  const target = importTarget(item.name, item.as);
  if (target.type === 'file:data') return { name: target.name, bytes: raw, type: 'file:data', rows: null };
  const ext = /\.([a-z]+)$/i.exec(item.name)?.[1]?.toLowerCase() ?? '';
  if (ext === 'parquet' || looksLikeParquet(raw)) {
    const table = await parquetToTable(raw, path);
    return { name: target.name, bytes: raw, type: target.type, rows: table.numRows };
  }
  let table: arrow.Table;
  if (ext === 'arrow' || ext === 'feather' || ext === 'ipc') {
    try {
      table = arrow.tableFromIPC(raw);
    } catch (e) {
      throw pondError('ECORRUPT', path, `not an Arrow IPC file (${(e as Error).message})`, {}, e);
    }
  } else {
    table = await readCsv(raw, path);
  }
  return { name: target.name, bytes: await tableToParquet(table), type: target.type, rows: table.numRows };
}
