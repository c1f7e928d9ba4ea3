/**
 * IdbStore: a pond in IndexedDB, one database per pond (`duckpond:<name>`), opened through
 * idb-keyval's createStore.
 *
 * Layout of the one object store: an object up to CHUNK bytes is a Uint8Array under its string
 * key; a larger one is a Manifest under its key plus CHUNK-sized records under array keys
 * `[key, gen, n]`. IndexedDB sorts every array key after every string key, so a string range
 * lists objects and never chunks. A new body gets a fresh `gen`: writeStream puts its chunks in
 * their own small transactions (memory stays bounded), then one transaction swaps the manifest
 * and deletes the old generation, so readers see the old or the new object, never a mix.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { ObjectStore } from './object-store.ts';
import { isPondError, pondError } from '../errors.ts';
import { checkKey, checkRange, closedError, erroredStream, PULL_ON_DEMAND, mapStoreError } from './common.ts';
import { HeldWebLocks, requestWebLock, type StoreLockOptions } from './web-lock.ts';

/** Chunk size of large objects: bounds what one transaction or one stream pull holds. */
export const IDB_CHUNK = 1024 * 1024;
const DB_PREFIX = 'duckpond:';
const STORE_NAME = 'objects';
/** Chunks of a generation older than this with no manifest are a crashed writer's leftovers. */
const ORPHAN_MAX_AGE_MS = 60 * 60 * 1000;

interface Manifest {
  gen: string;
  size: number;
  chunks: number;
  chunkSize: number;
}
type Stored = Uint8Array | Manifest;

export class IdbStore implements ObjectStore {
  readonly kind = 'idb';
  readonly writable = true;
  readonly name: string;
  readonly #use: UseStore;
  readonly #locks: HeldWebLocks;
  #db: IDBDatabase | undefined;
  #closed = false;

  /** A store for the pond `name`, in the IndexedDB database `duckpond:<name>`. */
  constructor(name: string) {
    if (typeof name !== 'string' || name === '') throw pondError('EINVAL', String(name), 'a pond name must be a non-empty string');
    this.name = name;
    this.#use = createStore(DB_PREFIX + name, STORE_NAME);
    this.#locks = new HeldWebLocks(`duckpond:idb:${name}`, this.kind, () => this.#sweepOrphans());
  }

  /** Whole object, read in one transaction. */
  async read(key: string): Promise<Uint8Array> {
    return this.#readAt(key, 0, Number.MAX_SAFE_INTEGER);
  }

