// TLogFS benchmarks, declared once and run against a real store: NodeFsStore in Node, OpfsStore in
// a Chromium worker. Each bench's baseline is the raw store doing the same bytes, so the ratio is
// the cost TLogFS adds (hashing, Parquet, the log, the directory snapshots).
import { suite, MiB } from '../lib/index.ts';
import { openPond } from '../../src/core/index.ts';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';

/** How a side makes a fresh empty store, and how it removes one. */
export interface StoreFactory {
  label: string;
  make(name: string): Promise<ObjectStore>;
  destroy(name: string): Promise<void>;
  where?: 'worker';
  /** Size of the big-file case (256 MiB by default). */
  bigBytes?: number;
  /** Target of the verified streamed read over the raw one (issue 16: ≤ 1.5× on node-fs); none when absent. */
  verifiedReadTarget?: number;
}

/** Issue 16's target for 200 sequential one-file commits over the raw store's 200 writes, on every store. */
const COMMIT_TARGET = 3;

const small = (i: number) => new TextEncoder().encode(`row ${i}: ${'x'.repeat(80)}\n`);

/** A stream of `size` bytes in 1 MiB chunks, produced on demand (never held whole). */
function generated(size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 0xff;
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= size) return c.close();
      const n = Math.min(MiB, size - sent);
      chunk[0] = sent / MiB; // vary the content so every chunk is distinct
      c.enqueue(chunk.slice(0, n));
      sent += n;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  const r = stream.getReader();
  for (let x = await r.read(); !x.done; x = await r.read()) n += x.value.length;
  return n;
}

/** Declare the TLogFS suites for one store kind. */
export function tlogfsSuites(f: StoreFactory): void {
  let seq = 0;
  const fresh = () => `bench-${Date.now()}-${seq++}`;
  const made: string[] = [];
  const use = async () => {
    const name = fresh();
    made.push(name);
    return f.make(name);
  };
  const cleanup = async () => {
    for (const n of made.splice(0)) await f.destroy(n).catch(() => undefined);
  };
  const where = f.where;

  suite(`tlogfs ${f.label}: commit 1,000 small files in one transaction`, { where, iterations: 5, warmup: 1, maxTimeMs: 30_000 }, (s) => {
    s.teardown(cleanup);
    s.baseline('raw store: 1,000 writes', async (ctx) => {
      const store = await use();
      await ctx.time(async () => {
        for (let i = 0; i < 1000; i++) await store.write(`d/f${i}`, small(i));
      });
      await store.close();
    });
    s.bench('pond.transact: 1,000 writeFile', async (ctx) => {
      const pond = await openPond(await use());
      await ctx.time(() =>
        pond.transact(async (tx) => {
          await tx.mkdir('/d');
          for (let i = 0; i < 1000; i++) await tx.writeFile(`/d/f${i}`, small(i));
        }),
      );
      await pond.close();
    });
  });

  suite(`tlogfs ${f.label}: 200 sequential one-file transactions`, { where, iterations: 5, warmup: 1, maxTimeMs: 60_000 }, (s) => {
    s.teardown(cleanup);
    s.baseline('raw store: 200 writes', async (ctx) => {
      const store = await use();
      await ctx.time(async () => {
        for (let i = 0; i < 200; i++) await store.write(`d/f${i}`, small(i));
      });
      await store.close();
    });
    s.bench(
      '200 × pond.transact(writeFile)',
      async (ctx) => {
        const pond = await openPond(await use());
        await pond.transact((tx) => tx.mkdir('/d'));
        await ctx.time(async () => {
          for (let i = 0; i < 200; i++) await pond.transact((tx) => tx.writeFile(`/d/f${i}`, small(i)));
        });
        await pond.close();
      },
      { target: { maxRatio: COMMIT_TARGET } },
    );
  });

  suite(`tlogfs ${f.label}: open with 10 vs 1,000 versions`, { where, iterations: 10, maxTimeMs: 30_000 }, (s) => {
    let few = '';
    let many = '';
    const build = async (versions: number) => {
      const name = fresh();
      made.push(name);
      const pond = await openPond(await f.make(name));
      await pond.transact((tx) => tx.mkdir('/d'));
      for (let i = 1; i < versions; i++) await pond.transact((tx) => tx.writeFile(`/d/f${i % 10}`, small(i)));
      await pond.close();
      return name;
    };
    s.setup(async () => {
      few = await build(10);
      many = await build(1000);
    });
    s.teardown(cleanup);
    const open = async (name: string) => {
      const pond = await openPond(await f.make(name));
      await pond.readdir('/d');
      await pond.close();
    };
    s.baseline('open + list, 10 versions', () => open(few));
    s.bench('open + list, 1,000 versions', () => open(many), { target: { maxRatio: 3 } });
  });

  const big = f.bigBytes ?? 256 * MiB;
  suite(`tlogfs ${f.label}: ${big / MiB} MiB file, streamed`, { where, iterations: 3, warmup: 0, maxTimeMs: 120_000 }, (s) => {
    let rawName = '';
    let pondName = '';
    s.teardown(cleanup);
    s.baseline(
      'raw store: writeStream',
      async (ctx) => {
        const store = await use();
        rawName = made[made.length - 1];
        await ctx.time(() => store.writeStream('big.bin', generated(big)));
        await store.close();
      },
      { bytes: big, memory: true },
    );
    s.bench(
      'pond: writeFile(stream)',
      async (ctx) => {
        const pond = await openPond(await use());
        pondName = made[made.length - 1];
        await ctx.time(() => pond.transact((tx) => tx.writeFile('/big.bin', generated(big))));
        await pond.close();
      },
      { bytes: big, memory: true },
    );
    s.baseline(
      'raw store: readStream',
      async () => {
        const store = await f.make(rawName);
        await drain(store.readStream('big.bin'));
        await store.close();
      },
      { bytes: big, memory: true },
    );
    s.bench(
      'pond: createReadStream (sha256 verified)',
      async () => {
        const pond = await openPond(await f.make(pondName));
        await drain(pond.createReadStream('/big.bin'));
        await pond.close();
      },
      { bytes: big, memory: true, vs: 'raw store: readStream', ...(f.verifiedReadTarget !== undefined && { target: { maxRatio: f.verifiedReadTarget } }) },
    );
  });
}
