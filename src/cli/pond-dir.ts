/**
 * Which pond a command works on (`--pond DIR`, else `$POND`) and opening it: a directory that holds
 * no pond fails clearly, and only `init` creates one.
 */
import { resolve } from 'node:path';
import { isPondError, openPond, type OpenPondOptions, type Pond } from '../core/index.ts';
import { NodeFsStore } from '../core/storage/node-fs.ts';
import { CliError, usageError } from './errors.ts';

/** The pond directory of this invocation, absolute. */
export function pondDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const dir = flag ?? env.POND;
  if (!dir) throw usageError('no pond given: pass --pond DIR or set POND');
  return resolve(dir);
}

/** The pond in `dir` (it must exist), opened with `options`; the caller closes it. */
export async function openExisting(dir: string, options: Omit<OpenPondOptions, 'create'> = {}): Promise<Pond> {
  try {
    return await openPond(new NodeFsStore(dir), { ...options, create: false });
  } catch (e) {
    if (isPondError(e, 'ENOENT') && e.path === '/') throw new CliError('ENOENT', `${dir}: no pond here (create one with: pond init --pond ${dir})`);
    throw e;
  }
}

/** Run `fn` on the pond in `dir`, closing it afterwards. */
export async function withPond<T>(dir: string, fn: (pond: Pond) => Promise<T>): Promise<T> {
  const pond = await openExisting(dir);
  try {
    return await fn(pond);
  } finally {
    await pond.close();
  }
}
