/**
 * The crash harness's workload: a long series of transactions of varied shape (small files in
 * several folders, large files, a series append, mkdir, rename, remove), each fully determined by
 * (seed, step), and a model of what the pond holds after any number of steps. A pond reopened
 * after a kill must equal the model at its version, byte for byte: every file's bytes, and every
 * version of the series.
 */
import { tableFromArrays } from 'apache-arrow';
import type { Pond, Tx } from '../../src/core/index.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import { sha256Hex } from '../../src/core/hash.ts';
import { Prng } from '../../src/core/factories/prng.ts';

/**
 * What a path holds: 'dir', a file's type and the sha256 of its bytes, or for a series its
 * version count and a hash chained over the sha256 of every version's bytes, oldest first (so a
 * version missing, extra, reordered or changed in a single byte shows).
 */
export type Manifest = Record<string, string>;

const SERIES_START = '0'.repeat(64);

function seriesEntry(count: number, chain: string): string {
  return `file:series:${count} versions:${chain}`;
}

/** Extend a series' chain by one version's bytes. */
async function chainSeries(chain: string, body: Uint8Array): Promise<string> {
  return sha256Hex(text(`${chain}:${await sha256Hex(body)}`));
}

const text = (s: string) => new TextEncoder().encode(s);

/** Random bytes of step `step` (a large file: over the 64 KiB inline limit). */
function largeBody(seed: number, step: number): Uint8Array {
  const prng = new Prng(seed, `large:${step}`);
  const size = 70 * 1024 + Math.floor(prng.next() * 40 * 1024);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const v = prng.nextUint32();
    out[i] = v & 0xff;
    out[i + 1] = (v >>> 8) & 0xff;
    out[i + 2] = (v >>> 16) & 0xff;
    out[i + 3] = v >>> 24;
  }
  return out;
}

async function seriesChunk(step: number): Promise<Uint8Array> {
  const t0 = Date.UTC(2025, 0, 1) + step * 3_600_000;
  return tableToParquet(tableFromArrays({ time: Float64Array.from([t0, t0 + 1000, t0 + 2000]), value: Float64Array.from([step, step + 0.5, step + 1]) }));
}

/** The transaction of `step` (0-based). */
export async function runStep(tx: Tx, seed: number, step: number): Promise<void> {
  await tx.mkdir('/log', { parents: true });
  await tx.writeFile(`/log/${step % 7}.txt`, text(`step ${step} of seed ${seed}`));
  switch (step % 4) {
    case 0:
      await tx.mkdir('/big', { parents: true });
      await tx.writeFile(`/big/${step}.bin`, largeBody(seed, step));
      break;
    case 1:
      await tx.mkdir(`/dirs/d${step}`, { parents: true });
      await tx.writeFile(`/dirs/d${step}/x.txt`, text(`made at ${step}`));
      break;
    case 2:
      await tx.mkdir('/series', { parents: true });
      await tx.writeFile('/series/s', await seriesChunk(step), { type: 'file:series' });
      break;
    case 3:
      await tx.mkdir('/moved', { parents: true });
      await tx.rename(`/dirs/d${step - 2}/x.txt`, `/moved/${step}.txt`);
      await tx.remove(`/big/${step - 3}.bin`);
      break;
  }
}

/** Advance `m` (the manifest after `step` steps) by step `step`. */
export async function applyStep(m: Manifest, seed: number, step: number): Promise<void> {
  m['/log'] = 'dir';
  m[`/log/${step % 7}.txt`] = `file:data:${await sha256Hex(text(`step ${step} of seed ${seed}`))}`;
  switch (step % 4) {
    case 0:
      m['/big'] = 'dir';
      m[`/big/${step}.bin`] = `file:data:${await sha256Hex(largeBody(seed, step))}`;
      break;
    case 1:
      m['/dirs'] = 'dir';
      m[`/dirs/d${step}`] = 'dir';
      m[`/dirs/d${step}/x.txt`] = `file:data:${await sha256Hex(text(`made at ${step}`))}`;
      break;
    case 2:
      m['/series'] = 'dir';
      {
        const prev = m['/series/s'] ? /^file:series:(\d+) versions:([0-9a-f]{64})$/.exec(m['/series/s']) : null;
        const count = prev ? Number(prev[1]) : 0;
        m['/series/s'] = seriesEntry(count + 1, await chainSeries(prev ? prev[2] : SERIES_START, await seriesChunk(step)));
      }
      break;
    case 3:
      m['/moved'] = 'dir';
      m[`/moved/${step}.txt`] = m[`/dirs/d${step - 2}/x.txt`];
      delete m[`/dirs/d${step - 2}/x.txt`];
      delete m[`/big/${step - 3}.bin`];
      break;
  }
}

/** The manifest after `steps` steps (what the pond must hold at version base + steps). */
export async function expectedManifest(seed: number, steps: number): Promise<Manifest> {
  const m: Manifest = {};
  for (let step = 0; step < steps; step++) await applyStep(m, seed, step);
  return m;
}

/** Manifests for growing step counts, each built from the last instead of from step 0. */
export class ManifestModel {
  #steps = 0;
  #m: Manifest = {};
  #snapshots = new Map<number, Manifest>();

  constructor(readonly seed: number) {}

  /** The manifest after `steps` steps; `steps` may go back by one (a kill rolls an in-flight step back). */
  async at(steps: number): Promise<Manifest> {
    const known = this.#snapshots.get(steps);
    if (known) return known;
    if (steps < this.#steps) return expectedManifest(this.seed, steps);
    while (this.#steps < steps) {
      await applyStep(this.#m, this.seed, this.#steps++);
      this.#snapshots.set(this.#steps, { ...this.#m });
      this.#snapshots.delete(this.#steps - 3);
    }
    return { ...this.#m };
  }
}

/** The manifest of what `pond` holds. */
export async function actualManifest(pond: Pond, dir = '/'): Promise<Manifest> {
  const m: Manifest = {};
  for (const e of await pond.readdir(dir)) {
    const path = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
    if (e.type === 'directory') {
      m[path] = 'dir';
      Object.assign(m, await actualManifest(pond, path));
    } else if (e.type === 'file:series') {
      // Each version's own bytes (readFile without a version would re-encode the union).
      let chain = SERIES_START;
      const versions = await pond.versions(path);
      for (const v of versions) chain = await chainSeries(chain, await pond.readFile(path, { version: v.version }));
      m[path] = seriesEntry(versions.length, chain);
    } else {
      m[path] = `${e.type}:${await sha256Hex(await pond.readFile(path))}`;
    }
  }
  return m;
}
