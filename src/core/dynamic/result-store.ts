/**
 * The persistent result cache: dynamic results kept in the pond's own store under `_results/`,
 * outside the Delta log, so a reload or a reopen reads them instead of recomputing. Size-capped,
 * least recently used first out; every entry is verified on read (a damaged one is never served,
 * and is removed so the next compute replaces it). Only an accelerator: every failure here is a
 * miss, never an error of the read that asked.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { isPondError, pondError } from '../errors.ts';
import {
  DEFAULT_MAX_RESULT_BYTES,
  RESULTS_DIR,
  RESULTS_LRU,
  decodeResultEntry,
  encodeResultEntry,
  maxEntryBytes,
  resultKey,
  slotOfKey,
  type ResultHeader,
} from '../tlogfs/result-entry.ts';

/** Default size cap of a pond's stored results. */
export const DEFAULT_RESULTS_CAP_BYTES = 64 * 1024 * 1024;

/** Options of a ResultStore. */
export interface ResultStoreOptions {
  /** Bytes the stored results may take (default 64 MiB; Infinity: no cap); least recently used entries go first. */
  capBytes?: number;
  /** The largest entry written (default a quarter of the cap: one result must not evict all the others). */
  maxEntryBytes?: number;
  /** False for a handle that must not write (time travel); writes also need a writable store. */
  write?: boolean;
}

/**
 * The options of the store a publish computes into: no total cap, so every result stays (the
 * folder ships them all, and nothing is evicted to make room), and entries up to `maxEntryBytes`
 * (default: the largest result a dynamic node may produce), bounded still.
 */
export function publishResultOptions(maxEntryBytes = DEFAULT_MAX_RESULT_BYTES): ResultStoreOptions {
  return { capBytes: Number.POSITIVE_INFINITY, maxEntryBytes };
}

/**
 * What became of the result of the dynamic file at a path in this handle: stored at `key` (written
 * or served from there; `bytes` is the entry's size), too big to store, its write failed, or
 * evicted since.
 */
export type ResultOutcome =
  | { state: 'stored'; key: string; bytes: number }
  | { state: 'too-big'; bytes: number; limit: number }
  | { state: 'failed'; message: string }
  | { state: 'evicted'; key: string };

/** A verified entry as `read` gives it: the header, the result body, and the entry's size in the store. */
export interface StoredResult {
  header: ResultHeader;
  body: Uint8Array;
  size: number;
}

/** Counters a test or a benchmark reads. */
export interface ResultStoreStats {
  /** Entries served (their inputs held); an entry read but refused by its reader is a miss. */
  hits: number;
  misses: number;
  damaged: number;
  written: number;
  evicted: number;
}

interface LruRecord {
  format: 'duckpond-results-lru';
  version: 1;
  clock: number;
  /** slot -> [size in bytes, last use (clock)] */
  entries: Record<string, [number, number]>;
}

/**
 * One pond's stored results. Access order is recorded in `_results/lru.json` (read once, then
 * kept in memory and rewritten after each change, one write at a time and coalesced), so a read
 * costs one object read plus at most one small background write. An entry the record does not
 * know (another tab wrote it) is found by one listing when eviction runs and counts as oldest.
 */
export class ResultStore {
  readonly #store: ObjectStore;
  readonly #cap: number;
  readonly #maxEntry: number;
  readonly #write: boolean;
  /** Per dynamic file path: what became of its result here (see `outcome`). */
  readonly #outcomes = new Map<string, ResultOutcome>();
  #lru?: Promise<LruRecord>;
  #queue: Promise<void> = Promise.resolve();
  #lruDirty = false;
  #saving?: Promise<void>;
  readonly stats: ResultStoreStats = { hits: 0, misses: 0, damaged: 0, written: 0, evicted: 0 };

  constructor(store: ObjectStore, options: ResultStoreOptions = {}) {
    this.#store = store;
    this.#cap = options.capBytes ?? DEFAULT_RESULTS_CAP_BYTES;
    this.#maxEntry = options.maxEntryBytes ?? Math.floor(this.#cap / 4);
    this.#write = (options.write ?? true) && store.writable;
  }

  /** Whether results computed here are written back. */
  get writable(): boolean {
    return this.#write;
  }

  /** The largest entry kept (default a quarter of the cap: one result must not evict all the others). */
  get maxEntryBytes(): number {
    return this.#maxEntry;
  }

