/**
 * Carry out a planned repair: keep the damaged bytes under `_lost+found/`, write the re-written
 * data files and new snapshots, then publish one `FSCK REPAIR` commit.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import type { NodeVersion } from '../../tinyfs/node.ts';
import { tableToParquet } from '../../arrow/parquet.ts';
import { encodeCommit, logKey, type Action, type AddAction } from '../delta-log.ts';
import { PARTITION_COLUMN, rowsToTable } from '../oplog-schema.ts';
import { describeRepair } from './describe-repair.ts';
import type { FsckIndex, RepairPlan } from './plan-repair.ts';
import { LOST_AND_FOUND, rowKey, type Finding, type FsckProblem } from './types.ts';

/**
 * Commit the plan; sets each problem's `repaired` (or, when another writer took the version,
 * its `nextStep`). Returns the version committed, or undefined when nothing was committed.
 */
export async function commitRepair(
  store: ObjectStore,
  index: FsckIndex,
  plan: RepairPlan,
  byFinding: Map<Finding, FsckProblem>,
  options: { now: () => number; newId: () => string },
): Promise<number | undefined> {
  const {
    data: { files, parts, unreadable },
    findings,
  } = index;
  const { version: v, rewrite, dropped, newDirs } = plan;
  // Keep the damaged bytes first, then write the new data files, then publish the commit.
  const keptAt = new Map<string, string>();
  const keep = async (key: string) => {
    const to = LOST_AND_FOUND + key;
    await store.writeStream(to, store.readStream(key));
    keptAt.set(key, to);
  };
  for (const u of unreadable) if (u.exists) await keep(u.path);
  for (const file of rewrite.keys()) await keep(file);
  const damagedLarge = findings.filter((f) => f.kind === 'hash-mismatch' && !f.inline && f.key.startsWith('_large_files/'));
  for (const f of damagedLarge) await keep(f.key);

  const ts = options.now();
  const actions: Action[] = [];
  for (const u of unreadable)
    actions.push({ remove: { path: u.path, deletionTimestamp: ts, dataChange: true, partitionValues: { [PARTITION_COLUMN]: u.partId }, size: u.size } });
  for (const f of files)
    if (rewrite.has(f.path))
      actions.push({ remove: { path: f.path, deletionTimestamp: ts, dataChange: true, partitionValues: { [PARTITION_COLUMN]: f.partId }, size: f.size } });
  const touched = new Set([...rewrite.values(), ...newDirs.keys()]);
  for (const partId of touched) {
    const out: NodeVersion[] = [];
    for (const [node, versions] of parts.get(partId) ?? []) {
      for (const [version, copy] of versions) if (rewrite.has(copy.file) && !dropped.has(rowKey({ part: partId, node, version }))) out.push(copy.row);
    }
    const dir = newDirs.get(partId);
    if (dir) out.push(dir.row);
    if (out.length === 0) continue;
    const bytes = await tableToParquet(rowsToTable(out));
    const add: AddAction = {
      path: `${PARTITION_COLUMN}=${partId}/part-${options.newId()}.parquet`,
      partitionValues: { [PARTITION_COLUMN]: partId },
      size: bytes.length,
      modificationTime: ts,
      dataChange: true,
      stats: JSON.stringify({ numRecords: out.length }),
    };
    await store.write(add.path, bytes);
    actions.push({ add });
  }

  const { texts, message } = describeRepair(index, plan, keptAt);
  if (actions.length === 0) return undefined;
  const ok = await store.putIfAbsent(
    logKey(v),
    encodeCommit(actions, { timestamp: ts, operation: 'FSCK REPAIR', operationParameters: { problems: findings.length }, txn_seq: v, message }),
  );
  if (!ok) {
    for (const f of findings) byFinding.get(f)!.nextStep = `another writer committed version ${v} meanwhile: check again`;
    return undefined;
  }
  // The damaged large files are now named by no row: move them out of the way (their bytes are
  // kept), so writing the same content again stores an intact body.
  for (const f of damagedLarge) await store.delete(f.key);
  for (const f of findings) byFinding.get(f)!.repaired = `in version ${v}: ${texts.get(f)}`;
  return v;
}
