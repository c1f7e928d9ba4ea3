/**
 * The ObjectStore: the only interface through which the pond touches a storage API.
 *
 * Keys are relative, '/'-separated paths inside one pond ("_delta_log/00000000000000000001.json",
 * "part_id=<id>/part-<uuid>.parquet", "_large_files/sha256=<hex>"). A key never starts with '/'
 * and never contains '.' or '..' components. Implementations: memory, node-fs, opfs, idb, http.
 *
 * Errors: a missing key is PondError ENOENT (data.path = key); a full disk or a browser
 * QuotaExceededError is PondError EQUOTA; a write to a read-only store is EROFS.
 */
export interface ObjectStore {
  /** Short name of the backend: 'memory' | 'node-fs' | 'opfs' | 'idb' | 'http' | wrapper names. */
  readonly kind: string;
  /** False for stores that refuse writes (http, published ponds). */
  readonly writable: boolean;

  /** Whole object. ENOENT when absent. */
  read(key: string): Promise<Uint8Array>;
  /** `length` bytes from `offset` (fewer at the end of the object). ENOENT when absent. */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** The object as a stream of chunks, without loading it whole. ENOENT (on first pull or at once) when absent. */
  readStream(key: string): ReadableStream<Uint8Array>;

  /** Create or replace an object. A reader sees either the old or the new bytes, never a mix, where the platform allows. */
  write(key: string, data: Uint8Array): Promise<void>;
  /** Create or replace an object from a stream, without holding the whole body in memory. Returns bytes written. */
  writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number>;
  /**
   * Atomically create `key` with `data` only if it does not exist yet. Returns false (and writes
   * nothing) when it already exists. The commit protocol publishes log entries with this.
   */
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean>;

  exists(key: string): Promise<boolean>;
  /** Size in bytes, or undefined when absent. */
  size(key: string): Promise<number | undefined>;
  /** Every key that starts with `prefix` ('' for all), sorted ascending (code-unit order). */
  list(prefix: string): Promise<string[]>;
  /**
   * Optional: rename `from` to `to`, replacing `to`, in one step where the platform allows.
   * ENOENT when `from` is absent. Stores without a cheap rename leave it out; callers then copy.
   */
  move?(from: string, to: string): Promise<void>;
  /** Remove an object; removing an absent key is not an error. */
  delete(key: string): Promise<void>;

  /**
   * Take the pond's single-writer lock. Resolves to a release function once held.
   * `wait: false` fails at once with ECONFLICT when another writer holds it; otherwise waits up
   * to `timeoutMs` (default 30 s) and then fails with ECONFLICT. A lock whose holder died
   * (closed tab, killed process) must not block the next writer for more than a few seconds.
   */
  lock(options?: { wait?: boolean; timeoutMs?: number }): Promise<() => Promise<void>>;

  /** Release resources (handles, connections). The store is unusable afterwards. */
  close(): Promise<void>;
}