  /**
   * The verified entry in `slot`, or undefined (absent, too big, damaged, unreadable). Its size in
   * the store is checked before it is read: nothing that could not hold a body of `maxBodyBytes`
   * (default 512 MiB) is read, whatever size a published index declares. A damaged entry is
   * removed. Not yet a hit: the reader says with `settle` whether it served the entry.
   */
  async read(slot: string, maxBodyBytes = DEFAULT_MAX_RESULT_BYTES): Promise<StoredResult | undefined> {
    const key = resultKey(slot);
    let bytes: Uint8Array;
    try {
      bytes = await this.#readBounded(key, maxBodyBytes);
    } catch (e) {
      // A published pond's host refusing an entry (ECORRUPT against its index) is a damaged entry too.
      if (isPondError(e, 'ECORRUPT')) this.stats.damaged++;
      else this.stats.misses++;
      return undefined;
    }
    try {
      return { ...(await decodeResultEntry(bytes, key)), size: bytes.length };
    } catch {
      this.stats.damaged++;
      this.#forget(slot);
      return undefined;
    }
  }

  /**
   * Count what became of an entry `read` gave: `served` (a hit: marked most recently used) or
   * refused by its reader (an input changed since it was made: a miss, and a compute replaces it).
   */
  settle(slot: string, entry: StoredResult, served: boolean): void {
    if (!served) {
      this.stats.misses++;
      return;
    }
    this.stats.hits++;
    this.#outcomes.set(entry.header.path, { state: 'stored', key: resultKey(slot), bytes: entry.size });
    this.#touch(slot, entry.size);
  }

  /** The verified entry in `slot` without counting it or marking it used (a check, not a read); undefined when absent, too big or damaged. */
  async peek(slot: string, maxBodyBytes = DEFAULT_MAX_RESULT_BYTES): Promise<StoredResult | undefined> {
    const key = resultKey(slot);
    try {
      const bytes = await this.#readBounded(key, maxBodyBytes);
      return { ...(await decodeResultEntry(bytes, key)), size: bytes.length };
    } catch {
      return undefined;
    }
  }

  /**
   * What became of the result of the dynamic file at `path` in this handle (written, served, too
   * big to store, failed, evicted), or undefined when nothing was asked to store it (a result that
   * expires, or one of whose inputs has no content identity). `stored` is checked against the store
   * (an entry removed meanwhile is `evicted`). Call `flush` first: writes are in the background.
   */
  async outcome(path: string): Promise<ResultOutcome | undefined> {
    const o = this.#outcomes.get(path);
    if (o?.state !== 'stored') return o;
    return (await this.#store.size(o.key).catch(() => undefined)) === undefined ? { state: 'evicted', key: o.key } : o;
  }

  /** The entry at `key`, refused (ETOOBIG, before any byte is read) when its size could not be an entry of a body up to `maxBodyBytes`. */
  async #readBounded(key: string, maxBodyBytes: number): Promise<Uint8Array> {
    const limit = maxEntryBytes(maxBodyBytes);
    const size = await this.#store.size(key);
    if (size === undefined) throw pondError('ENOENT', key, 'no stored result');
    if (size > limit) throw pondError('ETOOBIG', key, `stored result of ${size} bytes is over the ${limit} bytes a read takes`);
    const bytes = await this.#store.read(key);
    // The object may have been replaced since its size was asked (another tab): bound what was read too.
    if (bytes.length > limit) throw pondError('ETOOBIG', key, `stored result of ${bytes.length} bytes is over the ${limit} bytes a read takes`);
    return bytes;
  }