  /** `length` bytes from `offset` (fewer at the end), from only the chunks that hold them, in one transaction. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    return this.#readAt(key, offset, length);
  }

  /** One chunk per pull, each in its own transaction; a body replaced mid-stream fails with ECONFLICT. */
  readStream(key: string): ReadableStream<Uint8Array> {
    try {
      this.#usable(key);
    } catch (e) {
      return erroredStream(e);
    }
    let manifest: Manifest | undefined;
    let next = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            if (manifest === undefined) {
              const head = await this.#tx('readonly', key, (s) => promisifyRequest<Stored | undefined>(s.get(key)));
              if (head === undefined) throw pondError('ENOENT', key, 'no such object');
              if (head instanceof Uint8Array) {
                if (head.length > 0) controller.enqueue(head);
                return controller.close();
              }
              manifest = head;
            }
            if (next >= manifest.chunks) return controller.close();
            const m = manifest;
            const chunk = await this.#tx('readonly', key, (s) => promisifyRequest<Uint8Array | undefined>(s.get([key, m.gen, next])));
            if (chunk === undefined) throw pondError('ECONFLICT', key, 'the object was replaced or deleted while being read');
            next++;
            controller.enqueue(chunk);
          } catch (e) {
            controller.error(mapStoreError(e, key));
          }
        },
      },
      PULL_ON_DEMAND,
    );
  }

  /** Create or replace in one transaction. */
  async write(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    await this.#tx('readwrite', key, async (s) => {
      const old = await promisifyRequest<Stored | undefined>(s.get(key));
      dropChunks(s, key, old);
      putBody(s, key, data);
      return promisifyRequest(s.transaction);
    });
  }

  /** Chunks in their own transactions under a new generation, then one transaction swaps the manifest. */
  async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    this.#usable(key);
    const gen = newGen();
    let buf = new Uint8Array(IDB_CHUNK);
    let fill = 0;
    let chunks = 0;
    let size = 0;
    const reader = data.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        for (let at = 0; at < value.length;) {
          // Flush a full buffer only once more bytes arrive, so a body of exactly CHUNK stays inline.
          if (fill === IDB_CHUNK) {
            const full = buf;
            const n = chunks++;
            await this.#tx('readwrite', key, (s) => {
              s.put(full, [key, gen, n]);
              return promisifyRequest(s.transaction);
            });
            buf = new Uint8Array(IDB_CHUNK);
            fill = 0;
          }
          const take = Math.min(value.length - at, IDB_CHUNK - fill);
          buf.set(value.subarray(at, at + take), fill);
          fill += take;
          at += take;
        }
      }
      this.#usable(key);
      const tail = buf.slice(0, fill);
      await this.#tx('readwrite', key, async (s) => {
        const old = await promisifyRequest<Stored | undefined>(s.get(key));
        dropChunks(s, key, old);
        if (chunks === 0) {
          s.put(tail, key);
        } else {
          if (fill > 0) s.put(tail, [key, gen, chunks++]);
          s.put({ gen, size, chunks, chunkSize: IDB_CHUNK } satisfies Manifest, key);
        }
        return promisifyRequest(s.transaction);
      });
      return size;
    } catch (e) {
      await reader.cancel(e).catch(() => undefined);
      await this.#use('readwrite', (s) => {
        s.delete(genRange(key, gen));
        return promisifyRequest(s.transaction);
      }).catch(() => undefined);
      throw mapStoreError(e, key);
    } finally {
      reader.releaseLock();
    }
  }

  /** Existence check and put in ONE readwrite transaction: IndexedDB serialises them, so one caller wins. */
  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    this.#usable(key);
    return this.#tx('readwrite', key, async (s) => {
      if ((await promisifyRequest(s.count(key))) > 0) return false;
      putBody(s, key, data);
      await promisifyRequest(s.transaction);
      return true;
    });
  }

  /** Whether the object exists. */
  async exists(key: string): Promise<boolean> {
    this.#usable(key);
    return (await this.#tx('readonly', key, (s) => promisifyRequest(s.count(key)))) > 0;
  }

  /** Size in bytes, or undefined when absent. */
  async size(key: string): Promise<number | undefined> {
    this.#usable(key);
    const head = await this.#tx('readonly', key, (s) => promisifyRequest<Stored | undefined>(s.get(key)));
    if (head === undefined) return undefined;
    return head instanceof Uint8Array ? head.length : head.size;
  }

  /** String keys in [prefix, successor(prefix)); IndexedDB returns them in code-unit order. */
  async list(prefix: string): Promise<string[]> {
    if (this.#closed) throw closedError(this.kind);
    const keys = await this.#tx('readonly', prefix, (s) => promisifyRequest(s.getAllKeys(prefixRange(prefix))));
    return keys as string[];
  }

  /** Remove the object and its chunks in one transaction; absent keys are fine. */
  async delete(key: string): Promise<void> {
    this.#usable(key);
    await this.#tx('readwrite', key, async (s) => {
      const old = await promisifyRequest<Stored | undefined>(s.get(key));
      dropChunks(s, key, old);
      s.delete(key);
      return promisifyRequest(s.transaction);
    });
  }

  /** The pond's Web Lock 'duckpond:idb:<name>'. */
  async lock(options: StoreLockOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw closedError(this.kind);
    return this.#locks.acquire(options);
  }

  /** Release held locks and close the database connection. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#locks.releaseAll();
    this.#db?.close();
  }

  async #readAt(key: string, offset: number, length: number): Promise<Uint8Array> {
    this.#usable(key);
    return this.#tx('readonly', key, async (s) => {
      const head = await promisifyRequest<Stored | undefined>(s.get(key));
      if (head === undefined) throw pondError('ENOENT', key, 'no such object');
      if (head instanceof Uint8Array) return offset === 0 && length >= head.length ? head : head.slice(offset, offset + length);
      const end = Math.min(head.size, offset + length);
      if (offset >= end) return new Uint8Array(0);
      const first = Math.floor(offset / head.chunkSize);
      const last = Math.floor((end - 1) / head.chunkSize);
      const requests: Promise<Uint8Array | undefined>[] = [];
      for (let n = first; n <= last; n++) requests.push(promisifyRequest<Uint8Array | undefined>(s.get([key, head.gen, n])));
      const out = new Uint8Array(end - offset);
      const parts = await Promise.all(requests);
      parts.forEach((part, i) => {
        if (part === undefined) throw pondError('ECORRUPT', key, `chunk ${first + i} of the object is missing`);
        const chunkStart = (first + i) * head.chunkSize;
        const from = Math.max(offset, chunkStart) - chunkStart;
        const to = Math.min(end, chunkStart + part.length) - chunkStart;
        out.set(part.subarray(from, to), chunkStart + from - offset);
      });
      return out;
    });
  }

  /** Run `fn` in a transaction, remember the connection (for close), and map errors to PondErrors. */
  async #tx<T>(mode: IDBTransactionMode, key: string, fn: (s: IDBObjectStore) => T | PromiseLike<T>): Promise<T> {
    try {
      return await this.#use(mode, (s) => {
        if (this.#db !== s.transaction.db) {
          this.#db = s.transaction.db;
          // Let deleteIdbPond (in this or another tab) proceed: the pond is going away, so is this store.
          this.#db.onversionchange = () => {
            this.#closed = true;
            this.#db?.close();
          };
        }
        return fn(s);
      });
    } catch (e) {
      if (this.#closed && !isPondError(e)) throw closedError(this.kind, key);
      throw mapStoreError(e, key);
    }
  }

  /** Delete chunk generations older than ORPHAN_MAX_AGE_MS that no manifest points to. */
  async #sweepOrphans(): Promise<void> {
    const chunkKeys = (await this.#tx('readonly', '/', (s) => promisifyRequest(s.getAllKeys(IDBKeyRange.lowerBound([]))))) as [string, string, number][];
    const cutoff = Date.now() - ORPHAN_MAX_AGE_MS;
    const gens = new Map<string, [string, string]>();
    for (const [key, gen] of chunkKeys) if (genTime(gen) < cutoff) gens.set(JSON.stringify([key, gen]), [key, gen]);
    for (const [key, gen] of gens.values()) {
      await this.#tx('readwrite', key, async (s) => {
        const head = await promisifyRequest<Stored | undefined>(s.get(key));
        if (head === undefined || head instanceof Uint8Array || head.gen !== gen) s.delete(genRange(key, gen));
        return promisifyRequest(s.transaction);
      });
    }
  }

  #usable(key: string): void {
    if (this.#closed) throw closedError(this.kind, key);
    checkKey(key);
  }
}

