// Tools for the hostile stored-bytes corpus: build real ponds, then damage their stored bytes the
// way an attacker who publishes a pond would (JSON log lines, Parquet footers, snapshots, index).
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import { logKey } from '../../src/core/tlogfs/delta-log.ts';
import { T, ThriftReader, type ThriftList, type ThriftMap, type ThriftStruct, type ThriftValue } from '../../src/core/arrow/thrift-compact.ts';

// ---------------------------------------------------------------- Thrift compact writer

class Out {
  bytes: number[] = [];
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.byte(b);
    } while (x > 0n);
  }
  zigzag(v: bigint): void {
    this.varint(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }
}

function writeValue(o: Out, type: number, v: ThriftValue): void {
  switch (type) {
    case T.TRUE:
    case T.FALSE:
      return;
    case T.I8:
      return o.byte(Number(v));
    case T.I16:
    case T.I32:
    case T.I64:
      return o.zigzag(BigInt(v as number | bigint));
    case T.DOUBLE: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v as number, true);
      b.forEach((x) => o.byte(x));
      return;
    }
    case T.BINARY: {
      const b = v as Uint8Array;
      o.varint(BigInt(b.length));
      b.forEach((x) => o.byte(x));
      return;
    }
    case T.LIST:
    case T.SET: {
      const l = v as ThriftList;
      if (l.items.length < 15) o.byte((l.items.length << 4) | l.elemType);
      else {
        o.byte(0xf0 | l.elemType);
        o.varint(BigInt(l.items.length));
      }
      for (const it of l.items) {
        if (l.elemType === T.TRUE || l.elemType === T.FALSE) o.byte(it ? 1 : 0);
        else writeValue(o, l.elemType, it);
      }
      return;
    }
    case T.MAP: {
      const m = v as ThriftMap;
      o.varint(BigInt(m.entries.length));
      if (m.entries.length) o.byte((m.keyType << 4) | m.valueType);
      for (const [k, val] of m.entries) {
        writeValue(o, m.keyType, k);
        writeValue(o, m.valueType, val);
      }
      return;
    }
    case T.STRUCT:
      return writeStruct(o, v as ThriftStruct);
    default:
      throw new Error(`type ${type}`);
  }
}

function writeStruct(o: Out, s: ThriftStruct): void {
  let last = 0;
  for (const [id, { type, value }] of [...s.entries()].sort((a, b) => a[0] - b[0])) {
    const wire = type === T.TRUE || type === T.FALSE ? (value ? T.TRUE : T.FALSE) : type;
    if (id > last && id - last <= 15) o.byte(((id - last) << 4) | wire);
    else {
      o.byte(wire);
      o.zigzag(BigInt(id));
    }
    last = id;
    writeValue(o, wire, value);
  }
  o.byte(0);
}

/** Encode a struct in the compact protocol (the inverse of ThriftReader.struct). */
export function encodeThriftStruct(s: ThriftStruct): Uint8Array {
  const o = new Out();
  writeStruct(o, s);
  return Uint8Array.from(o.bytes);
}

// ---------------------------------------------------------------- Parquet footer edits

/** The FileMetaData of a Parquet file, decoded. */
export function readFooter(bytes: Uint8Array): ThriftStruct {
  const n = bytes.length;
  const len = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  return new ThriftReader(bytes, n - 8 - len, n - 8).struct();
}

/** The file with its footer replaced by `meta` (length and magic rewritten). */
export function withFooter(bytes: Uint8Array, meta: ThriftStruct): Uint8Array {
  const n = bytes.length;
  const len = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  const body = bytes.subarray(0, n - 8 - len);
  const footer = encodeThriftStruct(meta);
  const out = new Uint8Array(body.length + footer.length + 8);
  out.set(body);
  out.set(footer, body.length);
  new DataView(out.buffer).setUint32(body.length + footer.length, footer.length, true);
  out.set([0x50, 0x41, 0x52, 0x31], out.length - 4);
  return out;
}

/** Which row counts of the footer a lie rewrites. */
export type RowCountLie = 'file' | 'row-groups' | 'file+row-groups' | 'all';

