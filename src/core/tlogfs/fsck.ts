import type { ObjectStore } from '../storage/object-store.ts';
import type { NodeVersion } from '../tinyfs/node.ts';
import { decodeDirectory } from '../tinyfs/dir-codec.ts';
import { ROOT_ID, STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { parquetToTable } from '../arrow/parquet.ts';
import { sha256Hex } from '../hash.ts';
import { isPondError } from '../errors.ts';
import { encodeCommit, isComplete, logKey, parseCommit, type Action } from './delta-log.ts';
import { LogState } from './log-state.ts';
import { tableToRows } from './oplog-schema.ts';
import { largeKey } from './large-files.ts';

/** What kind of damage a problem is. */
export type FsckKind =
  | 'torn-commit' // newest commit file cut short (ignored on open)
  | 'bad-commit' // an older commit file that does not parse, or a missing one
  | 'missing-file' // an add action names a file that is not there
  | 'bad-parquet' // a data file that does not parse as OplogEntry rows
  | 'missing-large-file'
  | 'hash-mismatch' // inline or large body whose sha256 differs from the row
  | 'bad-directory' // a directory snapshot that does not decode
  | 'dangling-entry'; // a directory entry whose node has no rows

export interface FsckProblem {
  kind: FsckKind;
  /** The store key of the damaged object. */
  path: string;
  message: string;
  /** What repair did about it, if anything. */
  repaired?: string;
}

export interface FsckReport {
  version: number;
  commits: number;
  dataFiles: number;
  rows: number;
  bodiesVerified: number;
  problems: FsckProblem[];
  /** The version a repair committed (when it committed one). */
  repairedAt?: number;
}

/**
 * Check a pond: replay every commit, read every data file it references, verify every sha256 and
 * every directory snapshot. With `repair`, set aside torn commits and commit the removal of data
 * files that cannot be read (they are kept under `_lost+found/`), so the rest opens; nothing is
 * deleted silently and every action is in the report.
 */
export async function fsck(store: ObjectStore, options: { repair?: boolean; now?: () => number } = {}): Promise<FsckReport> {
  const now = options.now ?? Date.now;
  const problems: FsckProblem[] = [];
  const state = new LogState();
  let commits = 0;
  for (let v = 0; ; v++) {
    const key = logKey(v);
    let bytes: Uint8Array;
    try {
      bytes = await store.read(key);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      if (await store.exists(logKey(v + 1))) problems.push({ kind: 'bad-commit', path: key, message: `commit ${v} is missing but later ones exist` });
      break;
    }
    let ok = false;
    try {
      const parsed = parseCommit(bytes, key);
      ok = isComplete(parsed);
      if (ok) { state.apply(v, parsed.actions, parsed.commitInfo); commits++; }
    } catch {
      ok = false;
    }
    if (!ok) {
      const newest = !(await store.exists(logKey(v + 1)));
      const p: FsckProblem = { kind: newest ? 'torn-commit' : 'bad-commit', path: key, message: newest ? 'the newest commit is torn and ignored' : `commit ${v} does not parse; later commits cannot be applied` };
      if (newest && options.repair && store.writable) {
        const aside = `${key}.torn-${now()}`;
        await store.write(aside, bytes);
        await store.delete(key);
        p.repaired = `moved to ${aside}`;
      }
      problems.push(p);
      break;
    }
  }

  const nodes = new Map<string, NodeVersion[]>();
  const unreadable: Array<{ path: string; partId: string; size: number }> = [];
  let rows = 0;
  let bodies = 0;
  const files = state.liveFiles();
  for (const f of files) {
    let bytes: Uint8Array;
    try {
      bytes = await store.read(f.path);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      problems.push({ kind: 'missing-file', path: f.path, message: `data file of commit ${f.version} is missing` });
      unreadable.push(f);
      continue;
    }
    let fileRows: NodeVersion[];
    try {
      fileRows = tableToRows(await parquetToTable(bytes, f.path), f.partId, f.path);
    } catch (e) {
      problems.push({ kind: 'bad-parquet', path: f.path, message: (e as Error).message });
      unreadable.push(f);
      continue;
    }
    for (const r of fileRows) {
      rows++;
      const k = `${r.partId}/${r.nodeId}`;
      nodes.set(k, [...(nodes.get(k) ?? []), r]);
      if (r.sha256 === null || r.factory !== STATIC_FACTORY) continue;
      if (r.content) {
        bodies++;
        if ((await sha256Hex(r.content)) !== r.sha256) problems.push({ kind: 'hash-mismatch', path: f.path, message: `node ${r.nodeId} v${r.version}: inline body does not match its sha256` });
      } else if (r.size) {
        bodies++;
        const key = largeKey(r.sha256);
        try {
          const body = await store.read(key);
          if ((await sha256Hex(body)) !== r.sha256) problems.push({ kind: 'hash-mismatch', path: key, message: `large file does not match its name (node ${r.nodeId} v${r.version})` });
        } catch (e) {
          if (!isPondError(e, 'ENOENT')) throw e;
          problems.push({ kind: 'missing-large-file', path: key, message: `body of node ${r.nodeId} v${r.version} is missing` });
        }
      }
    }
  }

  // Directory snapshots, walked from the root so problems are named by pond path.
  const newest = (part: string, id: string) => (nodes.get(`${part}/${id}`) ?? []).reduce<NodeVersion | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
  const queue: Array<{ id: string; path: string }> = [{ id: ROOT_ID, path: '/' }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    const dir = newest(item.id, item.id);
    if (!dir) continue;
    let entries;
    try {
      entries = decodeDirectory(dir.content, item.path);
    } catch (e) {
      problems.push({ kind: 'bad-directory', path: item.path, message: (e as Error).message });
      continue;
    }
    for (const e of entries) {
      const own = e.type === 'directory' && e.factory === STATIC_FACTORY;
      const path = item.path === '/' ? `/${e.name}` : `${item.path}/${e.name}`;
      if (!newest(own ? e.nodeId : item.id, e.nodeId)) {
        problems.push({ kind: 'dangling-entry', path, message: `names node ${e.nodeId}, which has no readable rows` });
      } else if (own) queue.push({ id: e.nodeId, path });
    }
  }

  const report: FsckReport = { version: state.version, commits, dataFiles: files.length, rows, bodiesVerified: bodies, problems };
  if (options.repair && store.writable && unreadable.length > 0 && !problems.some((p) => p.kind === 'bad-commit')) {
    // Keep the damaged bytes, then commit their removal so the pond opens without them.
    const actions: Action[] = [];
    for (const f of unreadable) {
      if (await store.exists(f.path)) await store.write(`_lost+found/${f.path}`, await store.read(f.path));
      actions.push({ remove: { path: f.path, deletionTimestamp: now(), dataChange: true, partitionValues: { part_id: f.partId }, size: f.size } });
    }
    const v = state.version + 1;
    const ok = await store.putIfAbsent(logKey(v), encodeCommit(actions, { timestamp: now(), operation: 'FSCK REPAIR', txn_seq: v, message: `fsck: removed ${unreadable.length} unreadable data file(s), kept under _lost+found/` }));
    if (ok) {
      report.repairedAt = v;
      for (const p of problems) if (p.kind === 'missing-file' || p.kind === 'bad-parquet') p.repaired = `removed from the table at version ${v}${p.kind === 'bad-parquet' ? `, bytes kept at _lost+found/${p.path}` : ''}`;
    }
  }
  return report;
}
