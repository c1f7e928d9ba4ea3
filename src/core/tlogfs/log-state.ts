import type { TxnRecord } from '../tinyfs/node.ts';
import type { Action, AddAction, CommitInfoAction, MetaDataAction } from './delta-log.ts';
import { PARTITION_COLUMN } from './oplog-schema.ts';

/** One data file of the table and the version that added it. */
export interface DataFile {
  path: string;
  version: number;
  size: number;
}

/** The replayed Delta log: which files are live, per partition, up to `version`. */
export class LogState {
  version = -1;
  metaData: MetaDataAction | undefined;
  protocol: { minReaderVersion: number; minWriterVersion: number } | undefined;
  /** Live data files per part_id, in the order they were added. */
  readonly partitions = new Map<string, DataFile[]>();
  /** Commit infos seen in replayed JSON (versions covered by a checkpoint are read lazily). */
  readonly txns = new Map<number, TxnRecord>();

  /** Apply one version's actions. */
  apply(version: number, actions: Action[], commitInfo?: CommitInfoAction): void {
    for (const a of actions) {
      if ('add' in a) this.#add(a.add as AddAction, version);
      else if ('remove' in a) this.#remove((a.remove as { path: string }).path);
      else if ('metaData' in a) this.metaData = a.metaData as MetaDataAction;
      else if ('protocol' in a) this.protocol = a.protocol as LogState['protocol'];
    }
    if (commitInfo) this.txns.set(version, txnRecord(version, commitInfo));
    this.version = version;
  }

  /** Every live add action (what a checkpoint records). */
  liveFiles(): Array<DataFile & { partId: string }> {
    const out: Array<DataFile & { partId: string }> = [];
    for (const [partId, files] of this.partitions) for (const f of files) out.push({ ...f, partId });
    return out;
  }

  #add(add: AddAction, version: number): void {
    const partId = add.partitionValues?.[PARTITION_COLUMN] ?? partIdFromPath(add.path);
    const list = this.partitions.get(partId) ?? [];
    if (!list.some((f) => f.path === add.path)) list.push({ path: add.path, version, size: add.size });
    this.partitions.set(partId, list);
  }

  #remove(path: string): void {
    for (const [partId, files] of this.partitions) {
      const rest = files.filter((f) => f.path !== path);
      if (rest.length !== files.length) this.partitions.set(partId, rest);
    }
  }
}

/** History entry from a commitInfo. */
export function txnRecord(version: number, info: CommitInfoAction): TxnRecord {
  return {
    txnSeq: typeof info.txn_seq === 'number' ? info.txn_seq : version,
    timestamp: info.timestamp,
    message: typeof info.message === 'string' ? info.message : '',
    operation: info.operation ?? 'WRITE',
  };
}

function partIdFromPath(path: string): string {
  const m = /(?:^|\/)part_id=([^/]+)\//.exec(path);
  return m ? decodeURIComponent(m[1]) : '';
}
