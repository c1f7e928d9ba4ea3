// A full disk cannot be made on demand here, so node:fs/promises is wrapped to fail like one.
import { describe, it, expect, vi, afterAll, beforeEach } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const disk = vi.hoisted(() => ({ full: undefined as string | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const fail = () => Object.assign(new Error(`${disk.full}: no space left on device`), { code: disk.full, errno: -28, syscall: 'write' });
  return {
    ...real,
    async open(...args: Parameters<typeof real.open>) {
      const fh = await real.open(...args);
      const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<unknown>;
      // Only the data writes fail: opening and creating files still works, as on a real full disk.
      (fh as { write: unknown }).write = async (...a: unknown[]) => {
        if (disk.full) throw fail();
        return write(...a);
      };
      return fh;
    },
  };
});

const { NodeFsStore } = await import('../../../src/core/storage/node-fs.ts');

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
beforeEach(() => {
  disk.full = undefined;
});

describe('NodeFsStore on a full disk', () => {
  it.each(['ENOSPC', 'EDQUOT'])('maps %s to EQUOTA naming the key, for every write method, and keeps the old bytes', async (code) => {
    const dir = await mkdtemp(join(tmpdir(), 'duckpond-quota-'));
    roots.push(dir);
    const store = new NodeFsStore(dir);
    await store.write('k', new Uint8Array([1, 2, 3]));
    disk.full = code;
    for (const attempt of [
      () => store.write('k', new Uint8Array(10)),
      () => store.putIfAbsent('n', new Uint8Array(10)),
      () => store.writeStream('k', new Blob([new Uint8Array(10)]).stream()),
    ]) {
      const e = await attempt().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toMatchObject({ name: 'PondError', code: 'EQUOTA' });
      expect((e as { data: { path: string } }).data.path).toMatch(/^(k|n)$/);
      expect((e as { cause?: { code?: string } }).cause?.code).toBe(code);
    }
    disk.full = undefined;
    expect(await store.read('k')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.exists('n')).toBe(false);
    expect(await readdir(join(dir, '.duckpond', 'tmp'))).toEqual([]);
  });
});
