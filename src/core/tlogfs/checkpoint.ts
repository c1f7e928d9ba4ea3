import * as arrow from 'apache-arrow';
import type { ObjectStore } from '../storage/object-store.ts';
import { parquetToTable, tableToParquet } from '../arrow/parquet.ts';
import { LAST_CHECKPOINT_KEY, LOG_DIR, type Action, type MetaDataAction } from './delta-log.ts';
import type { LogState } from './log-state.ts';
import { PARTITION_COLUMN } from './oplog-schema.ts';
import { pondError } from '../errors.ts';

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
  F('path', new arrow.Utf8()), F('partitionValues', STRING_MAP), F('size', new arrow.Int64()),
  F('modificationTime', new arrow.Int64()), F('dataChange', new arrow.Bool()), F('stats', new arrow.Utf8()),
]);
const META = new arrow.Struct([
  F('id', new arrow.Utf8()), F('name', new arrow.Utf8()), F('description', new arrow.Utf8()),
  F('format', new arrow.Struct([F('provider', new arrow.Utf8()), F('options', STRING_MAP)])),
  F('schemaString', new arrow.Utf8()), F('partitionColumns', new arrow.List(F('element', new arrow.Utf8()))),
  F('configuration', STRING_MAP), F('createdTime', new arrow.Int64()),
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
  const metaData = [null, {
    id: meta.id, name: meta.name ?? null, description: meta.description ?? null,
    format: { provider: meta.format.provider, options: new Map(Object.entries(meta.format.options ?? {})) },
    schemaString: meta.schemaString, partitionColumns: meta.partitionColumns,
    configuration: new Map(Object.entries(meta.configuration ?? {})), createdTime: meta.createdTime === undefined ? null : BigInt(meta.createdTime),
  }, ...Array(n - 2).fill(null)];
  const add = [null, null, ...files.map((f) => ({
    path: f.path, partitionValues: new Map([[PARTITION_COLUMN, f.partId]]), size: BigInt(f.size),
    modificationTime: BigInt(0), dataChange: false, stats: null,
  }))];
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

/** `_last_checkpoint`'s version, or undefined when there is none or it does not parse. */
export async function readLastCheckpoint(store: ObjectStore): Promise<number | undefined> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await store.read(LAST_CHECKPOINT_KEY))) as { version?: unknown };
    return typeof json.version === 'number' && Number.isInteger(json.version) && json.version >= 0 ? json.version : undefined;
  } catch {
    return undefined;
  }
}

/** The actions recorded in the checkpoint of `version`; ECORRUPT naming the file when it does not parse. */
export async function readCheckpoint(store: ObjectStore, version: number): Promise<Action[]> {
  const key = checkpointKey(version);
  const table = await parquetToTable(await store.read(key), key);
  const out: Action[] = [];
  const protocol = table.getChild('protocol');
  const metaData = table.getChild('metaData');
  const add = table.getChild('add');
  const plain = (m: unknown): Record<string, string> => {
    if (m && typeof (m as { toJSON?: unknown }).toJSON === 'function') return (m as { toJSON(): Record<string, string> }).toJSON();
    return (m as Record<string, string>) ?? {};
  };
  for (let i = 0; i < table.numRows; i++) {
    const p = protocol?.get(i);
    if (p) out.push({ protocol: { minReaderVersion: Number(p.minReaderVersion), minWriterVersion: Number(p.minWriterVersion) } });
    const m = metaData?.get(i);
    if (m) {
      out.push({ metaData: {
        id: m.id, name: m.name, description: m.description,
        format: { provider: m.format?.provider ?? 'parquet', options: plain(m.format?.options) },
        schemaString: m.schemaString, partitionColumns: [...(m.partitionColumns ?? [])].map(String),
        configuration: plain(m.configuration), createdTime: m.createdTime === null ? undefined : Number(m.createdTime),
      } });
    }
    const a = add?.get(i);
    if (a) out.push({ add: { path: a.path, partitionValues: plain(a.partitionValues), size: Number(a.size), modificationTime: Number(a.modificationTime), dataChange: Boolean(a.dataChange) } });
  }
  if (!out.some((a) => 'metaData' in a)) throw pondError('ECORRUPT', key, 'checkpoint has no metaData');
  return out;
}
