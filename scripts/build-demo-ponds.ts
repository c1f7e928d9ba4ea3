#!/usr/bin/env node
// Build the demo ponds the site ships: the core library, in Node, turns vega-datasets' CSV files
// into ponds under public/ponds/<name>/ (a Delta table plus duckpond-index.json, exactly what
// "Export" produces) and lists them in public/ponds/ponds.json for the welcome screen.
//   npx tsx scripts/build-demo-ponds.ts [--force] [--out dir]
// Runs before `npm run dev`, `npm run build`, `npm run preview` and the browser and e2e tests; it
// skips the work when a stamp of its inputs (this script, the seeding code, the CSV bytes) matches.
// Ids and clocks are derived from a seed, so a rebuild from the same inputs writes the same bytes
// (a service worker then has nothing new to download). The results of the dynamic nodes ship
// with it (`_results/`, see docs/format.md), computed once here.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { ResultStore, openPond, precomputeResults, publishResultOptions, writePublishIndex } from '../src/core/index.ts';
import { NodeFsStore } from '../src/core/storage/node-fs.ts';
import { csvToTable } from '../src/core/sql/index.ts';
import { DEMO_SOURCES, seedDemoPond, type DemoData } from '../src/demo/seed-demo.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What ponds.json says about each demo (the welcome screen shows it). */
interface DemoListing {
  name: string;
  title: string;
  description: string;
  path: string;
  version: number;
  start: string;
}

const DEMO = {
  name: 'demo',
  title: 'The demo pond',
  description:
    'Seattle weather (one table per year), stock prices and a Mauna Loa CO₂ series appended decade by decade, with one dynamic node of each kind: SQL views, a union, a folder per year built from a glob, synthetic sensor data, and a README computed from the data.',
  start: '/README.md',
};

/** A deterministic clock and id source: a rebuild writes byte-identical files. */
function seededEffects(seed: string) {
  let clock = Date.parse('2025-01-01T00:00:00Z');
  let counter = 0;
  return {
    now: () => (clock += 1000),
    newId: () => {
      const random = createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, 16);
      return uuidv7({ msecs: clock, random: new Uint8Array(random) });
    },
  };
}

/** Every file under `dir`, sorted, so the stamp does not depend on directory order. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function inputs(): Promise<{ data: DemoData; stamp: string }> {
  // By path: the package's exports hide both its package.json and its data folder.
  const pkg = join(root, 'node_modules/vega-datasets');
  const hash = createHash('sha256');
  // The core writes the pond (Delta log, Parquet, checkpoints, factory configs): a change to any of
  // its files must rebuild the demo, or the site would ship a pond written by older code.
  const sources = [fileURLToPath(import.meta.url), ...(await filesUnder(join(root, 'src/demo'))), ...(await filesUnder(join(root, 'src/core')))];
  for (const file of sources) hash.update(`${relative(root, file)}\0`).update(await readFile(file));
  const data = {} as DemoData;
  for (const [key, rel] of Object.entries(DEMO_SOURCES) as [keyof DemoData, string][]) {
    data[key] = new Uint8Array(await readFile(join(pkg, rel)));
    hash.update(data[key]);
  }
  return { data, stamp: hash.digest('hex') };
}

async function buildDemo(outDir: string, data: DemoData): Promise<DemoListing> {
  // Built beside the target and renamed over it: an interrupted build never leaves half a pond.
  // The scratch folder is this build's own: two builds at once (a test run and `npm run dev`) must
  // not write into one folder.
  const target = join(outDir, DEMO.name);
  const scratch = `${target}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rm(scratch, { recursive: true, force: true });
  const store = new NodeFsStore(scratch);
  const effects = seededEffects(DEMO.name);
  // Its stored results have no total cap: every result ships, none evicted to make room for the next.
  const results = new ResultStore(store, publishResultOptions());
  const pond = await openPond(store, { create: true, effects, results });
  try {
    await seedDemoPond(pond, (bytes, path) => csvToTable(bytes, { path }), data);
    // The site ships the dynamic nodes' results (`_results/`): a first visit reads them and
    // loads neither DuckDB nor the template VM. Computed in path order, so the bytes repeat.
    const shipped = await precomputeResults(pond, results);
    if (shipped.failed.length > 0) throw new Error(`demo results failed: ${shipped.failed.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
    if (shipped.notShipped.length > 0) throw new Error(`demo results not stored: ${shipped.notShipped.map((f) => `${f.path}: ${f.reason}`).join('; ')}`);
    const version = pond.version;
    await pond.close();
    await writePublishIndex(store, { created: new Date(effects.now()).toISOString() });
    await store.close();
    await replaceDir(scratch, target);
    return { name: DEMO.name, title: DEMO.title, description: DEMO.description, path: `ponds/${DEMO.name}/`, version, start: DEMO.start };
  } catch (e) {
    await pond.close().catch(() => {});
    await store.close().catch(() => {});
    throw e;
  }
}

/** Rename `from` over `to`; another build may put its own `to` back in between, so try again. */
async function replaceDir(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await rm(to, { recursive: true, force: true });
    try {
      await rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw e;
    }
  }
}

/** Remove the scratch folders of builds whose process is gone (killed mid-build): they would ship. */
async function removeStaleScratch(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const m = /\.building-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) await rm(join(outDir, name), { recursive: true, force: true });
  }
}

/** Build the demo ponds into `outDir` unless its stamp says they are current; returns what was done. */
export async function buildDemoPonds(outDir = join(root, 'public/ponds'), options: { force?: boolean } = {}): Promise<'built' | 'current'> {
  const { data, stamp } = await inputs();
  const stampFile = join(outDir, '.stamp');
  const current =
    existsSync(join(outDir, 'ponds.json')) &&
    existsSync(join(outDir, DEMO.name, 'duckpond-index.json')) &&
    (await readFile(stampFile, 'utf8').catch(() => '')).trim() === stamp;
  if (current && !options.force) return 'current';
  await mkdir(outDir, { recursive: true });
  await removeStaleScratch(outDir);
  const demo = await buildDemo(outDir, data);
  await writeFile(join(outDir, 'ponds.json'), JSON.stringify({ ponds: [demo] }, null, 2) + '\n');
  await writeFile(stampFile, stamp + '\n');
  return 'built';
}

const invoked = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? resolve(args[outIdx + 1]) : undefined;
  const started = performance.now();
  buildDemoPonds(out, { force: args.includes('--force') }).then(
    (result) => {
      console.log(`demo ponds ${result === 'built' ? 'built' : 'up to date'} in ${Math.round(performance.now() - started)} ms (${out ?? 'public/ponds'})`);
      // DuckDB's wasm keeps handles open; the work is done.
      process.exit(0);
    },
    (e: unknown) => {
      console.error(`build-demo-ponds: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
