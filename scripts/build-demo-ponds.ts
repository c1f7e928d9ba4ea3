#!/usr/bin/env node
// Build the demo ponds the site ships: the core library, in Node, turns vega-datasets' CSV files
// into ponds under public/ponds/<name>/ (a Delta table plus duckpond-index.json, exactly what
// "Export" produces) and lists them in public/ponds/ponds.json for the welcome screen.
//   npx tsx scripts/build-demo-ponds.ts [--force] [--out dir]
// Runs before `npm run dev`, `npm run build`, `npm run preview` and the browser and e2e tests; it
// skips the work when a stamp of its inputs (this script, the seeding code, the CSV bytes) matches.
// Ids and clocks are derived from a seed, so a rebuild from the same inputs writes the same bytes
// (a service worker then has nothing new to download).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { openPond, writePublishIndex } from '../src/core/index.ts';
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
  description: 'Seattle weather (one table per year), stock prices and a Mauna Loa CO₂ series appended decade by decade, with one dynamic node of each kind: SQL views, a union, a folder per year built from a glob, synthetic sensor data, and a README computed from the data.',
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

async function inputs(): Promise<{ data: DemoData; stamp: string }> {
  // By path: the package's exports hide both its package.json and its data folder.
  const pkg = join(root, 'node_modules/vega-datasets');
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), join(root, 'src/demo/seed-demo.ts')]) hash.update(await readFile(file));
  const data = {} as DemoData;
  for (const [key, rel] of Object.entries(DEMO_SOURCES) as [keyof DemoData, string][]) {
    data[key] = new Uint8Array(await readFile(join(pkg, rel)));
    hash.update(data[key]);
  }
  return { data, stamp: hash.digest('hex') };
}

async function buildDemo(outDir: string, data: DemoData): Promise<DemoListing> {
  // Built beside the target and renamed over it: an interrupted build never leaves half a pond.
  const target = join(outDir, DEMO.name);
  const scratch = `${target}.building`;
  await rm(scratch, { recursive: true, force: true });
  const store = new NodeFsStore(scratch);
  const effects = seededEffects(DEMO.name);
  const pond = await openPond(store, { create: true, effects });
  try {
    await seedDemoPond(pond, (bytes, path) => csvToTable(bytes, { path }), data);
    const version = pond.version;
    await pond.close();
    await writePublishIndex(store, { created: new Date(effects.now()).toISOString() });
    await store.close();
    await rm(target, { recursive: true, force: true });
    await rename(scratch, target);
    return { name: DEMO.name, title: DEMO.title, description: DEMO.description, path: `ponds/${DEMO.name}/`, version, start: DEMO.start };
  } catch (e) {
    await pond.close().catch(() => {});
    await store.close().catch(() => {});
    throw e;
  }
}

/** Build the demo ponds into `outDir` unless its stamp says they are current; returns what was done. */
export async function buildDemoPonds(outDir = join(root, 'public/ponds'), options: { force?: boolean } = {}): Promise<'built' | 'current'> {
  const { data, stamp } = await inputs();
  const stampFile = join(outDir, '.stamp');
  const current = existsSync(join(outDir, 'ponds.json')) && existsSync(join(outDir, DEMO.name, 'duckpond-index.json'))
    && (await readFile(stampFile, 'utf8').catch(() => '')).trim() === stamp;
  if (current && !options.force) return 'current';
  await mkdir(outDir, { recursive: true });
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
      console.error(`build-demo-ponds: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
