// The node-fs writer lock against real processes: dead holders, other hosts, heartbeats, racing breakers.
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFsStore, type LockInfo } from '../../../src/core/storage/node-fs.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { rejection } from '../../shared/object-store-suite.ts';

const roots: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duckpond-lock-'));
  roots.push(dir);
  return dir;
}

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

/** Plant a lock file as another writer would have left it. */
async function plantLock(dir: string, info: Partial<LockInfo> | string, ageMs = 0): Promise<string> {
  const path = join(dir, '.duckpond', 'lock');
  await mkdir(join(dir, '.duckpond'), { recursive: true });
  await writeFile(path, typeof info === 'string' ? info : JSON.stringify({ time: Date.now(), token: 'planted', ...info }));
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
  return path;
}

async function lockOwner(dir: string): Promise<LockInfo> {
  return JSON.parse(await readFile(join(dir, '.duckpond', 'lock'), 'utf8')) as LockInfo;
}

const storeModule = fileURLToPath(new URL('../../../src/core/storage/node-fs.ts', import.meta.url));

/** A separate Node process that takes the lock on `dir`, prints "locked", and holds it until killed. */
async function holdInChild(dir: string): Promise<ChildProcess> {
  const code = `
    import { NodeFsStore } from ${JSON.stringify(storeModule)};
    await new NodeFsStore(${JSON.stringify(dir)}).lock({ timeoutMs: 10000 });
    console.log('locked');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    child.on('exit', (c) => reject(new Error(`lock holder exited early (${c})`)));
  });
  return child;
}

describe('NodeFsStore lock file', () => {
  it('holds pid, host, time and a token, and is removed on release', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    const release = await store.lock();
    const info = await lockOwner(dir);
    expect(info).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Math.abs(info.time - Date.now())).toBeLessThan(5000);
    expect(info.token).toMatch(/^[0-9a-f-]{36}$/);
    await release();
    await expect(stat(store.lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('excludes a writer in another process, and frees at once when that process is killed', { timeout: 30_000 }, async () => {
    const dir = await freshDir();
    const child = await holdInChild(dir);
    const store = new NodeFsStore(dir);
    const e = await rejection(store.lock({ wait: false }));
    expect(isPondError(e, 'ECONFLICT')).toBe(true);
    expect((e as { data: { holder?: LockInfo } }).data.holder?.pid).toBe(child.pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    const release = await store.lock({ timeoutMs: 5000 });
    // A dead pid on this host is judged at once, not after the heartbeat window (10 s by default).
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await lockOwner(dir)).pid).toBe(process.pid);
    await release();
  });

  it('takes over a lock left by a dead process on this host at once', async () => {
    const dir = await freshDir();
    await plantLock(dir, { pid: await deadPid(), host: hostname() });
    const release = await new NodeFsStore(dir).lock({ wait: false });
    expect((await lockOwner(dir)).pid).toBe(process.pid);
    await release();
  });

  it('respects a fresh lock from another host, and takes it over once its heartbeat is stale', async () => {
    const dir = await freshDir();
    const path = await plantLock(dir, { pid: 1, host: 'elsewhere.example' });
    const store = new NodeFsStore(dir, { staleLockMs: 2000 });
    expect(isPondError(await rejection(store.lock({ wait: false })), 'ECONFLICT')).toBe(true);
    const then = new Date(Date.now() - 3000);
    await utimes(path, then, then);
    const release = await store.lock({ wait: false });
    expect((await lockOwner(dir)).host).toBe(hostname());
    await release();
  });

  it('judges a half-written (empty) lock file by its age alone', async () => {
    const dir = await freshDir();
    const path = await plantLock(dir, '');
    const store = new NodeFsStore(dir, { staleLockMs: 2000 });
    expect(isPondError(await rejection(store.lock({ wait: false })), 'ECONFLICT')).toBe(true);
    const then = new Date(Date.now() - 3000);
    await utimes(path, then, then);
    await (
      await store.lock({ wait: false })
    )();
  });

  it('keeps a held lock fresh, so a live holder is never taken over', async () => {
    const dir = await freshDir();
    const holder = new NodeFsStore(dir, { staleLockMs: 300 });
    const release = await holder.lock();
    await new Promise((r) => setTimeout(r, 1000));
    const age = Date.now() - (await stat(holder.lockPath)).mtimeMs;
    expect(age).toBeLessThan(300);
    const rival = new NodeFsStore(dir, { staleLockMs: 300 });
    expect(isPondError(await rejection(rival.lock({ wait: false })), 'ECONFLICT')).toBe(true);
    await release();
    await (
      await rival.lock({ wait: false })
    )();
  });

  it('lets exactly one of many racing writers take over a stale lock, race after race', async () => {
    // The race is timing-dependent: a window that let two writers win showed in about 1 of 60 races.
    const dead = await deadPid();
    for (let round = 0; round < 40; round++) {
      const dir = await freshDir();
      await plantLock(dir, { pid: dead, host: hostname() });
      const stores = Array.from({ length: 8 }, () => new NodeFsStore(dir));
      const results = await Promise.allSettled(stores.map((s) => s.lock({ wait: false })));
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(isPondError(r.reason, 'ECONFLICT')).toBe(true);
      expect((await readdir(join(dir, '.duckpond'))).filter((n) => n.startsWith('lock.'))).toEqual([]);
      await (winners[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    }
  });

  it('does not delete a lock that someone else took over in the meantime', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    const release = await store.lock();
    await plantLock(dir, { pid: process.pid, host: hostname(), token: 'usurper' });
    await release();
    expect((await lockOwner(dir)).token).toBe('usurper');
  });

  it('close() releases the lock it holds', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    await store.lock();
    await store.close();
    await (
      await new NodeFsStore(dir).lock({ wait: false })
    )();
  });

  it('sweeps temp files of crashed writers on lock, but not young ones', async () => {
    const dir = await freshDir();
    const tmp = join(dir, '.duckpond', 'tmp');
    await mkdir(tmp, { recursive: true });
    const old = `${(Date.now() - 2 * 3600_000).toString(36)}-1-crashed`;
    const young = `${Date.now().toString(36)}-1-writing`;
    await writeFile(join(tmp, old), 'x');
    await writeFile(join(tmp, young), 'y');
    const release = await new NodeFsStore(dir).lock();
    expect(await readdir(tmp)).toEqual([young]);
    await release();
  });
});
