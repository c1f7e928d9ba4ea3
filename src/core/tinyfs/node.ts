import type { EntryType } from './entry-type.ts';

/** One version of one node: the in-memory form of an OplogEntry row. */
export interface NodeVersion {
  partId: string;
  nodeId: string;
  type: EntryType;
  /** Microseconds since the Unix epoch (UTC). */
  timestampUs: number;
  version: number;
  /** Inline bytes: directory snapshot, symlink target, small file body, or a dynamic node's config (JSON). Null for large files. */
  content: Uint8Array | null;
  sha256: string | null;
  size: number | null;
  minEventTime: number | null;
  maxEventTime: number | null;
  attributes: Record<string, string>;
  factory: string;
  txnSeq: number;
  /** Columns this build does not know, kept as read (schema evolution). */
  extra?: Record<string, unknown>;
}

/** A directory entry: what a directory snapshot records per name. */
export interface DirEntry {
  name: string;
  nodeId: string;
  type: EntryType;
  factory: string;
  /** Partition holding the node's rows when it is not the directory itself (virtual directories list nodes that live elsewhere). */
  partId?: string;
}

/** Where a node lives and what it is: the result of resolving a path. */
export interface NodeRef {
  path: string;
  nodeId: string;
  partId: string;
  type: EntryType;
  factory: string;
}

/** One committed transaction, as `history()` shows it. */
export interface TxnRecord {
  txnSeq: number;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  message: string;
  operation: string;
}

/** A node's version, as `versions()` shows it. */
export interface VersionInfo {
  version: number;
  txnSeq: number;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  size: number | null;
  /** A series version's event-time bounds in ms (min/max_event_time); null when none are recorded. */
  minEventTime?: number | null;
  maxEventTime?: number | null;
}
