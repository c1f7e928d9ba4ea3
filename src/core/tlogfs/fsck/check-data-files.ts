/**
 * fsck's data-file check: read every live data file as the pond reads it and index its rows;
 * a missing or unreadable file is a finding.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import type { NodeVersion } from '../../tinyfs/node.ts';
import { parquetToTable } from '../../arrow/parquet.ts';
import { isPondError, pondError } from '../../errors.ts';
import type { DataFile, LogState } from '../log-state.ts';
import { tableToRows } from '../oplog-schema.ts';
import { reason, rowKey, type Finding, type Parts } from './types.ts';

/** A live data file fsck could not read (repair removes it from the table). */
export interface Unreadable {
  path: string;
  partId: string;
  size: number;
  exists: boolean;
  finding: Finding;
}

export interface DataFilesCheck {
  /** Every live data file. */
  files: Array<DataFile & { partId: string }>;
  parts: Parts;
  /** Row key -> data files holding an older copy of it (repair re-writes those too). */
  shadowed: Map<string, string[]>;
  rows: number;
  unreadable: Unreadable[];
  findings: Finding[];
}

/**
 * Read every live data file, indexed as the pond reads it: per partition, per node, per version,
 * the copy in the latest file wins (a relocated or compacted copy replaces older ones).
 */
export async function checkDataFiles(store: ObjectStore, state: LogState): Promise<DataFilesCheck> {
  const parts: Parts = new Map();
  const shadowed = new Map<string, string[]>();
  const findings: Finding[] = [];
  const unreadable: Unreadable[] = [];
  let rows = 0;
  const files = state.liveFiles();
  const commitNote = (version: number) => {
    const m = state.txns.get(version)?.message;
    return m ? ` (“${m}”)` : '';
  };
  for (const f of files) {
    let bytes: Uint8Array;
    try {
      bytes = await store.read(f.path);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      const finding: Finding = {
        kind: 'missing-file',
        key: f.path,
        message: `data file of commit ${f.version}${commitNote(f.version)} is missing`,
        refs: [],
        partId: f.partId,
      };
      findings.push(finding);
      unreadable.push({ ...f, exists: false, finding });
      continue;
    }
    let fileRows: NodeVersion[];
    try {
      // As the pond reads it: the size and row count its add action declares, no row from a later
      // commit (a data file swapped for another valid one, or a footer that lies, fails here).
      if (bytes.length !== f.size) throw pondError('ECORRUPT', f.path, `holds ${bytes.length} bytes; its add action says ${f.size}`);
      fileRows = tableToRows(await parquetToTable(bytes, f.path), f.partId, f.path, { numRecords: f.numRecords, maxTxnSeq: f.version });
    } catch (e) {
      const finding: Finding = {
        kind: 'bad-parquet',
        key: f.path,
        message: `data file of commit ${f.version}${commitNote(f.version)} is unreadable: ${reason(e, f.path)}`,
        refs: [],
        partId: f.partId,
      };
      findings.push(finding);
      unreadable.push({ ...f, exists: true, finding });
      continue;
    }
    let part = parts.get(f.partId);
    if (!part) parts.set(f.partId, (part = new Map()));
    for (const r of fileRows) {
      rows++;
      let versions = part.get(r.nodeId);
      if (!versions) part.set(r.nodeId, (versions = new Map()));
      const older = versions.get(r.version);
      if (older) {
        const rk = rowKey({ part: f.partId, node: r.nodeId, version: r.version });
        shadowed.set(rk, [...(shadowed.get(rk) ?? []), older.file]);
      }
      versions.set(r.version, { row: r, file: f.path });
    }
  }
  return { files, parts, shadowed, rows, unreadable, findings };
}
