import * as arrow from 'apache-arrow';
import type { DirEntry } from './node.ts';
import { isEntryType } from './entry-type.ts';
import { compareNames } from './directory.ts';
import { pondError } from '../errors.ts';

const SCHEMA = new arrow.Schema([
  new arrow.Field('name', new arrow.Utf8(), false),
  new arrow.Field('node_id', new arrow.Utf8(), false),
  new arrow.Field('file_type', new arrow.Utf8(), false),
  new arrow.Field('factory', new arrow.Utf8(), false),
]);

/** Encode a directory's full entry list as an Arrow IPC stream (the `content` of a directory version). */
export function encodeDirectory(entries: Iterable<DirEntry>): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name));
  const col = (f: (e: DirEntry) => string) => arrow.vectorFromArray(sorted.map(f), new arrow.Utf8());
  const batch = new arrow.RecordBatch(SCHEMA, arrow.makeData({
    type: new arrow.Struct(SCHEMA.fields),
    length: sorted.length,
    nullCount: 0,
    children: [col((e) => e.name), col((e) => e.nodeId), col((e) => e.type), col((e) => e.factory)].map((v) => v.data[0]),
  }));
  return arrow.tableToIPC(new arrow.Table(SCHEMA, [batch]), 'stream');
}

/** Decode a directory snapshot; bytes that are not one are ECORRUPT naming `path`. */
export function decodeDirectory(bytes: Uint8Array | null, path: string): DirEntry[] {
  if (bytes === null || bytes.length === 0) return [];
  let table: arrow.Table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (e) {
    throw pondError('ECORRUPT', path, 'directory snapshot is not Arrow IPC', {}, e);
  }
  const names = table.getChild('name');
  const ids = table.getChild('node_id');
  const types = table.getChild('file_type');
  const factories = table.getChild('factory');
  if (!names || !ids || !types) throw pondError('ECORRUPT', path, 'directory snapshot lacks name/node_id/file_type');
  const out: DirEntry[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const type = types.get(i);
    if (!isEntryType(type)) throw pondError('ECORRUPT', path, `directory entry has unknown type ${JSON.stringify(type)}`);
    out.push({ name: String(names.get(i)), nodeId: String(ids.get(i)), type, factory: String(factories?.get(i) ?? 'tlogfs') });
  }
  return out;
}
