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
    await pond.transact(
      async (tx) => {
        await tx.mkdir('/data');
        await tx.writeFile('/data/notes.txt', text('first'));
        await tx.writeFile('/data/big.bin', big);
        await tx.writeFile('/data/t.parquet', await tableToParquet(tableFromArrays({ x: Float64Array.from([1, 2, 3]), y: ['a', 'b', 'c'] })), {
          type: 'file:table',
        });
      },
      { message: 'data' },
    );
    await pond.transact(
      async (tx) => {
        await tx.writeFile('/data/notes.txt', text('second'));
        await tx.mknod('/data/sum', 'sql_query', { query: 'SELECT sum(x) AS s FROM t', tables: { t: '/data/t.parquet' } });
      },
      { message: 'more' },
    );
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

  it.each([
    ['honours Range', () => withRanges],
    ['ignores Range', () => withoutRanges],
  ])('reads a published pond exactly as the disk does (host %s)', async (_, host) => {
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
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
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

// ---------------------------------------------------------------- a host that lies

interface Liar {
  url: string;
  /** Bytes each path's handler managed to hand to the socket, and whether the client hung up. */
  sent: Map<string, { bytes: number; closed: boolean }>;
  close(): Promise<void>;
}

type Handler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  count: (n: number) => void,
  closed: () => boolean,
) => Promise<void> | void;

/** A host whose every file is served by a handler of the test's choosing; it counts what it sends. */
async function liar(index: unknown, handlers: Record<string, Handler>): Promise<Liar> {
  const sent = new Map<string, { bytes: number; closed: boolean }>();
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/liar\//, '');
    const stat = { bytes: 0, closed: false };
    sent.set(path, stat);
    res.on('close', () => {
      stat.closed = true;
    });
    if (path === PUBLISH_INDEX && !handlers[PUBLISH_INDEX]) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(index));
      return;
    }
    const h = handlers[path];
    if (!h) {
      res.writeHead(404).end();
      return;
    }
    await h(
      req,
      res,
      (n) => {
        stat.bytes += n;
      },
      () => stat.closed,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/liar/`,
    sent,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Write `chunk` until `total` bytes or the client hangs up, pausing between writes (a slow host). */
async function drip(
  res: import('node:http').ServerResponse,
  chunk: Uint8Array,
  total: number,
  count: (n: number) => void,
  closed: () => boolean,
  pauseMs = 2,
): Promise<void> {
  for (let n = 0; n < total && !closed(); n += chunk.length) {
    const ok = await new Promise<boolean>((resolve) => res.write(chunk, (e) => resolve(!e)));
    if (!ok) break;
    count(chunk.length);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  if (!closed()) res.end();
}

/** A fetch that counts the body bytes it hands to the store (after any decompression). */
function countingFetch(counter: { bytes: number }): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          counter.bytes += c.length;
          ctl.enqueue(c);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('HttpStore against a host that lies', () => {
  const real = new Uint8Array(1000).map((_, i) => (i * 31) % 256);
  const entry = (key: string, size = real.length, digest = sha(real)) => ({ key, size, sha256: digest });
  const index = {
    format: 'duckpond-index',
    version: 1,
    created: '2025-01-01T00:00:00Z',
    files: [
      entry('endless.bin'),
      entry('short.bin'),
      entry('range200.bin'),
      entry('range200-endless.bin'),
      entry('bad-content-range.bin'),
      entry('long-206.bin'),
      entry('huge-length.bin'),
      entry('partial-to-get.bin'),
      entry('gzip-bomb.bin'),
      entry('changed-200.bin'),
      entry('huge-declared.bin', 2 ** 52),
    ],
  };
  const MiB = 1024 * 1024;
  let host: Liar;

  beforeAll(async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(new Uint8Array(64 * MiB)); // 64 MiB of zeros in ~64 KiB
    const changed = real.slice();
    changed[500] ^= 1;
    host = await liar(index, {
      // Streams 64 KiB chunks, slowly, up to 32 MiB, for a file the index lists as 1000 bytes.
      'endless.bin': (_q, res, count, closed) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return drip(res, new Uint8Array(64 * 1024), 32 * MiB, count, closed);
      },
      'short.bin': (_q, res) => {
        res.writeHead(200).end(real.subarray(0, 999));
      },
      'range200.bin': (_q, res) => {
        res.writeHead(200).end(real);
      },
      'range200-endless.bin': (_q, res, count, closed) => {
        res.writeHead(200);
        return drip(res, new Uint8Array(64 * 1024), 32 * MiB, count, closed);
      },
      'bad-content-range.bin': (_q, res) => {
        res.writeHead(206, { 'content-range': `bytes 0-9/${real.length}` }).end(real.subarray(0, 10));
      },
      'long-206.bin': (_q, res, count, closed) => {
        res.writeHead(206);
        return drip(res, new Uint8Array(64 * 1024), 32 * MiB, count, closed);
      },
      'huge-length.bin': (_q, res, count, closed) => {
        res.writeHead(200, { 'content-length': String(2 ** 40) });
        return drip(res, new Uint8Array(64 * 1024), 32 * MiB, count, closed);
      },
      'partial-to-get.bin': (_q, res) => {
        res.writeHead(206, { 'content-range': `bytes 0-99/${real.length}` }).end(real.subarray(0, 100));
      },
      'gzip-bomb.bin': (_q, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      },
      'changed-200.bin': (_q, res) => {
        res.writeHead(200).end(changed);
      },
      'huge-declared.bin': (_q, res, count, closed) => {
        res.writeHead(200);
        return drip(res, new Uint8Array(64 * 1024), 8 * MiB, count, closed, 0);
      },
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('stops a download the moment it passes the listed size (read, readRange on a 200, readStream), and hangs up', async () => {
    const got = { bytes: 0 };
    const store = await HttpStore.open(host.url, { fetch: countingFetch(got) });
    for (const [how, attempt] of [
      ['read', () => store.read('endless.bin')],
      ['readStream', () => collectStream(store.readStream('endless.bin'))],
      ['readRange (host ignores Range)', () => store.readRange('range200-endless.bin', 10, 20)],
      ['readRange (206 with too many bytes)', () => store.readRange('long-206.bin', 10, 20)],
    ] as const) {
      got.bytes = 0;
      const t0 = performance.now();
      const e = await attempt().then(
        () => null,
        (x: unknown) => x,
      );
      expect(isPondError(e, 'ECORRUPT'), `${how}: ${String(e)}`).toBe(true);
      expect((e as { data: { path: string } }).data.path).toMatch(/endless|long-206/);
      expect((e as Error).message).toMatch(/more than/);
      // The store took at most the listed size plus one chunk, not the 32 MiB on offer…
      expect(got.bytes, how).toBeLessThanOrEqual(1000 + 64 * 1024);
      await settle();
      // …and the host saw the connection close after sending a small part of it.
      const key = how.startsWith('readRange (206') ? 'long-206.bin' : how.startsWith('readRange') ? 'range200-endless.bin' : 'endless.bin';
      const s = host.sent.get(key)!;
      expect(s.closed, how).toBe(true);
      expect(s.bytes, how).toBeLessThan(4 * MiB);
      expect(performance.now() - t0, how).toBeLessThan(2000);
      console.log(`${how}: host sent ${(s.bytes / 1024).toFixed(0)} KiB before the hang-up; the store took ${got.bytes} bytes`);
    }
    await store.close();
  });

  it('refuses too few bytes, a declared Content-Length that is not the listed size, and a 206 to a whole-file GET', async () => {
    const store = await HttpStore.open(host.url);
    const short = await store.read('short.bin').catch((e: unknown) => e);
    expect(short).toMatchObject({ code: 'ECORRUPT', data: { path: 'short.bin' } });
    expect((short as Error).message).toMatch(/999 bytes/);
    await expect(collectStream(store.readStream('short.bin'))).rejects.toMatchObject({ code: 'ECORRUPT' });
    const huge = await store.read('huge-length.bin').catch((e: unknown) => e);
    expect(huge).toMatchObject({ code: 'ECORRUPT', data: { path: 'huge-length.bin' } });
    expect((huge as Error).message).toMatch(/announces 1099511627776 bytes \(Content-Length\)/);
    await settle();
    expect(host.sent.get('huge-length.bin')!.closed).toBe(true);
    await expect(store.read('partial-to-get.bin')).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: 'partial-to-get.bin' } });
    await store.close();
  });

  it('a 200 answer to a Range request is read whole, verified against the sha256, then sliced', async () => {
    const store = await HttpStore.open(host.url);
    expect(await store.readRange('range200.bin', 100, 50)).toEqual(real.slice(100, 150));
    // Same length, one bit changed: caught by the hash even though only 50 bytes were asked for.
    const changed = await store.readRange('changed-200.bin', 0, 10).catch((e: unknown) => e);
    expect(changed).toMatchObject({ code: 'ECORRUPT', data: { path: 'changed-200.bin' } });
    expect((changed as Error).message).toMatch(/sha256/);
    await store.close();
  });

  it('refuses a 206 whose Content-Range is not the range asked for', async () => {
    const store = await HttpStore.open(host.url);
    const e = await store.readRange('bad-content-range.bin', 500, 10).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ECORRUPT', data: { path: 'bad-content-range.bin' } });
    expect((e as Error).message).toMatch(/Content-Range "bytes 0-9\/1000"/);
    await store.close();
  });

  it('a gzip bomb is cut off after the listed size of inflated bytes', async () => {
    const got = { bytes: 0 };
    const store = await HttpStore.open(host.url, { fetch: countingFetch(got) });
    const heap = process.memoryUsage().arrayBuffers;
    const e = await store.read('gzip-bomb.bin').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ECORRUPT', data: { path: 'gzip-bomb.bin' } });
    expect(got.bytes).toBeLessThan(1000 + 1 * MiB); // of 64 MiB it would inflate to
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(32 * MiB);
    await store.close();
  });

  it('an index that declares huge sizes cannot make read() allocate or wait for them', async () => {
    const store = await HttpStore.open(host.url, { maxReadBytes: 64 * MiB });
    const before = host.sent.get('huge-declared.bin');
    await expect(store.read('huge-declared.bin')).rejects.toMatchObject({ code: 'ETOOBIG', data: { path: 'huge-declared.bin' } });
    expect(host.sent.get('huge-declared.bin')).toBe(before); // refused before any request
    // A stream reads what the host has and then fails on the size: never more than declared.
    await expect(collectStream(store.readStream('huge-declared.bin'))).rejects.toMatchObject({ code: 'ECORRUPT' });
    await store.close();
  });

  it('refuses an index the host streams without end, and one that is not UTF-8', async () => {
    const endless = await liar(null, {
      [PUBLISH_INDEX]: (_q, res, count, closed) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        return drip(res, new TextEncoder().encode(' '.repeat(1024 * 1024)), 256 * MiB, count, closed, 0);
      },
    });
    const t0 = performance.now();
    const e = await HttpStore.open(endless.url).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ETOOBIG' });
    expect((e as { data: { path: string } }).data.path).toMatch(/duckpond-index\.json$/);
    await settle();
    expect(endless.sent.get(PUBLISH_INDEX)!.closed).toBe(true);
    expect(endless.sent.get(PUBLISH_INDEX)!.bytes).toBeLessThan(128 * MiB);
    console.log(
      `endless index: refused after ${(performance.now() - t0).toFixed(0)} ms, host sent ${(endless.sent.get(PUBLISH_INDEX)!.bytes / MiB).toFixed(0)} MiB`,
    );
    await endless.close();
    const latin1 = await liar(null, {
      [PUBLISH_INDEX]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(Uint8Array.from([0x7b, 0xff, 0x7d]));
      },
    });
    await expect(HttpStore.open(latin1.url)).rejects.toMatchObject({ code: 'ECORRUPT' });
    await latin1.close();
  });
});
