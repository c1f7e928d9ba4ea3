// HttpStore against a real HTTP server: a pond written to disk, indexed as an export does it, then
// served the way static hosts serve it (with and without Range support). Everything a reader does
// must come out the same as over the disk, and nothing a host sends wrong may pass unnoticed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPond, HttpStore, writePublishIndex, parsePublishIndex, PUBLISH_INDEX, type Pond } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import { collectStream } from '../../../src/core/bytes.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { tableFromArrays } from 'apache-arrow';
import { tableToParquet } from '../../../src/core/arrow/parquet.ts';

interface Served {
  url: string;
  requests: { path: string; range: string | undefined }[];
  close(): Promise<void>;
}

/** Serve `dir` over HTTP like a static host; `ranges: false` ignores Range (always 200, whole file). */
async function serve(dir: string, options: { ranges: boolean }): Promise<Served> {
  const requests: Served['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    let body: Buffer;
    try {
      if (path.includes('..')) throw new Error('no');
      body = await readFile(join(dir, path));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const m = options.ranges ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
    if (m) {
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-type': 'application/octet-stream' });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/pond/`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const text = (s: string) => new TextEncoder().encode(s);
const big = new Uint8Array(200 * 1024).map((_, i) => (i * 7919) % 251);

/** Every path of a pond with its type and bytes, for comparing two handles. */
async function contents(pond: Pond, dir = '/'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await pond.readdir(dir)) {
    const path = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
    if (e.type === 'directory') Object.assign(out, await contents(pond, path));
    else {
      const bytes = await pond.readFile(path);
      out[path] = `${e.type}:${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`;
    }
  }
  return out;
}

describe('HttpStore', () => {
  let root: string;
  let dir: string;
  let local: Pond;
  let withRanges: Served;
  let withoutRanges: Served;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'duckpond-http-'));
    dir = join(root, 'pond');
    const store = new NodeFsStore(dir);
    const pond = await openPond(store, { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      await tx.writeFile('/data/notes.txt', text('first'));
      await tx.writeFile('/data/big.bin', big);
      await tx.writeFile('/data/t.parquet', await tableToParquet(tableFromArrays({ x: Float64Array.from([1, 2, 3]), y: ['a', 'b', 'c'] })), { type: 'file:table' });
    }, { message: 'data' });
    await pond.transact(async (tx) => {
      await tx.writeFile('/data/notes.txt', text('second'));
      await tx.mknod('/data/sum', 'sql_query', { query: 'SELECT sum(x) AS s FROM t', tables: { t: '/data/t.parquet' } });
    }, { message: 'more' });
    await pond.close();
    await writePublishIndex(store);
    await store.close();
    local = await openPond(new NodeFsStore(dir), { create: false });
    withRanges = await serve(root, { ranges: true });
    withoutRanges = await serve(root, { ranges: false });
  });

  afterAll(async () => {
    await local?.close();
    await withRanges?.close();
    await withoutRanges?.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each([['honours Range', () => withRanges], ['ignores Range', () => withoutRanges]])('reads a published pond exactly as the disk does (host %s)', async (_, host) => {
    const served = host();
    const store = await HttpStore.open(served.url);
    expect(store.writable).toBe(false);
    const remote = await openPond(store, { create: false });
    try {
      expect(remote.version).toBe(local.version);
      expect(remote.readOnly).toBe(true);
      expect(await contents(remote)).toEqual(await contents(local));
      // The dynamic node computes from tables read over HTTP.
      const sum = await remote.readTable('/data/sum');
      expect(Number(sum.getChild('s')!.get(0))).toBe(6);
      // Time travel: the first version's notes.
      const v1 = await openPond(store, { create: false, asOf: 1 });
      expect(new TextDecoder().decode(await v1.readFile('/data/notes.txt'))).toBe('first');
      await v1.close();
      // Large files stream and verify.
      expect(await collectStream(remote.createReadStream('/data/big.bin'))).toEqual(big);
    } finally {
      await remote.close();
    }
  });

  it('answers listings from the index and asks the host only for what it reads', async () => {
    const before = withRanges.requests.length;
    const store = await HttpStore.open(withRanges.url);
    const keys = await store.list('');
    const onDisk = parsePublishIndex(await readFile(join(dir, PUBLISH_INDEX), 'utf8'), 'disk').files.map((f) => f.key);
    expect(keys).toEqual(onDisk);
    expect(await store.list('_delta_log/')).toEqual(keys.filter((k) => k.startsWith('_delta_log/')));
    expect(await store.exists('_delta_log/00000000000000000099.json')).toBe(false);
    expect(await store.size(keys[0])).toBeGreaterThan(0);
    // Only the index was fetched so far; a missing object costs no request either.
    expect(withRanges.requests.slice(before).map((r) => r.path)).toEqual([`/pond/${PUBLISH_INDEX}`]);
    expect(isPondError(await store.read('nope.json').catch((e: unknown) => e), 'ENOENT')).toBe(true);
    expect(withRanges.requests.length - before).toBe(1);
    // A range is a Range request, and what comes back is exactly those bytes.
    const key = keys.find((k) => k.startsWith('_large_files/'))!;
    expect(await store.readRange(key, 1000, 50)).toEqual(big.slice(1000, 1050));
    expect(withRanges.requests.at(-1)!.range).toBe('bytes=1000-1049');
    // Past the end: short or empty, like every store.
    expect((await store.readRange(key, big.length - 10, 50)).length).toBe(10);
    expect((await store.readRange(key, big.length + 5, 50)).length).toBe(0);
    await store.close();
  });

  it('a pond reads part of a large file with one Range request, not the whole file', async () => {
    const remote = await openPond(await HttpStore.open(withRanges.url), { create: false });
    try {
      const before = withRanges.requests.length;
      expect(await remote.readRange('/data/big.bin', 1000, 4096)).toEqual(big.slice(1000, 5096));
      const large = withRanges.requests.slice(before).filter((r) => r.path.includes('/_large_files/'));
      expect(large).toHaveLength(1);
      expect(large[0].range).toBe('bytes=1000-5095');
      // Small files are inline in the log; past the end is short, like every store.
      expect(new TextDecoder().decode(await remote.readRange('/data/notes.txt', 1, 3))).toBe('eco');
      expect((await remote.readRange('/data/big.bin', big.length - 10, 4096)).length).toBe(10);
      // A dynamic node is computed, then sliced.
      expect((await remote.readRange('/data/sum', 0, 4)).length).toBe(4);
      await expect(remote.readRange('/data/big.bin', -1, 10)).rejects.toMatchObject({ code: 'EINVAL' });
    } finally {
      await remote.close();
    }
  });

  it('slices a whole-file answer when the host ignores Range', async () => {
    const store = await HttpStore.open(withoutRanges.url);
    const key = (await store.list('_large_files/'))[0];
    expect(await store.readRange(key, 5, 10)).toEqual(big.slice(5, 15));
    await store.close();
  });

  it('refuses every write with EROFS, saying how to get a writable pond', async () => {
    const store = await HttpStore.open(withRanges.url);
    const attempts: [string, Promise<unknown>][] = [
      ['write', store.write('x', text('x'))],
      ['writeStream', store.writeStream('x', new Blob([text('x')]).stream())],
      ['putIfAbsent', store.putIfAbsent('x', text('x'))],
      ['move', store.move('a', 'b')],
      ['delete', store.delete('x')],
      ['lock', store.lock()],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt.then(() => null, (e: unknown) => e);
      expect(isPondError(error, 'EROFS'), name).toBe(true);
      expect((error as Error).message).toMatch(/make a local copy/);
    }
    const remote = await openPond(store, { create: false });
    await expect(remote.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'EROFS' });
    await remote.close();
  });

  it('catches a file changed or cut short on the host, naming it', async () => {
    const copy = join(root, 'tampered');
    await rm(copy, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.cp(dir, copy, { recursive: true }));
    const index = parsePublishIndex(await readFile(join(copy, PUBLISH_INDEX), 'utf8'), 'disk');
    const parquet = index.files.find((f) => f.key.endsWith('.parquet') && f.key.startsWith('part_id='))!;
    const bytes = await readFile(join(copy, parquet.key));
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(join(copy, parquet.key), bytes);
    const large = index.files.find((f) => f.key.startsWith('_large_files/'))!;
    await writeFile(join(copy, large.key), (await readFile(join(copy, large.key))).subarray(0, 1000));

    const store = await HttpStore.open(withRanges.url.replace('/pond/', '/tampered/'));
    const changed = await store.read(parquet.key).catch((e: unknown) => e);
    expect(isPondError(changed, 'ECORRUPT')).toBe(true);
    expect((changed as { data: { path: string } }).data.path).toBe(parquet.key);
    expect((changed as Error).message).toMatch(/sha256/);
    const cut = await store.read(large.key).catch((e: unknown) => e);
    expect(isPondError(cut, 'ECORRUPT')).toBe(true);
    expect((cut as Error).message).toMatch(/1000 bytes/);
    await expect(collectStream(store.readStream(large.key))).rejects.toMatchObject({ code: 'ECORRUPT' });
    await store.close();
  });

  it('says what is wrong with a folder that is not a published pond', async () => {
    const missing = await HttpStore.open(withRanges.url.replace('/pond/', '/nothing-here/')).catch((e: unknown) => e);
    expect(isPondError(missing, 'ENOENT')).toBe(true);
    expect((missing as Error).message).toMatch(/nothing-here\/duckpond-index\.json.*exporting it/);

    const unreachable = await HttpStore.open('http://127.0.0.1:9/pond/').catch((e: unknown) => e);
    expect(isPondError(unreachable, 'EIO')).toBe(true);
    expect((unreachable as Error).message).toMatch(/could not reach http:\/\/127\.0\.0\.1:9\/pond\/duckpond-index\.json/);

    expect(isPondError(await HttpStore.open('file:///etc/').catch((e: unknown) => e), 'EINVAL')).toBe(true);
  });

  it('refuses a hostile or malformed index', async () => {
    const good = { format: 'duckpond-index', version: 1, created: '2025-01-01T00:00:00Z', files: [{ key: 'a.json', size: 1, sha256: 'a'.repeat(64) }] };
    const cases: [string, unknown][] = [
      ['climbs out', { ...good, files: [{ ...good.files[0], key: '../secret' }] }],
      ['absolute', { ...good, files: [{ ...good.files[0], key: '/etc/passwd' }] }],
      ['twice', { ...good, files: [good.files[0], good.files[0]] }],
      ['negative size', { ...good, files: [{ ...good.files[0], size: -1 }] }],
      ['bad hash', { ...good, files: [{ ...good.files[0], sha256: 'xyz' }] }],
      ['other format', { ...good, format: 'something-else' }],
      ['lists itself', { ...good, files: [{ ...good.files[0], key: PUBLISH_INDEX }] }],
    ];
    for (const [name, index] of cases) {
      const error = (() => {
        try {
          parsePublishIndex(JSON.stringify(index), 'https://example.org/p/duckpond-index.json');
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(isPondError(error, 'ECORRUPT'), name).toBe(true);
      expect((error as { data: { path: string } }).data.path).toBe('https://example.org/p/duckpond-index.json');
    }
    expect(() => parsePublishIndex('{not json', 'x')).toThrow(/not JSON/);
    expect(parsePublishIndex(JSON.stringify(good), 'x').files).toHaveLength(1);
  });
});
