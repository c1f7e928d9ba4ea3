/**
 * fsck's body check: every stored body against its row's sha256 and size, each inline one, and
 * each large file once however many rows share its content address.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import { STATIC_FACTORY } from '../../tinyfs/entry-type.ts';
import { sha256Hex } from '../../hash.ts';
import { checkLarge, largeKey } from '../large-files.ts';
import type { Finding, Parts, Ref } from './types.ts';

/** Hash every static body the index holds; returns how many were hashed and the mismatches. */
export async function checkBodies(store: ObjectStore, parts: Parts): Promise<{ bodies: number; findings: Finding[] }> {
  const findings: Finding[] = [];
  let bodies = 0;
  const large = new Map<string, { status: 'ok' | 'missing' | 'mismatch'; finding?: Finding }>();
  for (const [partId, part] of parts) {
    for (const [nodeId, versions] of part) {
      for (const [version, { row: r, file }] of versions) {
        if (r.sha256 === null || r.factory !== STATIC_FACTORY) continue;
        const ref: Ref = { part: partId, node: nodeId, version };
        if (r.content) {
          bodies++;
          if ((await sha256Hex(r.content)) !== r.sha256 || (r.size !== null && r.size !== r.content.length)) {
            findings.push({ kind: 'hash-mismatch', key: file, message: 'inline body does not match its sha256', refs: [ref], inline: true });
          }
        } else if (r.size) {
          const key = largeKey(r.sha256);
          let seen = large.get(key);
          if (!seen) {
            bodies++;
            const status = await checkLarge(store, r.sha256, r.size);
            seen = { status };
            if (status !== 'ok') {
              seen.finding =
                status === 'missing'
                  ? { kind: 'missing-large-file', key, message: 'large file is missing', refs: [] }
                  : { kind: 'hash-mismatch', key, message: 'large file does not match its name (sha256) or size', refs: [] };
              findings.push(seen.finding);
            }
            large.set(key, seen);
          }
          seen.finding?.refs.push(ref);
        }
      }
    }
  }
  return { bodies, findings };
}
