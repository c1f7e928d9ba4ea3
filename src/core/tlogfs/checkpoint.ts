import * as arrow from 'apache-arrow';
import type { ObjectStore } from '../storage/object-store.ts';
import { parquetToTable, tableToParquet } from '../arrow/parquet.ts';
import { LAST_CHECKPOINT_KEY, LOG_DIR, checkAction, type Action, type MetaDataAction } from './delta-log.ts';
import type { LogState } from './log-state.ts';
import { PARTITION_COLUMN } from './oplog-schema.ts';
import { isPondError, pondError } from '../errors.ts';

/** A checkpoint is written after every this many versions. */
export const CHECKPOINT_INTERVAL = 100;

/** The key of the single-part Parquet checkpoint for `version`. */
export function checkpointKey(version: number): string {
  return `${LOG_DIR}${String(version).padStart(20, '0')}.checkpoint.parquet`;
}

const F = <T extends arrow.DataType>(name: string, type: T, nullable = true) => new arrow.Field<T>(name, type, nullable);
const KEY_VALUE = new arrow.Struct<{ key: arrow.Utf8; value: arrow.Utf8 }>([F('key', new arrow.Utf8(), false), F('value', new arrow.Utf8())]);
const STRING_MAP = new arrow.Map_(new arrow.Field('key_value', KEY_VALUE, false));
const ADD = new arrow.Struct([
  F('path', new arrow.Utf8()),
  F('partitionValues', STRING_MAP),
  F('size', new arrow.Int64()),
  F('modificationTime', new arrow.Int64()),
  F('dataChange', new arrow.Bool()),
  F('stats', new arrow.Utf8()),
]);
const META = new arrow.Struct([
  F('id', new arrow.Utf8()),
  F('name', new arrow.Utf8()),
  F('description', new arrow.Utf8()),
  F('format', new arrow.Struct([F('provider', new arrow.Utf8()), F('options', STRING_MAP)])),
  F('schemaString', new arrow.Utf8()),
  F('partitionColumns', new arrow.List(F('element', new arrow.Utf8()))),
  F('configuration', STRING_MAP),
  F('createdTime', new arrow.Int64()),
]);
const PROTOCOL = new arrow.Struct([F('minReaderVersion', new arrow.Int32()), F('minWriterVersion', new arrow.Int32())]);

/**
 * Write Delta's Parquet checkpoint of `state` (one row per action: protocol, metaData, then every
 * live add) and point `_last_checkpoint` at it. Opening then reads this file instead of replaying
 * every JSON commit before it.
 */
export async function writeCheckpoint(store: ObjectStore, state: LogState): Promise<void> {
  if (!state.metaData || !state.protocol) throw pondError('ECORRUPT', LOG_DIR, 'cannot checkpoint a log without protocol and metaData');
  const files = state.liveFiles();
  const n = files.length + 2;
  const meta: MetaDataAction = state.metaData;
  const protocol = [state.protocol, ...Array(n - 1).fill(null)];
  const metaData = [
    null,
    {
      id: meta.id,
      name: meta.name ?? null,
      description: meta.description ?? null,
      format: { provider: meta.format.provider, options: new Map(Object.entries(meta.format.options ?? {})) },
      schemaString: meta.schemaString,
      partitionColumns: meta.partitionColumns,
      configuration: new Map(Object.entries(meta.configuration ?? {})),
      createdTime: meta.createdTime == null ? null : BigInt(meta.createdTime),
    },
    ...Array(n - 2).fill(null),
  ];
  const add = [
    null,
    null,
    ...files.map((f) => ({
      path: f.path,
      partitionValues: new Map([[PARTITION_COLUMN, f.partId]]),
      size: BigInt(f.size),
      modificationTime: BigInt(0),
      dataChange: false,
      stats: f.numRecords === undefined ? null : JSON.stringify({ numRecords: f.numRecords }),
    })),
  ];
  const table = new arrow.Table({
    protocol: arrow.vectorFromArray(protocol, PROTOCOL),
    metaData: arrow.vectorFromArray(metaData, META),
    add: arrow.vectorFromArray(add, ADD),
  });
  const bytes = await tableToParquet(table);
  await store.write(checkpointKey(state.version), bytes);
  const last = { version: state.version, size: n, sizeInBytes: bytes.length, numOfAddFiles: files.length };
  await store.write(LAST_CHECKPOINT_KEY, new TextEncoder().encode(JSON.stringify(last)));
}

