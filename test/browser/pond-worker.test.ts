// The pond worker for real: a module worker in Chromium, ponds in OPFS, the API through comlink.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import { tableFromIPC } from 'apache-arrow';
import { unzipSync, zipSync } from 'fflate';
import type { PondApi, PondEvent, Progress } from '../../workers/api.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { PondError, isPondError } from '../../src/core/errors.ts';
import { rejectionOf } from '../shared/rejection.ts';

installErrorTransfer();

/** Unique per run: OPFS outlives the test page within one browser profile. */
const RUN = `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

function startWorker(): { worker: Worker; api: Remote<PondApi> } {
  const worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
  return { worker, api: wrap<PondApi>(worker) };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('pond worker API', () => {
  let worker: Worker;
  let api: Remote<PondApi>;
  const events: PondEvent[] = [];
  const name = `${RUN}-main`;

  beforeAll(async () => {
    ({ worker, api } = startWorker());
    await api.subscribe(proxy((e: PondEvent) => void events.push(e)));
  });

  afterAll(async () => {
    for (const p of await api.listPonds()) if (p.name.startsWith(RUN)) await api.deletePond(p.name);
    api[releaseProxy]();
    worker.terminate();
  });

  it('creates a pond in OPFS and lists it', async () => {
    const info = await api.createPond(name);
    expect(info).toMatchObject({ name, kind: 'opfs', asOf: null, readOnly: false });
    const ponds = await api.listPonds();
    expect(ponds).toContainEqual({ name, kind: 'opfs' });
    expect(await api.readdir('/')).toEqual([]);
  });

  it('writes files and lists them with paths, types and versions', async () => {
    await api.mkdir('/data/raw', { parents: true });
    const v = await api.writeFile('/data/raw/note.md', text('# Hello\n'));
    expect(v).toBeGreaterThan(0);
    expect(await api.readdir('/data')).toEqual([{ name: 'raw', path: '/data/raw', type: 'directory', factory: 'tlogfs' }]);
    const stat = await api.stat('/data/raw/note.md');
    expect(stat).toMatchObject({ path: '/data/raw/note.md', type: 'file:data', size: 8 });
    expect(new TextDecoder().decode(await api.readFile('/data/raw/note.md'))).toBe('# Hello\n');
    const details = await api.details('/data/raw/note.md');
    expect(details.dynamic).toBe(false);
    expect(details.versions).toHaveLength(1);
    expect(details.versions[0].txnSeq).toBe(v);
    expect((await api.history())[0].txnSeq).toBe(v);
    expect(events.some((e) => e.type === 'commit' && e.version === v && e.origin === 'local')).toBe(true);
  });

  it('previews the head of a big file, of any version, saying how big the whole is', async () => {
    const big = Uint8Array.from({ length: 1.5 * 1024 * 1024 }, (_, i) => (i * 131) % 251);
    await api.writeFile('/data/big.bin', big);
    await api.writeFile('/data/big.bin', big.slice(0, 1000));
    const head = await api.preview('/data/big.bin', { version: 1 });
    expect(head.size).toBe(big.length);
    expect(head.truncated).toBe(true);
    expect(head.bytes).toEqual(big.slice(0, 1024 * 1024));
    const latest = await api.preview('/data/big.bin');
    expect(latest).toMatchObject({ size: 1000, truncated: false });
    expect(latest.bytes).toEqual(big.slice(0, 1000));
    expect(isPondError(await rejectionOf(api.preview('/data')), 'EISDIR')).toBe(true);
  });

  it('imports a Parquet table and pages it as Arrow IPC, sorted', async () => {
    const arrow = await import('apache-arrow');
    const { tableToParquet } = await import('../../src/core/arrow/parquet.ts');
    const n = 1000;
    const table = arrow.tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i), x: Float64Array.from({ length: n }, (_, i) => (i * 37) % 101) });
    const progress: Progress[] = [];
    const imported = await api.importFiles(
      '/data',
      [{ name: 'nums.parquet', data: await tableToParquet(table) }],
      {},
      proxy((p: Progress) => void progress.push(p)),
    );
    expect(imported).toEqual([expect.objectContaining({ path: '/data/nums', type: 'file:table', rows: n })]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done' });

    const handle = await api.openTable('/data/nums');
    expect(handle.rows).toBe(n);
    expect(handle.columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'number'],
      ['x', 'number'],
    ]);
    const page = await api.tablePage(handle.id, 990, 50);
    expect(page.rows).toBe(10);
    expect(tableFromIPC(page.ipc).getChild('id')!.get(0)).toBe(990);
    const sorted = tableFromIPC((await api.tablePage(handle.id, 0, 3, { column: 'x', desc: true })).ipc);
    expect(Array.from(sorted.getChild('x')!.toArray() as Float64Array)).toEqual([100, 100, 100]);
    const chart = await api.chartData(handle.id, 'id', ['x'], 100);
    expect(chart.x.length).toBe(100);
    expect(chart.sampled).toBe(true);
  });

  it('imports a CSV through the SQL engine, queries it, and saves the query as a sql_query node', async () => {
    const csv = text('day,city,temp\n2024-01-01,Oslo,-3.5\n2024-01-02,Oslo,-1\n2024-01-01,Rome,9.25\n');
    const [imported] = await api.importFiles('/weather', [{ name: 'temps.csv', data: new Blob([csv]) }]);
    expect(imported).toMatchObject({ path: '/weather/temps', type: 'file:table', rows: 3 });

    const result = await api.query('SELECT city, avg(temp) AS t FROM w GROUP BY city ORDER BY city', { w: '/weather/temps' });
    expect(result.rows).toBe(2);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(
      tableFromIPC(result.firstPage.ipc)
        .toArray()
        .map((r) => r.toJSON()),
    ).toEqual([
      { city: 'Oslo', t: -2.25 },
      { city: 'Rome', t: 9.25 },
    ]);

    const check = await api.checkConfig('sql_query', 'query: [unclosed');
    expect(check.ok).toBe(false);
    const bad = await api.checkConfig('sql_query', 'tables: {w: /weather/temps}\nquery: SELECT 1\nbogus: 1');
    expect(bad).toMatchObject({ ok: false, issues: [expect.objectContaining({ message: expect.stringContaining('bogus') })] });
    const good = await api.checkConfig('sql_query', 'query: SELECT count(*) AS n FROM w\ntables: {w: /weather/temps}');
    expect(good).toMatchObject({ ok: true, type: 'file:table' });

    await api.mknod('/weather/count', 'sql_query', 'query: SELECT count(*)::INTEGER AS n FROM w\ntables: {w: /weather/temps}');
    const details = await api.details('/weather/count');
    expect(details).toMatchObject({ dynamic: true, stat: { factory: 'sql_query', type: 'file:table' } });
    expect(details.configYaml).toContain('SELECT count(*)');
    // The Inspector and the viewer learn what a node is without computing it; size and hash on request.
    expect(details).toMatchObject({ computed: false, stat: { size: null, sha256: null } });
    expect(await api.lookup('/weather/count')).toEqual({ name: 'count', path: '/weather/count', type: 'file:table', factory: 'sql_query' });
    const computed = await api.details('/weather/count', { computed: true });
    expect(computed.computed).toBe(true);
    expect(computed.stat.size).toBeGreaterThan(0);
    expect(computed.stat.sha256).toMatch(/^[0-9a-f]{64}$/);
    const count = await api.openTable('/weather/count');
    const page = tableFromIPC((await api.tablePage(count.id, 0, 10)).ipc);
    expect(page.getChild('n')!.get(0)).toBe(3);
    const factories = (await api.factories()).map((f) => f.name);
    expect(factories).toEqual(expect.arrayContaining(['sql_query', 'template', 'combine', 'scribble', 'directory']));
  });

  it('cancels a long operation by its id', async () => {
    const big = text('a,b\n' + Array.from({ length: 200_000 }, (_, i) => `${i},x${i}`).join('\n'));
    const running = api.importFiles(
      '/big',
      [
        { name: 'one.csv', data: big },
        { name: 'two.csv', data: big },
      ],
      { opId: 'op-cancel' },
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(await api.cancel('op-cancel')).toBe(true);
    const e = await rejectionOf(running);
    expect((e as Error).name).toBe('AbortError');
    expect(isPondError(await rejectionOf(api.stat('/big')), 'ENOENT')).toBe(true);
  });

  it('keeps PondError code and path across the boundary', async () => {
    const missing = await rejectionOf(api.stat('/nope/missing.csv'));
    expect(missing).toBeInstanceOf(PondError);
    expect(isPondError(missing, 'ENOENT')).toBe(true);
    expect((missing as PondError).data.path).toBe('/nope/missing.csv');
    const exists = await rejectionOf(api.mkdir('/data'));
    expect(isPondError(exists, 'EEXIST')).toBe(true);
    expect((exists as PondError).data.path).toBe('/data');
    const dup = await rejectionOf(api.createPond(name));
    expect(isPondError(dup, 'EEXIST')).toBe(true);
  });

  it('travels to an older version read-only, and back', async () => {
    const history = await api.history();
    const first = history[history.length - 1].txnSeq;
    const old = await api.travel(first);
    expect(old).toMatchObject({ asOf: first, readOnly: true });
    expect(await api.readdir('/')).toEqual([]);
    expect(isPondError(await rejectionOf(api.mkdir('/x')), 'EROFS')).toBe(true);
    const latest = await api.travel(null);
    expect(latest.asOf).toBeNull();
    expect((await api.readdir('/')).map((e) => e.name)).toEqual(['data', 'weather']);
  });

  it('exports the pond as a zip and imports it as a new pond', async () => {
    const zip = await api.exportPond();
    expect(Array.from(zip.subarray(0, 2))).toEqual([0x50, 0x4b]); // "PK"
    const copy = await api.importPond(`${RUN}-copy`, zip);
    expect(copy.name).toBe(`${RUN}-copy`);
    expect(new TextDecoder().decode(await api.readFile('/data/raw/note.md'))).toBe('# Hello\n');
    const bad = await rejectionOf(api.importPond(`${RUN}-bad`, text('not a zip')));
    expect(isPondError(bad, 'ECORRUPT')).toBe(true);
    expect((await api.listPonds()).map((p) => p.name)).not.toContain(`${RUN}-bad`);
  });

  it('renames and deletes ponds', async () => {
    await api.renamePond(`${RUN}-copy`, `${RUN}-renamed`);
    let names = (await api.listPonds()).map((p) => p.name);
    expect(names).toContain(`${RUN}-renamed`);
    expect(names).not.toContain(`${RUN}-copy`);
    expect((await api.info())?.name).toBe(`${RUN}-renamed`);
    await api.deletePond(`${RUN}-renamed`);
    names = (await api.listPonds()).map((p) => p.name);
    expect(names).not.toContain(`${RUN}-renamed`);
    expect(await api.info()).toBeNull();
  });

  it('refuses to import an archive without an index whose data files are damaged, writing nothing', async () => {
    await api.openPond(name);
    const files = unzipSync(await api.exportPond());
    // No duckpond-index.json (a zip made by hand from a pond folder): only reading the data finds damage.
    delete files['duckpond-index.json'];
    const data = Object.keys(files).find((k) => /^part_id=.*\.parquet$/.test(k))!;
    expect(data).toBeDefined();
    const damaged = { ...files, [data]: files[data].slice(0, files[data].length >> 1) };
    const error = await rejectionOf(api.importPond(`${RUN}-damaged`, zipSync(damaged)));
    expect(isPondError(error, 'ECORRUPT')).toBe(true);
    expect((error as PondError).data.path).toBe(data);
    expect((error as Error).message).toMatch(/nothing was imported/);
    expect((await api.listPonds()).map((p) => p.name)).not.toContain(`${RUN}-damaged`);
    expect((await api.info())?.name).toBe(name);
    // The same archive undamaged imports fine.
    const intact = await api.importPond(`${RUN}-intact`, zipSync(files));
    expect(intact.name).toBe(`${RUN}-intact`);
    expect(new TextDecoder().decode(await api.readFile('/data/raw/note.md'))).toBe('# Hello\n');
  });

  it('reports storage usage', async () => {
    const info = await api.storageInfo();
    expect(info.kind).toBe('opfs');
    expect(info.quota).toBeGreaterThan(0);
  });
});

describe('two workers on one pond (two tabs)', () => {
  it("reports a write waiting for another tab's lock, then completes it", async () => {
    const { worker, api } = startWorker();
    const name = `${RUN}-locked`;
    const events: PondEvent[] = [];
    try {
      await api.createPond(name);
      await api.subscribe(proxy((e: PondEvent) => void events.push(e)));
      // Hold the pond's writer lock as another tab's worker would (OpfsStore locks this name).
      let release!: () => void;
      await new Promise<void>((held) => {
        void navigator.locks.request(`duckpond:opfs:${name}`, () => {
          held();
          return new Promise<void>((r) => (release = r));
        });
      });
      const write = api.writeFile('/waited.txt', text('x'));
      await expect.poll(() => events.some((e) => e.type === 'lock' && e.state === 'waiting'), { timeout: 10_000 }).toBe(true);
      release();
      const version = await write;
      // Events travel on their own channel: they may land just after the call's answer.
      await expect.poll(() => events).toContainEqual({ type: 'lock', pond: name, state: 'done' });
      await expect.poll(() => events).toContainEqual({ type: 'commit', pond: name, version, origin: 'local' });
    } finally {
      await api.deletePond(name).catch(() => {});
      worker.terminate();
    }
  });

  it('tells the other worker about a commit, which then sees it', async () => {
    const a = startWorker();
    const b = startWorker();
    const name = `${RUN}-shared`;
    try {
      await a.api.createPond(name);
      await b.api.openPond(name);
      const seen = new Promise<PondEvent>((resolve) => {
        void b.api.subscribe(
          proxy((e: PondEvent) => {
            if (e.type === 'commit' && e.origin === 'remote') resolve(e);
          }),
        );
      });
      const v = await a.api.writeFile('/hello.txt', text('hi'));
      expect(await seen).toMatchObject({ type: 'commit', pond: name, version: v, origin: 'remote' });
      expect((await b.api.readdir('/')).map((e) => e.name)).toEqual(['hello.txt']);
    } finally {
      await a.api.deletePond(name).catch(() => {});
      a.worker.terminate();
      b.worker.terminate();
    }
  });
});
