// The worker's config check of a sql_query (parse and bind against the inputs' schemas, before
// saving) and restoring an older version as a new one, through the real worker in Chromium.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { tableFromArrays } from 'apache-arrow';
import type { PondApi } from '../../workers/api.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { rejectionOf } from '../shared/rejection.ts';

installErrorTransfer();

const RUN = `cc${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const text = (s: string) => new TextEncoder().encode(s);

describe('config check and restore', () => {
  let worker: Worker;
  let api: Remote<PondApi>;

  beforeAll(async () => {
    worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    api = wrap<PondApi>(worker);
    await api.createPond(`${RUN}-main`);
    const { tableToParquet } = await import('../../src/core/arrow/parquet.ts');
    await api.mkdir('/data');
    await api.writeFile('/data/nums.parquet', await tableToParquet(tableFromArrays({ a: Int32Array.from([1, 2, 3]), b: ['x', 'y', 'z'] })), {
      type: 'file:table',
    });
  });

  afterAll(async () => {
    for (const p of await api.listPonds()) if (p.name.startsWith(RUN)) await api.deletePond(p.name);
    api[releaseProxy]();
    worker.terminate();
  });

  const config = (query: string, pattern = '/data/nums.parquet') => JSON.stringify({ query, tables: { t: pattern } });

  it('accepts a query that binds, and says how long reading the schemas took', async () => {
    const check = await api.checkConfig('sql_query', config('SELECT a, upper(b) AS b FROM t WHERE a > 1;'), '/views/q');
    expect(check).toMatchObject({ ok: true, type: 'file:table' });
    expect(check.ok && typeof check.checkedMs).toBe('number');
  });

  it('refuses a syntax error, not to be saved anyway', async () => {
    const check = await api.checkConfig('sql_query', config('SELECT a FROM t WHERE'), '/views/q');
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.saveAnyway).toBe(false);
    expect(check.issues[0]).toMatchObject({ path: 'query' });
    expect(check.issues[0].message).toMatch(/syntax error/);
  });

  it('finds a column the input lacks (a bind error, with line and column), which may be saved anyway', async () => {
    const check = await api.checkConfig('sql_query', config('SELECT a,\n  nope FROM t'), '/views/q');
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.saveAnyway).toBe(true);
    expect(check.issues[0].message).toMatch(/Referenced column "nope" not found.*\(line 2, column 3\)/);
  });

  it('names a pattern that matches nothing; relative patterns resolve against the node folder', async () => {
    const check = await api.checkConfig('sql_query', config('SELECT * FROM t', '/data/none*.parquet'), '/views/q');
    expect(check).toMatchObject({ ok: false, saveAnyway: true, issues: [{ path: 'tables.t', message: expect.stringContaining('"/data/none*.parquet"') }] });
    expect((await api.checkConfig('sql_query', config('SELECT * FROM t', 'nums.parquet'), '/data/q')).ok).toBe(true);
    expect((await api.checkConfig('sql_query', config('SELECT * FROM t', 'nums.parquet'), '/views/q')).ok).toBe(false);
  });

  it('checks only the schema without a path (as before)', async () => {
    expect((await api.checkConfig('sql_query', config('SELECT nope FROM t'))).ok).toBe(true);
  });

  it("restores a dynamic node's older config as a new version", async () => {
    await api.mknod('/views/q', 'sql_query', config('SELECT sum(a) AS s FROM t'));
    await api.mknod('/views/q', 'sql_query', config('SELECT nope FROM t'));
    expect(String(await rejectionOf(api.openTable('/views/q')))).toMatch(/nope/);
    await api.restoreVersion('/views/q', 1);
    const handle = await api.openTable('/views/q');
    expect(handle.rows).toBe(1);
    await api.releaseTable(handle.id);
    const details = await api.details('/views/q');
    expect(details.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(details.configYaml).toMatch(/sum\(a\)/);
  });

  it("restores a stored file's older bytes as a new version", async () => {
    await api.writeFile('/data/note.txt', text('one'));
    await api.writeFile('/data/note.txt', text('two'));
    await api.restoreVersion('/data/note.txt', 1);
    expect(new TextDecoder().decode(await api.readFile('/data/note.txt'))).toBe('one');
    expect((await api.versions('/data/note.txt')).length).toBe(3);
    expect(String(await rejectionOf(api.restoreVersion('/data/note.txt', 9)))).toMatch(/no version 9/);
  });
});