/** `_last_checkpoint`: the checkpoint's version and row count (`size`), or undefined when there is none or it does not parse (it is only an accelerator). */
export async function readLastCheckpoint(store: ObjectStore): Promise<{ version: number; size?: number } | undefined> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await store.read(LAST_CHECKPOINT_KEY))) as { version?: unknown; size?: unknown } | null;
    const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!json || !count(json.version)) return undefined;
    return { version: json.version as number, ...(count(json.size) ? { size: json.size as number } : {}) };
  } catch (e) {
    if (isPondError(e) && e.code !== 'ENOENT' && e.code !== 'ECORRUPT') throw e; // EIO, ECLOSED: not a damaged file
    return undefined;
  }
}

/**
 * The actions recorded in the checkpoint of `version`, each validated like a log line. ECORRUPT
 * naming the file when it does not parse, when a row is malformed, when it lacks exactly one
 * protocol and one metaData, or when its row count differs from `_last_checkpoint`'s `size`.
 */
export async function readCheckpoint(store: ObjectStore, version: number, expectedRows?: number): Promise<Action[]> {
  const key = checkpointKey(version);
  const table = await parquetToTable(await store.read(key), key);
  if (expectedRows !== undefined && table.numRows !== expectedRows) {
    throw pondError('ECORRUPT', key, `checkpoint holds ${table.numRows} rows; _last_checkpoint says ${expectedRows}`);
  }
  try {
    return decodeCheckpoint(table, key);
  } catch (e) {
    if (isPondError(e)) throw e;
    throw pondError('ECORRUPT', key, `checkpoint rows do not decode (${e instanceof Error ? e.message : String(e)})`, {}, e);
  }
}

function decodeCheckpoint(table: arrow.Table, key: string): Action[] {
  const out: Action[] = [];
  const protocol = table.getChild('protocol');
  const metaData = table.getChild('metaData');
  const add = table.getChild('add');
  const plain = (m: unknown): unknown => {
    if (m && typeof (m as { toJSON?: unknown }).toJSON === 'function') return (m as { toJSON(): unknown }).toJSON();
    return m ?? {};
  };
  // Arrow hands Int64 as bigint; the action schemas take numbers, and reject what does not fit.
  const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
  const opt = (v: unknown) => (v === null ? undefined : v);
  let protocols = 0;
  let metas = 0;
  for (let i = 0; i < table.numRows; i++) {
    const where = `row ${i}`;
    const p = protocol?.get(i);
    if (p) {
      protocols++;
      out.push(checkAction({ protocol: { minReaderVersion: num(p.minReaderVersion), minWriterVersion: num(p.minWriterVersion) } }, key, where));
    }
    const m = metaData?.get(i);
    if (m) {
      metas++;
      const parts = m.partitionColumns;
      out.push(
        checkAction(
          {
            metaData: {
              id: m.id,
              name: m.name,
              description: m.description,
              format: { provider: m.format?.provider ?? 'parquet', options: plain(m.format?.options) },
              schemaString: m.schemaString,
              partitionColumns: parts ? [...parts] : parts,
              configuration: plain(m.configuration),
              createdTime: opt(num(m.createdTime)),
            },
          },
          key,
          where,
        ),
      );
    }
    const a = add?.get(i);
    if (a) {
      out.push(
        checkAction(
          {
            add: {
              path: a.path,
              partitionValues: plain(a.partitionValues),
              size: num(a.size),
              modificationTime: num(a.modificationTime),
              dataChange: a.dataChange,
              stats: a.stats,
            },
          },
          key,
          where,
        ),
      );
    }
  }
  if (protocols !== 1 || metas !== 1)
    throw pondError('ECORRUPT', key, `checkpoint has ${protocols} protocol and ${metas} metaData rows; it needs exactly one of each`);
  return out;
}
