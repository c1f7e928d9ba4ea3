import type { NodeVersion, TxnRecord } from './node.ts';

/** What the persistence layer recorded about a file body it stored. */
export interface StoredBody {
  /** Inline bytes, or null when the body went to a large file. */
  content: Uint8Array | null;
  /** Null for content that is not a physical file (a dynamic node's config, a symlink target). */
  sha256: string | null;
  size: number | null;
}

/** Something noticed while opening or reading a pond that did not stop it (a torn log tail, ...). */
export interface PondWarning {
  code: string;
  path: string;
  message: string;
}

/** Metadata of a commit. */
export interface CommitInfo {
  message: string;
  operation: string;
}

/**
 * How TinyFS loads and stores node versions. TLogFS implements it over an ObjectStore;
 * the tests' MemoryPersistence (test/shared/memory-persistence.ts) implements it in plain maps.
 */
export interface Persistence {
  readonly readOnly: boolean;
  /** Newest committed transaction visible to this handle. */
  readonly version: number;
  readonly warnings: readonly PondWarning[];
  /** Every version of a node, oldest first (empty when the node has no rows in that partition). */
  loadNode(partId: string, nodeId: string): Promise<NodeVersion[]>;
  /** A version's body: inline content or the verified large file. `path` is for error messages. */
  readBody(v: NodeVersion, path: string): Promise<Uint8Array>;
  /** A version's body as a stream (large files are not loaded whole). */
  bodyStream(v: NodeVersion, path: string): ReadableStream<Uint8Array>;
  /**
   * Up to `length` bytes of a version's body from `offset`, without reading the rest (a large
   * file on a remote store costs one HTTP Range request). Not verified: a slice cannot be checked
   * against the body's sha256.
   */
  readBodyRange(v: NodeVersion, path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Committed transactions, newest first. */
  history(): Promise<TxnRecord[]>;
  /** Take the single-writer lock and catch up with the newest commit. */
  beginWrite(options?: { wait?: boolean; timeoutMs?: number }): Promise<PersistenceWriter>;
  /** Pick up commits made by other handles; true when the version moved. */
  refresh(): Promise<boolean>;
  close(): Promise<void>;
}

/** A held write lock: stores bodies, then commits rows as one transaction. */
export interface PersistenceWriter {
  /** The txn_seq the commit will get. */
  readonly txnSeq: number;
  /** Store a file body (inline when small, else a content-addressed large file written now). */
  putBody(data: Uint8Array | ReadableStream<Uint8Array>, path: string): Promise<StoredBody>;
  /** Publish the rows atomically as transaction `txnSeq`; returns it. */
  commit(rows: NodeVersion[], info: CommitInfo): Promise<number>;
  /** Release the lock (after commit, or to abandon). Idempotent. */
  release(): Promise<void>;
}
