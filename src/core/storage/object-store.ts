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

  /**
   * Optional: the object as a stream checked against `sha256` (hex) and `size` while it is read,
   * faster than hashing the chunks of `readStream` (NodeFsStore hashes on another thread). The last
   * chunk is released only after the digest matched; a mismatch errors the stream with ECORRUPT
   * naming the key. Stores without a faster way leave it out; callers then hash `readStream` themselves.
   */
  readVerifiedStream?(key: string, expect: { sha256: string; size: number | null }): ReadableStream<Uint8Array>;

  /** Create or replace an object. A reader sees either the old or the new bytes, never a mix, where the platform allows. */
  write(key: string, data: Uint8Array): Promise<void>;
  /** Create or replace an object from a stream, without holding the whole body in memory. Returns bytes written. */
  writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number>;
  /**
   * Atomically create `key` with `data` only if it does not exist yet. Returns false (and writes
   * nothing) when it already exists. The commit protocol publishes log entries with this.
   */
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean>;

  /**
   * Optional: create `key`, a fresh name nothing reads until the caller publishes a reference to
   * it, written in place: durable when this resolves, but without the temp file and rename that
   * make `write` atomic for readers (a crash can leave it partial: unreferenced garbage). A commit
   * writes its data files this way. Fails (EEXIST where the store can tell) if the key exists.
   */
  writeNew?(key: string, data: Uint8Array): Promise<void>;

  /**
   * Optional: putIfAbsent in two steps. The bytes are written now, durably but invisibly;
   * `publish()` then makes them the key's, with putIfAbsent's answer (false, and nothing visible,
   * when the key exists), and `discard()` drops them. Lets the commit write its log entry while it
   * writes the data files that entry names, and publish once both are durable. Each staged put is
   * published or discarded once.
   */
  stagePut?(key: string, data: Uint8Array): Promise<StagedPut>;

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

/** Bytes staged by `ObjectStore.stagePut`, waiting to be published or discarded. */
export interface StagedPut {
  /** Make the staged bytes the key's, unless the key exists (then false, and nothing changes). */
  publish(): Promise<boolean>;
  /** Drop the staged bytes (a no-op after publish). */
  discard(): Promise<void>;
}
