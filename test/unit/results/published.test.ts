// A published pond ships its results: precomputeResults writes them, the publish index lists them,
// and HttpStore reads them (checked against the index) so a reader computes nothing; an entry the
// host changed is refused and recomputed, never served.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpStore, ResultStore, defaultRegistry, openPond, precomputeResults, publishResultOptions, writePublishIndex } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import { dec, enc, upperFactory } from '../dynamic/fixtures.ts';

describe('a published pond with its results', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const state = { computes: 0 };
  const registry = () => defaultRegistry().register(upperFactory(state));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'duckpond-published-results-'));
    const store = new NodeFsStore(dir);
    const results = new ResultStore(store, publishResultOptions());
    const pond = await openPond(store, { create: true, registry: registry(), results });
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('shipped'));
      await tx.mknod('/up', 'upper', { source: '/a.txt' });
      await tx.mknod('/up2', 'upper', { source: '/up' });
    });
    const report = await precomputeResults(pond, results);
    expect(report).toMatchObject({ files: ['/up', '/up2'], failed: [], notShipped: [] });
    expect(report.stored.map((r) => r.path)).toEqual(['/up', '/up2']);
    await pond.close();
    const index = await writePublishIndex(store, { created: '2025-01-01T00:00:00.000Z' });
    expect(index.files.filter((f) => /^_results\/[0-9a-f]{64}$/.test(f.key))).toHaveLength(2);
    await store.close();
    server = createServer(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/pond\//, ''));
      const body = await readFile(join(dir, path)).catch(() => null);
      if (!body) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}/pond/`;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('a reader over HTTP reads the shipped results and computes nothing', async () => {
    state.computes = 0;
    const remote = await openPond(await HttpStore.open(url), { create: false, registry: registry() });
    expect(dec(await remote.readFile('/up2'))).toBe('SHIPPED');
    expect(state.computes).toBe(0);
    await remote.close();
  });

  it('an entry the host changed is refused by the index check and recomputed', async () => {
    const keys = (await new NodeFsStore(dir).list('_results/')).filter((k) => /[0-9a-f]{64}$/.test(k));
    for (const key of keys) {
      const bytes = await readFile(join(dir, key));
      bytes[bytes.length - 1] ^= 1;
      await writeFile(join(dir, key), bytes);
    }
    state.computes = 0;
    const remote = await openPond(await HttpStore.open(url), { create: false, registry: registry() });
    expect(dec(await remote.readFile('/up2'))).toBe('SHIPPED');
    expect(state.computes).toBe(2);
    await remote.close();
  });
});