/** Rewrite the footer's row counts to `rows`: the file's num_rows, each row group's, and (with 'all') each column chunk's num_values. */
export function lieAboutRows(bytes: Uint8Array, rows: number, where: RowCountLie): Uint8Array {
  const meta = readFooter(bytes);
  const set = (s: ThriftStruct, id: number) => s.set(id, { type: T.I64, value: BigInt(rows) });
  if (where !== 'row-groups') set(meta, 3);
  if (where !== 'file') {
    for (const g of (meta.get(4)!.value as ThriftList).items as ThriftStruct[]) {
      set(g, 3);
      if (where === 'all') for (const c of (g.get(1)!.value as ThriftList).items as ThriftStruct[]) set(c.get(3)!.value as ThriftStruct, 5);
    }
  }
  return withFooter(bytes, meta);
}

// ---------------------------------------------------------------- byte and JSON mutations

/** A mutation of raw bytes: flip, overwrite, truncate, extend, or splice. */
export const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);
export type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer M> ? M : never;

/** Apply a byte mutation (positions taken modulo the length; biased to the tail, where footers live, by `tail`). */
export function mutateBytes(bytes: Uint8Array, m: ByteMutation, tail = 0): Uint8Array {
  const n = bytes.length;
  const pos = (at: number) => (tail > 0 && at % 2 === 0 ? n - 1 - (at % Math.min(tail, n)) : at % n);
  const out = bytes.slice();
  switch (m.kind) {
    case 'flip':
      out[pos(m.at)] ^= 1 << m.bit;
      return out;
    case 'set':
      out[pos(m.at)] = m.value;
      return out;
    case 'truncate':
      return out.subarray(0, m.at % n);
    case 'append': {
      const r = new Uint8Array(n + m.extra.length);
      r.set(out);
      r.set(m.extra, n);
      return r;
    }
    case 'zero': {
      const p = pos(m.at);
      out.fill(0, p, Math.min(n, p + m.len));
      return out;
    }
  }
}

/** Hostile replacement values: wrong types, nulls, huge and odd numbers, escapes that do not decode, paths that leave the table. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, 1e308, -0, '', 'x', [], {}, [null], { add: null }),
  fc.constantFrom(
    '%',
    '%E0%A4%A',
    '%zz',
    '../escape.parquet',
    '/etc/passwd',
    'file:///etc/passwd',
    'https://evil.example/x.parquet',
    '_delta_log/00000000000000000000.json',
    'part_id=a/../../x',
    'part_id=%2e%2e/x.parquet',
    'a//b',
    '\u0000',
    '\ud800',
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);

/** One edit of a JSON value at a random path: replace, delete, or insert a hostile value. */
export const jsonEdit = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'insert') as fc.Arbitrary<'replace' | 'delete' | 'insert'>,
  value: hostileJsonValue,
  name: fc.constantFrom('add', 'remove', 'protocol', 'metaData', 'commitInfo', 'path', 'size', 'stats', 'x'),
});
export type JsonEdit = typeof jsonEdit extends fc.Arbitrary<infer E> ? E : never;

/** An edit aimed at one action of a commit: its whole body, or one field of it, replaced or deleted. */
export const actionEdit = fc.record({
  line: fc.nat(),
  field: fc.constantFrom(
    '*',
    'path',
    'size',
    'partitionValues',
    'modificationTime',
    'dataChange',
    'stats',
    'minReaderVersion',
    'minWriterVersion',
    'readerFeatures',
    'partitionColumns',
    'format',
    'schemaString',
    'timestamp',
    'txn_seq',
    'message',
    'operation',
  ),
  op: fc.constantFrom('replace', 'delete') as fc.Arbitrary<'replace' | 'delete'>,
  value: hostileJsonValue,
});
export type ActionEdit = typeof actionEdit extends fc.Arbitrary<infer E> ? E : never;

/** Apply an action edit to a commit's lines (a deep copy). */
export function editAction(lines: unknown[], e: ActionEdit): unknown[] {
  if (!Array.isArray(lines) || lines.length === 0) return lines;
  const out = JSON.parse(JSON.stringify(lines)) as unknown[];
  const line = out[e.line % out.length];
  if (line === null || typeof line !== 'object' || Array.isArray(line)) return out;
  const kind = Object.keys(line)[0];
  if (kind === undefined) return out;
  const action = line as Record<string, unknown>;
  if (e.field === '*') {
    if (e.op === 'replace') action[kind] = e.value;
    else delete action[kind];
    return out;
  }
  const body = action[kind];
  if (body === null || typeof body !== 'object') return out;
  if (e.op === 'replace') (body as Record<string, unknown>)[e.field] = e.value;
  else delete (body as Record<string, unknown>)[e.field];
  return out;
}