/** Every pond stored in this origin's IndexedDB, sorted. */
export async function listIdbPonds(): Promise<string[]> {
  const dbs = await indexedDB.databases();
  return dbs.flatMap((db) => (db.name?.startsWith(DB_PREFIX) ? [db.name.slice(DB_PREFIX.length)] : [])).sort();
}

/** Delete a pond's database; ECONFLICT while a writer holds its lock. Open IdbStores on it become closed. */
export async function deleteIdbPond(name: string): Promise<void> {
  const release = await requestWebLock(`duckpond:idb:${name}`, 'idb', { wait: false });
  try {
    // A connection that ignores versionchange only delays this ('blocked'); it does not fail it.
    await promisifyRequest(indexedDB.deleteDatabase(DB_PREFIX + name));
  } finally {
    await release();
  }
}

/** Put `data` under `key`: inline when it fits one chunk, else chunks plus a manifest. */
function putBody(s: IDBObjectStore, key: string, data: Uint8Array): void {
  if (data.length <= IDB_CHUNK) {
    // slice(): IndexedDB clones a view's whole ArrayBuffer, and a caller's later edits must not leak in.
    s.put(data.slice(), key);
    return;
  }
  const gen = newGen();
  let chunks = 0;
  for (let at = 0; at < data.length; at += IDB_CHUNK) s.put(data.slice(at, at + IDB_CHUNK), [key, gen, chunks++]);
  s.put({ gen, size: data.length, chunks, chunkSize: IDB_CHUNK } satisfies Manifest, key);
}

/** Queue deletion of the chunks `old` points to (if it is a manifest). */
function dropChunks(s: IDBObjectStore, key: string, old: Stored | undefined): void {
  if (old !== undefined && !(old instanceof Uint8Array)) s.delete(genRange(key, old.gen));
}

/** All chunk keys of one generation: [key, gen] < [key, gen, n] < [key, gen, []]. */
function genRange(key: string, gen: string): IDBKeyRange {
  return IDBKeyRange.bound([key, gen], [key, gen, []]);
}

/** String keys starting with `prefix`: up to the next string after all of them, or to the first array key. */
function prefixRange(prefix: string): IDBKeyRange {
  let stem = prefix;
  while (stem.length > 0 && stem.charCodeAt(stem.length - 1) === 0xffff) stem = stem.slice(0, -1);
  const upper = stem === '' ? [] : stem.slice(0, -1) + String.fromCharCode(stem.charCodeAt(stem.length - 1) + 1);
  return IDBKeyRange.bound(prefix, upper, false, true);
}

/** A generation id that sorts by creation time and says when it was made. */
function newGen(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${crypto.randomUUID()}`;
}

function genTime(gen: string): number {
  const t = parseInt(gen.split('-')[0], 36);
  return Number.isFinite(t) ? t : 0;
}
