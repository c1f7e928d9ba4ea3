import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { pondBehaviour } from '../../shared/pond-behaviour.ts';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

pondBehaviour('TLogFS over MemoryStore', async () => openPond(new MemoryStore()));
pondBehaviour('TLogFS over NodeFsStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pond-'));
  dirs.push(dir);
  return openPond(new NodeFsStore(dir));
});
