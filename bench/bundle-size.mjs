#!/usr/bin/env node
// Sizes of a built site: what index.html loads before anything else happens, what it starts as
// workers, what stays lazy, and the wasm binaries apart; and what the service worker precaches.
// Raw and gzip (level 9) bytes.
//   node bench/bundle-size.mjs [dist] [--json out.json]
// Also a section of `npm run bench` (when dist/ exists). Static analysis of vite's output:
// initial = <script src>, <link rel=modulepreload|stylesheet> of index.html and their static
// `import ... from "./x.js"` closure; workers = `new Worker(new URL("x.js", import.meta.url))`
// found in initial JS (and their closure); dynamic `import("./x.js")` counts as lazy.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const toPosix = (p) => p.split(sep).join('/');

/** Resolve a reference found in `fromFile` (dist-relative posix) to a dist-relative path, or null. */
function resolveRef(fromFile, ref, files) {
  if (/^(?:[a-z]+:)?\/\//i.test(ref) || ref.startsWith('data:')) return null;
  const clean = ref.split(/[?#]/)[0];
  const candidates = clean.startsWith('/')
    ? [clean.slice(1)]
    : // vite's relative base emits worker URLs relative to the chunk, other refs relative to the file
      [posix.normalize(posix.join(posix.dirname(fromFile), clean))];
  return candidates.find((c) => files.has(c)) ?? null;
}

const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["'`]([^"'`]+\.m?js)["'`]/g;
const WORKER_URL = /new\s+(?:Shared)?Worker\(\s*new\s+URL\(\s*(?:new\s+URL\(\s*)?["'`]([^"'`]+\.m?js)["'`]/g;

function closure(entries, files, sources) {
  const seen = new Set();
  const stack = [...entries];
  while (stack.length) {
    const f = stack.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of (sources.get(f) ?? '').matchAll(STATIC_IMPORT)) {
      const r = resolveRef(f, m[1], files);
      if (r && !seen.has(r)) stack.push(r);
    }
  }
  return seen;
}

/** Measure `distDir`. Returns a plain object (also written as JSON by bench/run.mjs). */
export async function bundleSize(distDir) {
  const abs = resolve(distDir);
  const paths = (await walk(abs)).map((p) => toPosix(relative(abs, p))).sort();
  const files = new Set(paths);
  const size = new Map();
  const sources = new Map();
  for (const p of paths) {
    const buf = await readFile(join(abs, p));
    size.set(p, { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
    if (/\.m?js$/.test(p)) sources.set(p, buf.toString('utf8'));
  }
  if (!files.has('index.html')) throw new Error(`${distDir} has no index.html`);
  const html = await readFile(join(abs, 'index.html'), 'utf8');
  const htmlRefs = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/gi)) htmlRefs.push(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    if (/\brel=["']?(?:modulepreload|stylesheet)\b/i.test(m[0])) {
      const href = /\bhref=["']([^"']+)["']/i.exec(m[0]);
      if (href) htmlRefs.push(href[1]);
    }
  }
  const initialRefs = htmlRefs.map((r) => resolveRef('index.html', r, files)).filter(Boolean);
  const initial = closure(
    initialRefs.filter((f) => /\.m?js$/.test(f)),
    files,
    sources,
  );
  const initialCss = initialRefs.filter((f) => f.endsWith('.css'));
  const workerEntries = [];
  for (const f of initial) {
    for (const m of (sources.get(f) ?? '').matchAll(WORKER_URL)) {
      const r = resolveRef(f, m[1], files) ?? resolveRef(posix.join(posix.dirname(f), 'x'), m[1], files);
      if (r) workerEntries.push(r);
    }
  }
  const workers = [...closure(workerEntries, files, sources)].filter((f) => !initial.has(f));
  const group = (name, list) => {
    const sorted = [...list].sort();
    const items = sorted.map((file) => ({ file, ...size.get(file) }));
    return { name, files: items, raw: items.reduce((a, b) => a + b.raw, 0), gzip: items.reduce((a, b) => a + b.gzip, 0) };
  };
  const js = paths.filter((p) => /\.m?js$/.test(p));
  const sw = serviceWorkerFiles(files, sources);
  const taken = new Set([...initial, ...workers, ...sw]);
  return {
    dist: abs,
    builtAt: (await stat(join(abs, 'index.html'))).mtime.toISOString(),
    groups: [
      group('initial JS (index.html and its static imports)', initial),
      group('initial CSS', initialCss),
      group('workers the initial JS can start', workers),
      // The load budget (test/e2e/budget.e2e.mjs): at most ~300 KB gzipped.
      group('first screen JS (initial JS + the workers it starts)', [...initial, ...workers]),
      group('service worker (sw.js and what it imports)', sw),
      group(
        'lazy JS (dynamic imports, other workers)',
        js.filter((p) => !taken.has(p)),
      ),
      group('all JS', js),
      group(
        'wasm',
        paths.filter((p) => p.endsWith('.wasm')),
      ),
      group(
        'everything else',
        paths.filter((p) => !/\.(m?js|wasm)$/.test(p)),
      ),
      group('total', paths),
    ],
    precache: precacheOf(paths, size, sources),
  };
}

/** sw.js and the scripts it pulls in (Workbox's runtime: `define(["./workbox-x"])` or importScripts). */
function serviceWorkerFiles(files, sources) {
  if (!files.has('sw.js')) return [];
  const out = ['sw.js'];
  for (const m of (sources.get('sw.js') ?? '').matchAll(/["'](\.\/[\w.-]+)["']/g)) {
    const r = resolveRef('sw.js', m[1], files) ?? resolveRef('sw.js', `${m[1]}.js`, files);
    if (r && !out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * What the service worker precaches: the URLs of Workbox's manifest in sw.js, their total size,
 * and the files of dist/ it leaves out. Null when the build has no service worker.
 */
function precacheOf(paths, size, sources) {
  const sw = sources.get('sw.js');
  if (!sw) return null;
  const urls = new Set();
  for (const m of sw.matchAll(/\{\s*"?url"?\s*:\s*"([^"]+)"\s*,\s*"?revision"?\s*:/g)) urls.add(m[1]);
  const known = [...urls].filter((u) => size.has(u));
  return {
    entries: urls.size,
    raw: known.reduce((n, u) => n + size.get(u).raw, 0),
    gzip: known.reduce((n, u) => n + size.get(u).gzip, 0),
    notPrecached: paths.filter((p) => !urls.has(p)),
  };
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** Aligned text: one row per group, with the files of the small groups listed under it. */
export function formatBundle(report) {
  const rows = [['', 'raw', 'gzip', 'files']];
  for (const g of report.groups) {
    rows.push([g.name, formatBytes(g.raw), formatBytes(g.gzip), String(g.files.length)]);
    const listFiles = !/^(all JS|total|everything else|first screen)/.test(g.name);
    if (listFiles && g.files.length <= 12) {
      for (const f of g.files) rows.push([`  ${f.file}`, formatBytes(f.raw), formatBytes(f.gzip), '']);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => [r[0].padEnd(w[0]), ...r.slice(1).map((c, i) => c.padStart(w[i + 1]))].join('  ').trimEnd());
  const out = [`bundle size of ${report.dist} (built ${report.builtAt})`, ...lines.map((l) => `  ${l}`)];
  const pc = report.precache;
  if (pc) {
    out.push(`  precached by the service worker: ${pc.entries} entries, ${formatBytes(pc.raw)} (${formatBytes(pc.gzip)} gzipped)`);
    out.push(`  not precached: ${pc.notPrecached.join(', ') || 'nothing'}`);
  }
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const dist = args[0] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    console.error(`no built site at ${dist} (run npm run build first)`);
    process.exit(1);
  }
  const report = await bundleSize(dist);
  console.log(formatBundle(report));
  if (jsonOut) await writeFile(jsonOut, JSON.stringify(report, null, 2) + '\n');
}
