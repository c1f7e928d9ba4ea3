/** fsck's snapshot check: decode every version of every stored directory, reachable or not. */
import { STATIC_FACTORY } from '../../tinyfs/entry-type.ts';
import { decodeDirectory } from '../../tinyfs/dir-codec.ts';
import { reason, type Finding, type Parts, type Snapshot, type Snapshots } from './types.ts';

/** Decode each directory snapshot in the index: the decodable ones per directory (newest first), and a finding per one that is not. */
export function checkSnapshots(parts: Parts): { snapshots: Snapshots; findings: Finding[] } {
  const snapshots: Snapshots = new Map();
  const findings: Finding[] = [];
  for (const [partId, part] of parts) {
    const versions = part.get(partId);
    if (!versions) continue;
    const good: Snapshot[] = [];
    for (const [version, copy] of [...versions].sort((a, b) => b[0] - a[0])) {
      if (copy.row.type !== 'directory' || copy.row.factory !== STATIC_FACTORY) continue;
      try {
        good.push({ version, entries: decodeDirectory(copy.row.content, partId), copy });
      } catch (e) {
        findings.push({
          kind: 'bad-directory',
          key: copy.file,
          message: `snapshot version ${version} does not decode: ${reason(e, partId)}`,
          refs: [{ part: partId, node: partId, version }],
          dirId: partId,
        });
      }
    }
    snapshots.set(partId, good);
  }
  return { snapshots, findings };
}
