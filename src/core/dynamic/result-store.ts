/**
 * The persistent result cache: dynamic results kept in the pond's own store under `_results/`,
 * outside the Delta log, so a reload or a reopen reads them instead of recomputing. Size-capped,
 * least recently used first out; every entry is verified on read (a damaged one is never served,
 * and is removed so the next compute replaces it). Only an accelerator: every failure here is a
 * miss, never an error of the read that asked.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { isPondError } from '../errors.ts';
import { RESULTS_DIR, RESULTS_LRU, decodeResultEntry, encodeResultEntry, resultKey, slotOfKey, type ResultHeader } from '../tlogfs/result-entry.ts';

/** Default size cap of a pond's stored results. */
export const DEFAULT_RESULTS_CAP_BYTES = 64 * 1024 * 1024;

/** Options of a ResultStore. */
export interface ResultStoreOptions {
  /** Bytes the stored results may take (default 64 MiB); least recently used entries go first. */
  capBytes?: number;
  /** False for a handle that must not write (time travel); writes also need a writable store. */
  write?: boolean;
}

/** Counters a test or a benchmark reads. */
export interface ResultStoreStats {
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
  readonly #write: boolean;
  #lru?: Promise<LruRecord>;
  #queue: Promise<void> = Promise.resolve();
  #lruDirty = false;
  #saving?: Promise<void>;
  readonly stats: ResultStoreStats = { hits: 0, misses: 0, damaged: 0, written: 0, evicted: 0 };

  constructor(store: ObjectStore, options: ResultStoreOptions = {}) {
    this.#store = store;
    this.#cap = options.capBytes ?? DEFAULT_RESULTS_CAP_BYTES;
    this.#write = (options.write ?? true) && store.writable;
  }

  /** Whether results computed here are written back. */
  get writable(): boolean {
    return this.#write;
  }

  /** The largest entry kept (a quarter of the cap: one result must not evict all the others). */
  get maxEntryBytes(): number {
    return Math.floor(this.#cap / 4);
  }

  /** The verified entry in `slot`, or undefined (absent, damaged, unreadable). A damaged entry is removed. */
  async read(slot: string): Promise<{ header: ResultHeader; body: Uint8Array } | undefined> {
    const key = resultKey(slot);
    let bytes: Uint8Array;
    try {
      bytes = await this.#store.read(key);
    } catch (e) {
      // A published pond's host refusing an entry (ECORRUPT against its index) is a damaged entry too.
      if (isPondError(e, 'ECORRUPT')) this.stats.damaged++;
      else this.stats.misses++;
      return undefined;
    }
    try {
      const entry = await decodeResultEntry(bytes, key);
      this.stats.hits++;
      this.#touch(slot, bytes.length);
      return entry;
    } catch {
      this.stats.damaged++;
      this.#forget(slot);
      return undefined;
    }
  }

  /** The verified entry in `slot` without counting it or marking it used (a check, not a read); undefined when absent or damaged. */
  async peek(slot: string): Promise<{ header: ResultHeader; body: Uint8Array } | undefined> {
    const key = resultKey(slot);
    try {
      return await decodeResultEntry(await this.#store.read(key), key);
    } catch {
      return undefined;
    }
  }

  /** Store an entry in `slot` in the background (in call order); `body` is asked for only when its turn comes. */
  write(slot: string, header: ResultHeader, body: () => Promise<Uint8Array>): void {
    if (!this.#write) return;
    this.#enqueue(async () => {
      const result = await body();
      if (result.length > this.maxEntryBytes) return;
      const bytes = await encodeResultEntry(header, result);
      await this.#store.write(resultKey(slot), bytes);
      this.stats.written++;
      const lru = await this.#record();
      lru.entries[slot] = [bytes.length, ++lru.clock];
      await this.#evict(lru, slot);
      this.#lruDirty = true;
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
    if (json.format !== 'duckpond-results-lru' || typeof json.clock !== 'number' || typeof json.entries !== 'object' || json.entries === null) return undefined;
    const entries = Object.create(null) as Record<string, [number, number]>;
    for (const [slot, v] of Object.entries(json.entries)) {
      if (/^[0-9a-f]{64}$/.test(slot) && Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') entries[slot] = [v[0], v[1]];
    }
    return { format: 'duckpond-results-lru', version: 1, clock: json.clock, entries };
  } catch {
    return undefined;
  }
}