  /** Store an entry in `slot` in the background (in call order); `body` is asked for only when its turn comes. */
  write(slot: string, header: ResultHeader, body: () => Promise<Uint8Array>): void {
    if (!this.#write) return;
    this.#enqueue(async () => {
      try {
        const result = await body();
        if (result.length > this.#maxEntry) {
          this.#outcomes.set(header.path, { state: 'too-big', bytes: result.length, limit: this.#maxEntry });
          return;
        }
        const bytes = await encodeResultEntry(header, result);
        await this.#store.write(resultKey(slot), bytes);
        this.stats.written++;
        this.#outcomes.set(header.path, { state: 'stored', key: resultKey(slot), bytes: bytes.length });
        const lru = await this.#record();
        lru.entries[slot] = [bytes.length, ++lru.clock];
        await this.#evict(lru, slot);
        this.#lruDirty = true;
      } catch (e) {
        this.#outcomes.set(header.path, { state: 'failed', message: e instanceof Error ? e.message : String(e) });
        throw e;
      }
    });
  }

  /** Resolves when every write asked for so far is done (and the access record is saved). */
  async flush(): Promise<void> {
    await this.#queue;
    this.#scheduleSave();
    while (this.#saving) await this.#saving;
  }

  #enqueue(task: () => Promise<void>): void {
    // Results are an accelerator: a failed write (a full disk, a closed store) is forgotten.
    this.#queue = this.#queue.then(task).catch(() => {});
    this.#queue = this.#queue.then(() => this.#scheduleSave());
  }

  /** Mark `slot` most recently used. */
  #touch(slot: string, size: number): void {
    if (!this.#write) return;
    void this.#record().then((lru) => {
      lru.entries[slot] = [size, ++lru.clock];
      this.#lruDirty = true;
      this.#scheduleSave();
    });
  }

  /** Remove a damaged entry, so the next compute writes a good one in its place. */
  #forget(slot: string): void {
    if (!this.#write) return;
    this.#enqueue(async () => {
      await this.#store.delete(resultKey(slot));
      const lru = await this.#record();
      delete lru.entries[slot];
      this.#lruDirty = true;
    });
  }

  /** The access record, read once (a missing or unreadable one starts empty). */
  #record(): Promise<LruRecord> {
    this.#lru ??= this.#store.read(RESULTS_LRU).then(
      (bytes) => parseRecord(bytes) ?? emptyRecord(),
      () => emptyRecord(),
    );
    return this.#lru;
  }

  /** Save the access record when it changed, one write at a time (changes during a write are saved by one more). */
  #scheduleSave(): void {
    if (!this.#lruDirty || this.#saving || !this.#write) return;
    this.#lruDirty = false;
    this.#saving = this.#saveRecord()
      .catch(() => {})
      .finally(() => {
        this.#saving = undefined;
        this.#scheduleSave();
      });
  }

  async #saveRecord(): Promise<void> {
    const lru = await this.#record();
    const sorted: Record<string, [number, number]> = {};
    for (const slot of Object.keys(lru.entries).sort()) sorted[slot] = lru.entries[slot];
    await this.#store.write(RESULTS_LRU, new TextEncoder().encode(JSON.stringify({ ...lru, entries: sorted }) + '\n'));
  }

  /** Over the cap: list the folder once (entries other handles wrote count as oldest), then drop least recently used entries, never `keep`. */
  async #evict(lru: LruRecord, keep: string): Promise<void> {
    if (total(lru) <= this.#cap) return;
    for (const key of await this.#store.list(RESULTS_DIR)) {
      const slot = slotOfKey(key);
      if (slot && !lru.entries[slot]) lru.entries[slot] = [(await this.#store.size(key)) ?? 0, 0];
    }
    const order = Object.entries(lru.entries).sort((a, b) => a[1][1] - b[1][1] || (a[0] < b[0] ? -1 : 1));
    let bytes = total(lru);
    for (const [slot, [size]] of order) {
      if (bytes <= this.#cap) break;
      if (slot === keep) continue;
      await this.#store.delete(resultKey(slot));
      delete lru.entries[slot];
      bytes -= size;
      this.stats.evicted++;
    }
  }
}

function total(lru: LruRecord): number {
  let n = 0;
  for (const [size] of Object.values(lru.entries)) n += size;
  return n;
}

function emptyRecord(): LruRecord {
  return { format: 'duckpond-results-lru', version: 1, clock: 0, entries: Object.create(null) as Record<string, [number, number]> };
}

/** The access record, or undefined when it is not one (it is only a hint: start over). */
function parseRecord(bytes: Uint8Array): LruRecord | undefined {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LruRecord>;
    if (json.format !== 'duckpond-results-lru' || !isCount(json.clock) || typeof json.entries !== 'object' || json.entries === null) return undefined;
    const entries = Object.create(null) as Record<string, [number, number]>;
    for (const [slot, v] of Object.entries(json.entries)) {
      // Sizes and clocks are counts: a negative or fractional size (an imported pond's record) must not hide bytes from the cap.
      if (/^[0-9a-f]{64}$/.test(slot) && Array.isArray(v) && isCount(v[0]) && isCount(v[1])) entries[slot] = [v[0], v[1]];
    }
    return { format: 'duckpond-results-lru', version: 1, clock: json.clock, entries };
  } catch {
    return undefined;
  }
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}
