import { describe, it, expect } from 'vitest';
import { openDynamic, enc, dec } from '../dynamic/fixtures.ts';

async function pondWithLogs() {
  const { pond, resolver } = await openDynamic();
  await pond.transact(async (tx) => {
    await tx.mkdir('/logs/2024', { parents: true });
    await tx.mkdir('/logs/2025', { parents: true });
    await tx.writeFile('/logs/2024/jan.csv', enc('2024-jan'));
    await tx.writeFile('/logs/2024/feb.csv', enc('2024-feb'));
    await tx.writeFile('/logs/2025/jan.csv', enc('2025-jan'));
    await tx.writeFile('/logs/2025/notes.txt', enc('notes'));
  });
  return { pond, resolver };
}

describe('directory', () => {
  it('lists the matches by name; reading through gives the original bytes and identity', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/recent', 'directory', { pattern: '/logs/2025/*' }));
    expect(await pond.readdir('/recent')).toEqual([
      { name: 'jan.csv', type: 'file:data', factory: 'tlogfs' },
      { name: 'notes.txt', type: 'file:data', factory: 'tlogfs' },
    ]);
    expect(dec(await pond.readFile('/recent/jan.csv'))).toBe('2025-jan');
    const [through, original] = [await pond.stat('/recent/jan.csv'), await pond.stat('/logs/2025/jan.csv')];
    expect(through.nodeId).toBe(original.nodeId);
    expect(through.sha256).toBe(original.sha256);
    expect((await pond.stat('/recent')).type).toBe('directory');
  });

  it('virtual_structure turns captures into subdirectories; glob and readdir walk into them', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/by-month', 'directory', { pattern: '/logs/*/*.csv', virtual_structure: '{1}/{0}.csv' }));
    expect(await pond.readdir('/by-month')).toEqual([
      { name: 'feb', type: 'directory', factory: 'directory' },
      { name: 'jan', type: 'directory', factory: 'directory' },
    ]);
    expect((await pond.readdir('/by-month/jan')).map((e) => e.name)).toEqual(['2024.csv', '2025.csv']);
    expect(dec(await pond.readFile('/by-month/jan/2024.csv'))).toBe('2024-jan');
    expect(await pond.glob('/by-month/*/*.csv')).toEqual([
      { path: '/by-month/feb/2024.csv', captures: ['feb', '2024'], type: 'file:data' },
      { path: '/by-month/jan/2024.csv', captures: ['jan', '2024'], type: 'file:data' },
      { path: '/by-month/jan/2025.csv', captures: ['jan', '2025'], type: 'file:data' },
    ]);
    const sub = await pond.stat('/by-month/jan');
    expect(sub).toMatchObject({ type: 'directory', factory: 'directory', version: 1 });
    expect(sub.nodeId).not.toBe((await pond.stat('/by-month/feb')).nodeId);
    await expect(pond.readdir('/by-month/mar')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('{name} and {stem} placeholders, and deep structures', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/v', 'directory', { pattern: '/logs/*/*.csv', virtual_structure: 'year={0}/{stem}/{name}' }));
    expect((await pond.glob('/v/**')).filter((m) => m.type === 'file:data').map((m) => m.path)).toEqual([
      '/v/year=2024/feb/feb.csv',
      '/v/year=2024/jan/jan.csv',
      '/v/year=2025/jan/jan.csv',
    ]);
  });

  it('filter keeps entry types and drops excluded paths', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact(async (tx) => {
      await tx.mknod('/dirs', 'directory', { pattern: '/logs/*', filter: { types: ['directory'] } });
      await tx.mknod('/no-notes', 'directory', { pattern: '/logs/2025/*', filter: { exclude: ['/logs/*/*.txt'] } });
    });
    expect((await pond.readdir('/dirs')).map((e) => `${e.name}:${e.type}`)).toEqual(['2024:directory', '2025:directory']);
    expect((await pond.readdir('/dirs/2024')).map((e) => e.name)).toEqual(['feb.csv', 'jan.csv']);
    expect((await pond.readdir('/no-notes')).map((e) => e.name)).toEqual(['jan.csv']);
  });

  it('two matches with one name is EFACTORY naming the clash', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/flat', 'directory', { pattern: '/logs/*/jan.csv' }));
    const err = await pond.readdir('/flat').catch((e) => e);
    expect(err).toMatchObject({ code: 'EFACTORY', data: { path: '/flat' } });
    expect(err.message).toMatch(/\/flat\/jan\.csv: two matches map to the same name/);
  });

  it('reflects new matches on the next listing', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/recent', 'directory', { pattern: '/logs/2025/*.csv' }));
    expect((await pond.readdir('/recent')).map((e) => e.name)).toEqual(['jan.csv']);
    await pond.transact((tx) => tx.writeFile('/logs/2025/feb.csv', enc('2025-feb')));
    expect((await pond.readdir('/recent')).map((e) => e.name)).toEqual(['feb.csv', 'jan.csv']);
  });

  it('a pattern that reaches the directory itself does not loop (it sees itself empty)', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/everything', 'directory', { pattern: '/**/*.csv', virtual_structure: '{0}-{1}-{name}' }));
    expect((await pond.readdir('/everything')).map((e) => e.name)).toEqual(['logs-2024-feb.csv', 'logs-2024-jan.csv', 'logs-2025-jan.csv']);
  });

  it('is read-only: writing into it is EROFS', async () => {
    const { pond } = await pondWithLogs();
    await pond.transact((tx) => tx.mknod('/recent', 'directory', { pattern: '/logs/2025/*' }));
    await expect(pond.transact((tx) => tx.writeFile('/recent/new.txt', enc('x')))).rejects.toMatchObject({ code: 'EROFS' });
  });

  it('config: unknown placeholders are ECONFIG naming virtual_structure; a missing capture is EFACTORY', async () => {
    const { pond } = await pondWithLogs();
    const err = await pond.transact((tx) => tx.mknod('/v', 'directory', { pattern: '/logs/*', virtual_structure: '{site}/{name}' })).catch((e) => e);
    expect(err.message).toMatch(/ECONFIG: \/v: .*virtual_structure: placeholders are/);
    await pond.transact((tx) => tx.mknod('/v', 'directory', { pattern: '/logs/*', virtual_structure: '{3}/{name}' }));
    expect((await pond.readdir('/v').catch((e) => e)).message).toMatch(/virtual_structure uses \{3\} but \/logs\/2024 has 1 capture/);
  });
});
