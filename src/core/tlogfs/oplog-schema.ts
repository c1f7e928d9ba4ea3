import * as arrow from 'apache-arrow';
import type { NodeVersion } from '../tinyfs/node.ts';
import { STATIC_FACTORY, isEntryType } from '../tinyfs/entry-type.ts';
import { isPondError, pondError } from '../errors.ts';
import { loadParquet } from '../arrow/parquet.ts';
import { binaryData, int64Data, tableOf, timestampUsData, utf8Data } from '../arrow/direct-columns.ts';

/** The partition column; Delta keeps its value in the path and `add.partitionValues`, not in the file. */
export const PARTITION_COLUMN = 'part_id';

/** OplogEntry columns stored in each Parquet file (every column of DESIGN.md except the partition column). */
export const OPLOG_FILE_SCHEMA = new arrow.Schema([
  new arrow.Field('node_id', new arrow.Utf8(), false),
  new arrow.Field('file_type', new arrow.Utf8(), false),
  new arrow.Field('timestamp', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('version', new arrow.Int64(), false),
  new arrow.Field('content', new arrow.Binary(), true),
  new arrow.Field('sha256', new arrow.Utf8(), true),
  new arrow.Field('size', new arrow.Int64(), true),
  new arrow.Field('min_event_time', new arrow.Int64(), true),
  new arrow.Field('max_event_time', new arrow.Int64(), true),
  new arrow.Field('extended_attributes', new arrow.Utf8(), true),
  new arrow.Field('factory', new arrow.Utf8(), false),
  new arrow.Field('txn_seq', new arrow.Int64(), false),
]);

const KNOWN = new Set([PARTITION_COLUMN, ...OPLOG_FILE_SCHEMA.fields.map((f) => f.name)]);

/** The OplogEntry schema as a Delta `schemaString` (struct of the full table, partition column first). */
export function deltaSchemaString(): string {
  const f = (name: string, type: string, nullable: boolean) => ({ name, type, nullable, metadata: {} });
  return JSON.stringify({
    type: 'struct',
    fields: [
      f('part_id', 'string', false),
      f('node_id', 'string', false),
      f('file_type', 'string', false),
      f('timestamp', 'timestamp', false),
      f('version', 'long', false),
      f('content', 'binary', true),
      f('sha256', 'string', true),
      f('size', 'long', true),
      f('min_event_time', 'long', true),
      f('max_event_time', 'long', true),
      f('extended_attributes', 'string', true),
      f('factory', 'string', false),
      f('txn_seq', 'long', false),
    ],
  });
}

/** Encode rows of one partition as an Arrow table in the file schema. */
export function rowsToTable(rows: NodeVersion[]): arrow.Table {
  const col = <T>(f: (r: NodeVersion) => T): T[] => rows.map(f);
  return tableOf(OPLOG_FILE_SCHEMA, rows.length, [
    utf8Data(col((r) => r.nodeId)),
    utf8Data(col((r) => r.type)),
    timestampUsData(
      col((r) => r.timestampUs),
      'UTC',
    ),
    int64Data(col((r) => r.version)),
    binaryData(col((r) => r.content)),
    utf8Data(col((r) => r.sha256)),
    int64Data(col((r) => r.size)),
    int64Data(col((r) => r.minEventTime)),
    int64Data(col((r) => r.maxEventTime)),
    utf8Data(col((r) => (Object.keys(r.attributes).length ? JSON.stringify(r.attributes) : null))),
    utf8Data(col((r) => r.factory)),
    int64Data(col((r) => r.txnSeq)),
  ]);
}

/**
 * Rows of one partition as an OplogEntry Parquet file: zstd, without dictionary pages or column
 * statistics. Its values are ids, hashes and bodies that rarely repeat within a file: building a
 * dictionary per column tripled the writer's time on a one-file commit, and min/max statistics of
 * ids and bodies prune nothing (no reader filters oplog rows by them) but cost another quarter.
 * Plain pages without statistics are what every Parquet reader reads anyway.
 */
export async function rowsToParquet(rows: NodeVersion[]): Promise<Uint8Array> {
  const pq = await loadParquet();
  const table = pq.Table.fromIPCStream(arrow.tableToIPC(rowsToTable(rows), 'stream'));
  return pq.writeParquet(
    table,
    new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).setDictionaryEnabled(false).setStatisticsEnabled(pq.EnabledStatistics.None).build(),
  );
}

