import * as arrow from 'apache-arrow';
import type { Directory } from '../tinyfs/directory.ts';
import type { EntryType } from '../tinyfs/entry-type.ts';
import { looksLikeParquet, parquetToTable, tableToParquet } from '../arrow/parquet.ts';
import { sha256Hex } from '../hash.ts';
import { pondError } from '../errors.ts';
import type { FactoryOutput } from './factory.ts';

/**
 * A computed result as the cache holds it. Tables keep the Arrow form and get their Parquet bytes
 * (and hash) only when someone asks for bytes; Parquet that a factory returned is decoded lazily.
 */
export class ComputedResult {
  #table?: arrow.Table;
  #bytes?: Uint8Array;
  #sha256?: string;
  readonly directory?: Directory;

  private constructor(
    readonly type: EntryType,
    init: { table?: arrow.Table; bytes?: Uint8Array; directory?: Directory },
    readonly path: string,
  ) {
    this.#table = init.table;
    this.#bytes = init.bytes;
    this.directory = init.directory;
  }

  /**
   * Turn what compute returned into a result of `type`; EFACTORY naming `path` when the kinds do
   * not fit, ETOOBIG when it is over `maxBytes` (batches are counted as they arrive, so a runaway
   * generator stops at the limit instead of filling memory).
   */
  static async from(output: FactoryOutput, type: EntryType, path: string, maxBytes = Number.POSITIVE_INFINITY): Promise<ComputedResult> {
    if (type === 'directory') {
      if (!isDirectory(output)) throw pondError('EFACTORY', path, `factory returned ${describe(output)} for a directory node`);
      return new ComputedResult(type, { directory: output }, path);
    }
    if (type === 'symlink') throw pondError('EFACTORY', path, 'a factory cannot produce a symlink');
    if (typeof output === 'string') output = new TextEncoder().encode(output);
    if (type === 'file:data') {
      if (!(output instanceof Uint8Array))
        throw pondError('EFACTORY', path, `factory returned ${describe(output)} for a file:data node (expected bytes or text)`);
      checkSize(output.byteLength, maxBytes, path);
      return new ComputedResult(type, { bytes: output }, path);
    }
    if (output instanceof Uint8Array) {
      if (!looksLikeParquet(output)) throw pondError('EFACTORY', path, `factory returned bytes that are not Parquet for a ${type} node`);
      checkSize(output.byteLength, maxBytes, path);
      return new ComputedResult(type, { bytes: output }, path);
    }
    if (output instanceof arrow.Table) {
      checkSize(
        output.batches.reduce((n, b) => n + b.data.byteLength, 0),
        maxBytes,
        path,
      );
      return new ComputedResult(type, { table: output }, path);
    }
    if (isBatchSource(output)) return new ComputedResult(type, { table: await collectBatches(output, path, maxBytes) }, path);
    throw pondError('EFACTORY', path, `factory returned ${describe(output)} for a ${type} node (expected an Arrow table, record batches or Parquet)`);
  }

  /** What the result costs in memory (what is materialized now). */
  get bytes(): number {
    let n = 256 + (this.#bytes?.byteLength ?? 0);
    if (this.#table) for (const b of this.#table.batches) n += b.data.byteLength;
    return n;
  }

  /** The Arrow form of a table result. */
  async table(): Promise<arrow.Table> {
    if (!this.#table) {
      if (!this.#bytes || this.type === 'file:data' || this.type === 'directory') throw pondError('EINVAL', this.path, `is a ${this.type}, not a table`);
      this.#table = await parquetToTable(this.#bytes, this.path);
    }
    return this.#table;
  }

  /** The file bytes: data as produced, tables as Parquet. */
  async fileBytes(): Promise<Uint8Array> {
    if (!this.#bytes) {
      if (!this.#table) throw pondError('EISDIR', this.path, 'is a directory');
      this.#bytes = await tableToParquet(this.#table);
    }
    return this.#bytes;
  }

  /** Hex sha256 of the file bytes. */
  async sha256(): Promise<string> {
    this.#sha256 ??= await sha256Hex(await this.fileBytes());
    return this.#sha256;
  }
}

/** True for objects that implement the Directory interface. */
export function isDirectory(x: unknown): x is Directory {
  const d = x as Partial<Directory> | null;
  return typeof d === 'object' && d !== null && typeof d.get === 'function' && typeof d.entries === 'function';
}

function isBatchSource(x: unknown): x is AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch> {
  if (typeof x !== 'object' || x === null || x instanceof Uint8Array) return false;
  return Symbol.asyncIterator in x || Symbol.iterator in x;
}

/** Drain record batches into one table; every batch must share the first one's schema. */
async function collectBatches(source: AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch>, path: string, maxBytes: number): Promise<arrow.Table> {
  const batches: arrow.RecordBatch[] = [];
  let size = 0;
  for await (const b of source as AsyncIterable<arrow.RecordBatch>) {
    if (!(b instanceof arrow.RecordBatch)) throw pondError('EFACTORY', path, `factory yielded ${describe(b)} where a RecordBatch was expected`);
    size += b.data.byteLength;
    // Returning from the loop ends the generator: no further batch is made.
    checkSize(size, maxBytes, path);
    batches.push(b);
  }
  if (batches.length === 0) return new arrow.Table();
  try {
    return new arrow.Table(batches[0].schema, batches);
  } catch (e) {
    throw pondError('EFACTORY', path, 'factory yielded record batches with different schemas', {}, e);
  }
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (x instanceof Uint8Array) return 'bytes';
  if (x instanceof arrow.Table) return 'an Arrow table';
  if (typeof x === 'object') return `an object (${x.constructor?.name ?? 'Object'})`;
  return `a ${typeof x}`;
}

/** ETOOBIG naming `path` when a result of `size` bytes is over `maxBytes`. */
function checkSize(size: number, maxBytes: number, path: string): void {
  if (size > maxBytes) {
    throw pondError(
      'ETOOBIG',
      path,
      `the result is over the ${formatMiB(maxBytes)} limit for a dynamic node (at ${formatMiB(size)} and counting); narrow it (a LIMIT, a filter, fewer rows)`,
      { limit: maxBytes },
    );
  }
}

function formatMiB(n: number): string {
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