/** Every (container, key) of a JSON value, depth first: the places an edit can land. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): typeof out {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  else if (v !== null && typeof v === 'object')
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  return out;
}

/** Apply a JSON edit to a deep copy of `v`. */
export function editJson(v: unknown, e: JsonEdit): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const all = slots(copy);
  if (all.length === 0) return e.value;
  const [container, key] = all[e.pick % all.length];
  if (e.op === 'replace') (container as Record<string | number, unknown>)[key] = e.value;
  else if (e.op === 'delete') {
    if (Array.isArray(container)) container.splice(Number(key), 1);
    else delete container[key as string];
  } else if (Array.isArray(container)) container.splice(Number(key), 0, e.value);
  else container[e.name] = e.value;
  return copy;
}

/** Rows of an Arrow IPC directory snapshot for building hostile ones: arbitrary names, ids, types. */
export function snapshotOf(rows: Array<{ name: unknown; node_id: unknown; file_type: unknown; factory?: unknown }>): Uint8Array {
  const col = (k: 'name' | 'node_id' | 'file_type' | 'factory') =>
    arrow.vectorFromArray(
      rows.map((r) => (r[k] === undefined ? null : (r[k] as string | null))),
      new arrow.Utf8(),
    );
  return arrow.tableToIPC(new arrow.Table({ name: col('name'), node_id: col('node_id'), file_type: col('file_type'), factory: col('factory') }), 'stream');
}

// ---------------------------------------------------------------- editing a stored pond

const enc = (s: string) => new TextEncoder().encode(s);

