// The grid at scale, over vega-datasets' 3 M-row flights (13 MB of Parquet, 11 row groups):
// - sorting a column in slices (workers/sort-order.ts) against sorting it in one piece as the
//   worker did before (a value-by-value read of the column, then one Array sort of a permutation),
//   with the longest wait of a timer armed during the sort (how long another call can wait);
// - the memory a decode leaves behind: the decoded table, and parquet-wasm's linear memory (it
//   grows to the largest decode and never shrinks).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type * as arrow from 'apache-arrow';
import { suite, MiB } from '../lib/index.ts';
import { loadParquet, parquetToTable } from '../../src/core/arrow/parquet.ts';
import { sortOrder } from '../../workers/sort-order.ts';

const FLIGHTS = resolve(import.meta.dirname, '../../node_modules/vega-datasets/data/flights-3m.parquet');

/** The sort the worker ran before: keys read value by value, one comparator sort, no yield. */
function onePieceSort(col: arrow.Vector): Uint32Array {
  const n = col.length;
  const keys: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = col.get(i);
  return Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const ka = keys[a] as string | number | bigint;
    const kb = keys[b] as string | number | bigint;
    return ka === kb ? a - b : ka < kb ? -1 : 1;
  });
}

suite('grid scale: sort 3 M flights rows by origin (LargeUtf8)', { iterations: 3, warmup: 1, maxTimeMs: 120_000 }, (s) => {
  let table: arrow.Table;
  let longestWaitMs = 0;
  s.setup(async () => {
    table = await parquetToTable(new Uint8Array(await readFile(FLIGHTS)));
  });
  s.baseline('one piece (as before): get per row, Array sort', () => {
    onePieceSort(table.getChild('origin')!);
  });
  s.bench('in slices (sort-order.ts)', async () => {
    // A 0 ms timer re-armed all along stands for another call: how late it fires is how long a call waits.
    let done = false;
    const other = (async () => {
      while (!done) {
        const asked = performance.now();
        await new Promise((r) => setTimeout(r, 0));
        longestWaitMs = Math.max(longestWaitMs, performance.now() - asked);
      }
    })();
    await sortOrder(table.getChild('origin')!, false);
    done = true;
    await other;
  });
  s.metric('longest wait of a timer during the sliced sort', () => longestWaitMs, { unit: 'ms' });
});

suite('grid scale: sort 3 M flights rows by delay (Int64)', { iterations: 3, warmup: 1, maxTimeMs: 120_000 }, (s) => {
  let table: arrow.Table;
  s.setup(async () => {
    table = await parquetToTable(new Uint8Array(await readFile(FLIGHTS)));
  });
  s.baseline('one piece (as before): get per row, Array sort', () => {
    onePieceSort(table.getChild('delay')!);
  });
  s.bench('in slices (sort-order.ts)', () => sortOrder(table.getChild('delay')!, false));
});

suite('grid scale: decode flights-3m, what stays in memory', { iterations: 3, warmup: 1, maxTimeMs: 60_000 }, (s) => {
  let bytes: Uint8Array;
  let decoded = 0;
  s.setup(async () => {
    bytes = new Uint8Array(await readFile(FLIGHTS));
  });
  s.bench('parquetToTable (row group by row group)', async () => {
    const t = await parquetToTable(bytes);
    decoded = t.batches.reduce((sum, b) => sum + b.data.byteLength, 0);
  });
  s.metric('decoded table', () => decoded / MiB, { unit: 'MiB' });
  s.metric('parquet-wasm memory after the decodes', async () => (await loadParquet()).wasmMemory().buffer.byteLength / MiB, { unit: 'MiB' });
});
