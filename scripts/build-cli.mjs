// Builds the `pond` command line (src/cli/, TypeScript) into plain JavaScript that Node 20 runs:
// dist-cli/pond.mjs plus a chunk per lazily imported module (SQL, CSV), so a cold `pond list` never
// parses DuckDB's glue. Packages stay external: node_modules resolves them at run time.
// Runs as `prepare` (npm install / npm ci) and from bin/pond.mjs when the bundle is missing or stale;
// without esbuild (a production install) it says so and exits 0, never failing the install.
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(root, 'dist-cli');
export const OUT_FILE = join(OUT_DIR, 'pond.mjs');

/** Newest mtime of the sources the bundle is built from (src/cli and src/core). */
export async function newestSource() {
  let newest = 0;
  const walk = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, (await stat(p)).mtimeMs);
    }
  };
  await walk(join(root, 'src/cli'));
  await walk(join(root, 'src/core'));
  return newest;
}

/** True when dist-cli/pond.mjs is older than a source (or missing). */
export async function isStale() {
  try {
    return (await stat(OUT_FILE)).mtimeMs < (await newestSource());
  } catch {
    return true;
  }
}

/** Bundle src/cli/bin.ts; false (with a note on stderr) when esbuild is not installed. */
export async function buildCli({ quiet = false } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) process.stderr.write('build-cli: esbuild is not installed; the pond CLI is not built (npm install with dev dependencies)\n');
    return false;
  }
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { pond: 'src/cli/bin.ts' },
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // The browser-only wasm glue core imports behind `isNodeRuntime()` checks (a vite alias and a `?raw` import).
    external: ['duckdb-wasm-browser-blocking', '*?raw'],
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
  });
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildCli();
  } catch (e) {
    // A prepare step must never fail a clean install: report and go on.
    process.stderr.write(`build-cli: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  }
}
