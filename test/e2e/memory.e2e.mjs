// The pond worker's heap stays flat: reading one dynamic file 1,000 times and opening and closing
// the pond 100 times leave no growth beyond noise. Measured in Chromium over CDP (the worker's
// Runtime.getHeapUsage after HeapProfiler.collectGarbage), through the app's real worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, workerSession } from './helpers.mjs';

const MiB = 1024 * 1024;

/** The pond worker's heap probe, over helpers' CDP session. */
async function workerHeap(context, page) {
  const send = await workerSession(context, page);
  return {
    /** JS heap plus ArrayBuffer backing stores after a full GC, in bytes. */
    async heap() {
      for (let i = 0; i < 3; i++) await send('HeapProfiler.collectGarbage');
      const r = await send('Runtime.getHeapUsage');
      return r.usedSize + (r.backingStorageSize ?? 0);
    },
  };
}

test('the worker heap stays flat over 1,000 dynamic reads and 100 opens and closes', async (t) => {
  const { page, context, errors } = await openPage(t);
  await page.getByLabel('Pond name').fill('mem');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
  await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    const rows = ['t,v', ...Array.from({ length: 2000 }, (_, i) => `${1700000000000 + i * 60000},${Math.sin(i)}`)].join('\n');
    await api.importFiles('/', [{ name: 'series.csv', data: new TextEncoder().encode(rows) }]);
    await api.mknod('/summary', 'sql_query', JSON.stringify({ query: 'SELECT count(*) AS n, avg(v) AS mean FROM s', tables: { s: '/series' } }));
    await api.mknod(
      '/report.md',
      'template',
      JSON.stringify({
        output_format: 'markdown',
        template: '{% for r in query("SELECT * FROM s LIMIT 50", {s: "/series"}) %}| {{ r.t }} | {{ r.v }} |\n{% endfor %}',
      }),
    );
  });
  const worker = await workerHeap(context, page);

  const reads = (n) =>
    page.evaluate(async (n) => {
      const api = globalThis.duckpond.api;
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += (await api.readFile(i % 2 ? '/summary' : '/report.md')).length;
      return bytes;
    }, n);
  const reopen = (n) =>
    page.evaluate(async (n) => {
      const api = globalThis.duckpond.api;
      for (let i = 0; i < n; i++) {
        await api.closePond();
        await api.openPond('mem');
        await api.readFile('/summary');
      }
    }, n);

  // Warm up: DuckDB, parquet-wasm, caches and JIT reach their steady size first.
  await reads(100);
  await reopen(10);
  const base = await worker.heap();
  const started = Date.now();
  assert.ok((await reads(1000)) > 0);
  const afterReads = await worker.heap();
  await reopen(100);
  const afterReopen = await worker.heap();
  const growthReads = afterReads - base;
  const growthReopen = afterReopen - afterReads;
  console.log(
    `worker heap: ${(base / MiB).toFixed(1)} MiB at start; after 1,000 dynamic reads ${growthReads >= 0 ? '+' : ''}${(growthReads / MiB).toFixed(2)} MiB; after 100 open/close ${growthReopen >= 0 ? '+' : ''}${(growthReopen / MiB).toFixed(2)} MiB (${Date.now() - started} ms)`,
  );
  // Flat: a leak of even 10 KB per read or 50 KB per reopen would cross these lines.
  assert.ok(growthReads < 8 * MiB, `1,000 reads grew the heap by ${(growthReads / MiB).toFixed(1)} MiB`);
  assert.ok(growthReopen < 4 * MiB, `100 reopens grew the heap by ${(growthReopen / MiB).toFixed(1)} MiB`);
  assert.deepEqual(errors, []);
});
