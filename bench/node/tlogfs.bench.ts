import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlogfsSuites } from '../shared/tlogfs.ts';
import { NodeFsStore } from '../../src/core/storage/node-fs.ts';

const root = await mkdtemp(join(tmpdir(), 'pond-bench-'));
tlogfsSuites({
  label: 'node-fs',
  make: async (name) => new NodeFsStore(join(root, name)),
  destroy: (name) => rm(join(root, name), { recursive: true, force: true }),
  verifiedReadTarget: 1.5,
});
