import * as arrow from 'apache-arrow';
import type { DirEntry } from './node.ts';
import { isEntryType } from './entry-type.ts';
import { compareNames } from './directory.ts';
import { isPondError, pondError } from '../errors.ts';
import { checkIpcStream } from '../arrow/ipc-guard.ts';
import { tableOf, utf8Data } from '../arrow/direct-columns.ts';

const SCHEMA = new arrow.Schema([
  new arrow.Field('name', new arrow.Utf8(), false),
  new arrow.Field('node_id', new arrow.Utf8(), false),
  new arrow.Field('file_type', new arrow.Utf8(), false),
  new arrow.Field('factory', new arrow.Utf8(), false),
]);

/**
 * Snapshots this process encoded, with their entries: a commit's own directory versions are read
 * back by the next transaction, and decoding them again cost as much as encoding. Keyed by the
 * bytes object, which the committed row keeps.
 */
const encoded = new WeakMap<Uint8Array, readonly DirEntry[]>();

/** Encode a directory's full entry list as an Arrow IPC stream (the `content` of a directory version). */
export function encodeDirectory(entries: Iterable<DirEntry>): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name));
  const col = (f: (e: DirEntry) => string) => utf8Data(sorted.map(f));
  const table = tableOf(SCHEMA, sorted.length, [col((e) => e.name), col((e) => e.nodeId), col((e) => e.type), col((e) => e.factory)]);
  const bytes = arrow.tableToIPC(table, 'stream');
  encoded.set(
    bytes,
    sorted.map((e) => ({ name: e.name, nodeId: e.nodeId, type: e.type, factory: e.factory })),
  );
  return bytes;
}

/**
 * Decode a directory snapshot. Bytes that are not one are ECORRUPT naming `path`: IPC that does
 * not parse, a missing column, a null or non-string value, a name no entry can have ('', '.',
 * '..', '/' or NUL inside), an unknown type, or the same name twice.
 */
export function decodeDirectory(bytes: Uint8Array | null, path: string): DirEntry[] {
  if (bytes === null || bytes.length === 0) return [];
  const known = encoded.get(bytes);
  if (known) return known.map((e) => ({ ...e }));
  try {
    return decodeEntries(bytes, path);
  } catch (e) {
    if (isPondError(e)) throw e;
    throw pondError('ECORRUPT', path, `directory snapshot is not Arrow IPC (${e instanceof Error ? e.message : String(e)})`, {}, e);
  }
}

function decodeEntries(bytes: Uint8Array, path: string): DirEntry[] {
  checkIpcStream(bytes); // before Arrow JS, which trusts the lengths in the metadata
  const table = arrow.tableFromIPC(bytes);
  const names = table.getChild('name');
  const ids = table.getChild('node_id');
  const types = table.getChild('file_type');
  const factories = table.getChild('factory');
  if (!names || !ids || !types) throw pondError('ECORRUPT', path, 'directory snapshot lacks name/node_id/file_type');
  // A batch header can claim any row count; Arrow JS then reads past its buffers. Each row takes
  // at least one 4-byte offset per column, and each column's offsets must fit its values.
  if (table.numRows > bytes.length / 4) throw pondError('ECORRUPT', path, `directory snapshot claims ${table.numRows} entries in ${bytes.length} bytes`);
  for (const column of [names, ids, types, factories]) {
    for (const data of column?.data ?? []) {
      if (data.length === 0) continue;
      const offsets = data.valueOffsets as Int32Array | undefined;
      const values = data.values as Uint8Array | undefined;
      const fits =
        offsets !== undefined && values !== undefined && offsets.length >= data.length + 1 && offsets[0] >= 0 && offsets[data.length] <= values.length;
      if (!fits) throw pondError('ECORRUPT', path, 'directory snapshot has a column whose offsets do not fit its data');
    }
  }
  const out: DirEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < table.numRows; i++) {
    const name: unknown = names.get(i);
    const nodeId: unknown = ids.get(i);
    const type: unknown = types.get(i);
    const factory: unknown = factories?.get(i) ?? 'tlogfs';
    if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw pondError('ECORRUPT', path, `directory entry ${i} has an invalid name ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) throw pondError('ECORRUPT', path, `directory snapshot lists ${JSON.stringify(name)} twice`);
    seen.add(name);
    if (typeof nodeId !== 'string' || nodeId === '') throw pondError('ECORRUPT', path, `directory entry ${JSON.stringify(name)} has no node id`);
    if (!isEntryType(type)) throw pondError('ECORRUPT', path, `directory entry has unknown type ${JSON.stringify(type)}`);
    if (typeof factory !== 'string' || factory === '')
      throw pondError('ECORRUPT', path, `directory entry ${JSON.stringify(name)} has a bad factory ${JSON.stringify(factory)}`);
    out.push({ name, nodeId, type, factory });
  }
  return out;
}
