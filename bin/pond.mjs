#!/usr/bin/env node
// The `pond` command line's launcher: runs the bundle scripts/build-cli.mjs writes to dist-cli/
// (built by `npm install`'s prepare step), rebuilding it first when it is missing or older than src/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-cli', 'pond.mjs');
const sources = join(root, 'src', 'cli');

// In a checkout (src/ present) keep the bundle in step with the sources; a stat walk costs ~5 ms.
if (existsSync(sources)) {
  const { buildCli, isStale } = await import(pathToFileURL(join(root, 'scripts', 'build-cli.mjs')).href);
  if (await isStale()) await buildCli({ quiet: true });
}
if (!existsSync(bundle)) {
  process.stderr.write('pond: EUNSUPPORTED: the CLI is not built: run npm install (or node scripts/build-cli.mjs)\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