/** The JSON lines of commit `version`. */
export async function commitLines(store: ObjectStore, version: number): Promise<unknown[]> {
  const text = new TextDecoder().decode(await store.read(logKey(version)));
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** Rewrite commit `version` as the JSON lines `f` returns (raw strings are written as they are). */
export async function rewriteCommit(store: ObjectStore, version: number, f: (lines: unknown[]) => Array<unknown>): Promise<void> {
  const lines = f(await commitLines(store, version));
  await store.write(logKey(version), enc(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n'));
}

/** Every add action of versions 0..newest with its version. */
export async function addActions(store: ObjectStore): Promise<Array<{ version: number; path: string; size: number; partId: string }>> {
  const out: Array<{ version: number; path: string; size: number; partId: string }> = [];
  for (let v = 0; await store.exists(logKey(v)); v++) {
    for (const l of await commitLines(store, v)) {
      const add = (l as { add?: { path: string; size: number; partitionValues: { part_id: string } } }).add;
      if (add) out.push({ version: v, path: add.path, size: add.size, partId: add.partitionValues.part_id });
    }
  }
  return out;
}

/** Replace a data file's bytes and, as a consistent writer would, the size its add actions declare. */
export async function replaceDataFile(store: ObjectStore, path: string, bytes: Uint8Array): Promise<void> {
  await store.write(path, bytes);
  for (const a of await addActions(store)) {
    if (a.path !== path) continue;
    await rewriteCommit(store, a.version, (lines) =>
      lines.map((l) => {
        const add = (l as { add?: { path: string; size: number } }).add;
        return add?.path === path ? { add: { ...add, size: bytes.length } } : l;
      }),
    );
  }
}

/** A copy of a store's every object in a fresh MemoryStore-like target. */
export async function copyStore(from: ObjectStore, to: ObjectStore): Promise<ObjectStore> {
  for (const key of await from.list('')) await to.write(key, await from.read(key));
  return to;
}

// ---------------------------------------------------------------- an independent oracle for log lines

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const strMap = (v: unknown, nullable = false) => isObj(v) && Object.values(v).every((x) => typeof x === 'string' || (nullable && x === null));

function pathOk(p: unknown, partitionValues?: unknown): boolean {
  if (typeof p !== 'string' || p === '') return false;
  try {
    decodeURIComponent(p);
  } catch {
    return false;
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || p.startsWith('/') || p.includes('\0')) return false;
  const parts = p.split('/');
  if (parts.some((x) => x === '' || x === '.' || x === '..')) return false;
  if (['_delta_log', '_large_files', '_lost+found', '.duckpond', 'duckpond-index.json'].includes(parts[0])) return false;
  if (partitionValues === undefined) return true;
  const folder = /(?:^|\/)part_id=([^/]+)\//.exec(p)?.[1];
  const declared = (partitionValues as Record<string, unknown>).part_id;
  if (declared === undefined || declared === null) return folder !== undefined;
  return folder === undefined || decodeURIComponent(folder) === declared;
}

/**
 * What a commit file's lines must satisfy for a reader of this pond to apply them (the Delta
 * protocol's action shapes, for the fields the pond reads), written apart from the reader: 'valid',
 * 'unsupported' (a protocol above reader 1), or 'invalid'.
 */
export function judgeCommit(lines: unknown): 'valid' | 'unsupported' | 'invalid' {
  if (!Array.isArray(lines)) lines = [lines];
  const all = lines as unknown[];
  let unsupported = false;
  for (let i = 0; i < all.length; i++) {
    const l = all[i];
    if (!isObj(l) || Object.keys(l).length !== 1) return 'invalid';
    const [kind] = Object.keys(l);
    const a = l[kind];
    if (kind === 'commitInfo') {
      if (i !== all.length - 1 || !isObj(a)) return 'invalid';
      if (
        (a.timestamp !== undefined && typeof a.timestamp !== 'number') ||
        (a.operation !== undefined && typeof a.operation !== 'string') ||
        (a.message !== undefined && typeof a.message !== 'string') ||
        (a.txn_seq !== undefined && !isCount(a.txn_seq))
      )
        return 'invalid';
      continue;
    }
    if (['txn', 'cdc', 'domainMetadata', 'checkpointMetadata', 'sidecar'].includes(kind)) continue;
    if (!isObj(a)) return 'invalid';
    if (kind === 'add') {
      if (!strMap(a.partitionValues, true) || !isCount(a.size) || typeof a.modificationTime !== 'number' || typeof a.dataChange !== 'boolean') return 'invalid';
      if (!pathOk(a.path, a.partitionValues)) return 'invalid';
      if (a.stats !== undefined && a.stats !== null) {
        if (typeof a.stats !== 'string') return 'invalid';
        let s: unknown;
        try {
          s = JSON.parse(a.stats);
        } catch {
          return 'invalid';
        }
        if (!isObj(s) || (s.numRecords !== undefined && s.numRecords !== null && !isCount(s.numRecords))) return 'invalid';
      }
    } else if (kind === 'remove') {
      if (!pathOk(a.path) || typeof a.dataChange !== 'boolean' || (a.deletionTimestamp != null && typeof a.deletionTimestamp !== 'number')) return 'invalid';
    } else if (kind === 'protocol') {
      const v = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x < 2 ** 31;
      if (!v(a.minReaderVersion) || !v(a.minWriterVersion)) return 'invalid';
      for (const f of ['readerFeatures', 'writerFeatures'])
        if (a[f] !== undefined && !(Array.isArray(a[f]) && (a[f] as unknown[]).every((x) => typeof x === 'string'))) return 'invalid';
      if ((a.minReaderVersion as number) > 1 || (a.readerFeatures as unknown[] | undefined)?.length) unsupported = true;
    } else if (kind === 'metaData') {
      if (
        typeof a.id !== 'string' ||
        typeof a.schemaString !== 'string' ||
        !Array.isArray(a.partitionColumns) ||
        !a.partitionColumns.every((x) => typeof x === 'string')
      )
        return 'invalid';
      if (!isObj(a.format) || typeof a.format.provider !== 'string' || (a.format.options !== undefined && !strMap(a.format.options))) return 'invalid';
      if (a.configuration !== undefined && !strMap(a.configuration)) return 'invalid';
      for (const f of ['name', 'description']) if (a[f] != null && typeof a[f] !== 'string') return 'invalid';
      if (a.createdTime != null && typeof a.createdTime !== 'number') return 'invalid';
    } else return 'invalid';
  }
  return unsupported ? 'unsupported' : 'valid';
}