/** What the log says about a data file, checked against what its rows say. */
export interface RowExpectations {
  /** The add action's `numRecords`: the file must hold exactly this many rows. */
  numRecords?: number;
  /** The version that added the file: no row in it can come from a later transaction. */
  maxTxnSeq?: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Decode a Parquet file's rows. Tolerates older and newer writers: a missing `factory` column
 * reads as 'tlogfs'; columns this build does not know are kept in `extra`. Every value is checked
 * (types, ranges, counts against `expect`): a file that does not hold valid rows is ECORRUPT
 * naming `path`, never a row with NaN, a wrong type, or a silently missing row.
 */
export function tableToRows(table: arrow.Table, partId: string, path: string, expect: RowExpectations = {}): NodeVersion[] {
  if (expect.numRecords !== undefined && table.numRows !== expect.numRecords) {
    throw pondError('ECORRUPT', path, `holds ${table.numRows} rows; its add action declares ${expect.numRecords}`);
  }
  // We never write an empty data file: one is a footer that lies, or a file swapped for another.
  if (table.numRows === 0) throw pondError('ECORRUPT', path, 'OplogEntry file holds no rows');
  try {
    return decodeRows(table, partId, path, expect);
  } catch (e) {
    if (isPondError(e)) throw e;
    throw pondError('ECORRUPT', path, `OplogEntry rows do not decode (${e instanceof Error ? e.message : String(e)})`, {}, e);
  }
}

function decodeRows(table: arrow.Table, partId: string, path: string, expect: RowExpectations): NodeVersion[] {
  const col = (name: string) => table.getChild(name);
  const need = (name: string) => {
    const c = col(name);
    if (!c) throw pondError('ECORRUPT', path, `OplogEntry file lacks column ${name}`);
    return c;
  };
  const nodeId = need('node_id'),
    fileType = need('file_type'),
    ts = need('timestamp'),
    version = need('version');
  const txn = need('txn_seq');
  const content = col('content'),
    sha = col('sha256'),
    size = col('size'),
    minT = col('min_event_time'),
    maxT = col('max_event_time');
  const attrs = col('extended_attributes'),
    factory = col('factory'),
    part = col(PARTITION_COLUMN);
  const extras = table.schema.fields.map((f) => f.name).filter((n) => !KNOWN.has(n));
  const bad = (i: number, what: string, v: unknown): never => {
    throw pondError('ECORRUPT', path, `row ${i} has ${what} ${typeof v === 'bigint' ? v.toString() : (JSON.stringify(v)?.slice(0, 80) ?? String(v))}`);
  };
  const str = (i: number, what: string, v: unknown): string => (typeof v === 'string' && v !== '' ? v : bad(i, `a bad ${what}`, v));
  const optStr = (i: number, what: string, v: unknown): string | null => (v === null || v === undefined ? null : str(i, what, v));
  const int = (i: number, what: string, v: unknown, min: number): number => {
    const n = typeof v === 'bigint' || typeof v === 'number' ? Number(v) : NaN;
    return Number.isSafeInteger(n) && n >= min ? n : bad(i, `a bad ${what}`, v);
  };
  const optInt = (i: number, what: string, v: unknown, min: number): number | null => (v === null || v === undefined ? null : int(i, what, v, min));
  const rows: NodeVersion[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const type = fileType.get(i);
    if (!isEntryType(type)) throw pondError('ECORRUPT', path, `row ${i} has unknown file_type ${JSON.stringify(type)}`);
    let attributes: Record<string, string> = {};
    const a = attrs?.get(i);
    if (a !== null && a !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(str(i, 'extended_attributes', a));
      } catch (e) {
        if (isPondError(e)) throw e;
        throw pondError('ECORRUPT', path, `row ${i} has extended_attributes that are not JSON`);
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json) || Object.values(json).some((x) => typeof x !== 'string')) {
        bad(i, 'extended_attributes that are not an object of strings', a);
      }
      attributes = json as Record<string, string>;
    }
    const c = content?.get(i) as unknown;
    if (c !== null && c !== undefined && !(c instanceof Uint8Array)) bad(i, 'content that is not binary', typeof c);
    const digest = optStr(i, 'sha256', sha?.get(i));
    if (digest !== null && !SHA256.test(digest)) bad(i, 'a sha256 that is not 64 lower-case hex digits', digest);
    const txnSeq = int(i, 'txn_seq', txn.get(i), 0);
    if (expect.maxTxnSeq !== undefined && txnSeq > expect.maxTxnSeq)
      bad(i, `a txn_seq later than the commit (${expect.maxTxnSeq}) that added the file:`, txnSeq);
    const timestampUs = timestampToUs(ts.get(i), ts.type);
    if (!Number.isFinite(timestampUs)) bad(i, 'a bad timestamp', ts.get(i));
    const row: NodeVersion = {
      partId: optStr(i, PARTITION_COLUMN, part?.get(i)) ?? partId,
      nodeId: str(i, 'node_id', nodeId.get(i)),
      type,
      timestampUs,
      version: int(i, 'version', version.get(i), 1),
      content: c instanceof Uint8Array ? c.slice() : null,
      sha256: digest,
      size: optInt(i, 'size', size?.get(i), 0),
      minEventTime: optInt(i, 'min_event_time', minT?.get(i), Number.MIN_SAFE_INTEGER),
      maxEventTime: optInt(i, 'max_event_time', maxT?.get(i), Number.MIN_SAFE_INTEGER),
      attributes,
      factory: optStr(i, 'factory', factory?.get(i)) ?? STATIC_FACTORY,
      txnSeq,
    };
    if (extras.length) row.extra = Object.fromEntries(extras.map((n) => [n, col(n)?.get(i) ?? null]));
    rows.push(row);
  }
  return rows;
}

function timestampToUs(v: unknown, type: arrow.DataType): number {
  if (v === null || v === undefined) return 0;
  // Arrow JS returns timestamps in milliseconds whatever the stored unit; raw integers are taken as µs.
  if (arrow.DataType.isTimestamp(type)) return Math.round(Number(v) * 1000);
  return Number(v);
}
