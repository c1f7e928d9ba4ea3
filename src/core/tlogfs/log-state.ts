import type { TxnRecord } from '../tinyfs/node.ts';
import {
  numRecordsOf,
  partIdOf,
  type Action,
  type AddAction,
  type CommitInfoAction,
  type MetaDataAction,
  type ProtocolAction,
  type RemoveAction,
} from './delta-log.ts';

/** One data file of the table and the version that added it. */
export interface DataFile {
  path: string;
  version: number;
  size: number;
  /** Rows the add action's stats declare (`numRecords`), when it has them: a decode must yield exactly this many. */
  numRecords?: number;
}

/** The replayed Delta log: which files are live, per partition, up to `version`. Actions come validated (parseCommit, readCheckpoint). */
export class LogState {
  version = -1;
  metaData: MetaDataAction | undefined;
  protocol: ProtocolAction | undefined;
  /** Live data files per part_id, in the order they were added. */
  readonly partitions = new Map<string, DataFile[]>();
  /** Commit infos seen in replayed JSON (versions covered by a checkpoint are read lazily). */
  readonly txns = new Map<number, TxnRecord>();

  /** Apply one version's actions. */
  apply(version: number, actions: Action[], commitInfo?: CommitInfoAction): void {
    for (const a of actions) {
      if ('add' in a) this.#add(a.add as AddAction, version);
      else if ('remove' in a) this.#remove((a.remove as RemoveAction).path);
      else if ('metaData' in a) this.metaData = a.metaData as MetaDataAction;
      else if ('protocol' in a) this.protocol = a.protocol as ProtocolAction;
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
    const partId = partIdOf(add);
    const list = this.partitions.get(partId) ?? [];
    if (!list.some((f) => f.path === add.path)) {
      const n = numRecordsOf(add.stats);
      list.push({ path: add.path, version, size: add.size, ...(typeof n === 'number' ? { numRecords: n } : {}) });
    }
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
    timestamp: typeof info.timestamp === 'number' ? info.timestamp : 0,
    message: typeof info.message === 'string' ? info.message : '',
    operation: typeof info.operation === 'string' ? info.operation : 'WRITE',
  };
}
