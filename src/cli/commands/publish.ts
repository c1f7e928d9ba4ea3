/**
 * `pond publish DIR`: the folder a static host serves so that the app opens the pond by URL
 * (`?pond=`): every object of the pond, unpacked at its key, plus `duckpond-index.json` (the
 * publish index the app's HttpStore reads, written by core's writePublishIndex as the demo build
 * and the app's zip export write it).
 */
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  PUBLISH_INDEX,
  RESULTS_DIR,
  ResultStore,
  parsePublishIndex,
  precomputeResults,
  publishResultOptions,
  writePublishIndex,
  type ObjectStore,
  type PrecomputeReport,
} from '../../core/index.ts';
import { NodeFsStore } from '../../core/storage/node-fs.ts';
import { stringOption, type Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { write, type Output } from '../output.ts';
import { openExisting } from '../pond-dir.ts';

/** Progress of a publish: objects copied so far of the total. */
export type PublishProgress = (done: number, total: number) => void;

/**
 * Copy what a published pond serves from `source` into `dest`: every object at its key, streamed
 * (large files are never held whole). The one place that decides what a published folder holds:
 * extend it rather than copying beside it. With `results`, of the stored results (`_results/`)
 * only those keys ship (the results of the pond's live dynamic nodes, not entries of old configs,
 * nor the access record a read-only copy never uses). Returns the keys written.
 */
export async function copyPondObjects(source: ObjectStore, dest: ObjectStore, onProgress?: PublishProgress, results?: ReadonlySet<string>): Promise<string[]> {
  const keys = (await source.list('')).filter((k) => k !== PUBLISH_INDEX && (!results || !k.startsWith(RESULTS_DIR) || results.has(k)));
  // Data before commits: a reader of a half-written folder never sees a commit without its files.
  const ordered = [...keys.filter((k) => !k.startsWith('_delta_log/')), ...keys.filter((k) => k.startsWith('_delta_log/'))];
  for (const [i, key] of ordered.entries()) {
    onProgress?.(i, ordered.length);
    await dest.writeStream(key, source.readStream(key));
  }
  onProgress?.(ordered.length, ordered.length);
  return ordered;
}

/** The keys an earlier publish into `dir` wrote (from its index), or [] for an empty or missing folder; refuses any other folder. */
async function earlierPublish(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  if (names.length === 0) return [];
  let text: string;
  try {
    text = await readFile(join(dir, PUBLISH_INDEX), 'utf8');
  } catch {
    throw new CliError('EEXIST', `${dir}: not empty and not an earlier publish (no ${PUBLISH_INDEX}): publish into an empty or new folder`);
  }
  return parsePublishIndex(text, join(dir, PUBLISH_INDEX)).files.map((f) => f.key);
}

/** `?pond=VALUE` with the app's own escaping (slashes and colons stay readable, as route.svelte.ts writes it). */
export function pondLink(url: string, app?: string): string {
  const query = `?${new URLSearchParams({ pond: url }).toString().replace(/%2F/gi, '/').replace(/%3A/gi, ':')}`;
  return app ? `${app}${query}` : query;
}

function progressLine(out: Output): PublishProgress | undefined {
  if (!out.tty) return undefined;
  return (done, total) => out.stderr.write(`\r\x1b[Kpublishing: ${done}/${total} files`);
}

export const publish: Command = {
  name: 'publish',
  summary: 'Write the folder a static host serves for the app to open (?pond=)',
  usage: 'publish DIR [--url URL] [--app URL]',
  details: `Computes every dynamic node (its results ship with the folder, so that a visitor's first
screen needs no SQL engine or template VM; one that fails, or whose result is too big to store, is
named on stderr and computed by the visitor's app), then writes the pond's objects (its Delta
table, large files and the stored results of its dynamic nodes) into DIR with ${PUBLISH_INDEX}, the
list of every file with its size and sha256 that the app reads instead of listing the folder.
DIR must be new, empty, or an earlier publish (which is brought up to date: files the pond no
longer has are removed). Serve DIR from any static host and open the app with ?pond=<its URL>;
the link is printed on stdout. A folder served beside the app can be named relative to it.

Options:
  --url URL   where DIR will be served (absolute, or relative to the app); default: DIR's name
  --app URL   the app's address, to print a whole link

Examples:
  pond publish ./site/ponds/field-notes
  pond publish ./out/notes --url https://data.example.org/notes/ --app https://example.org/duckpond/`,
  options: { url: { type: 'string' }, app: { type: 'string' } },
  async run({ values, positionals, pondDir, out }) {
    if (positionals.length !== 1) throw usageError('publish needs one DIR');
    await publishTo(pondDir(), resolve(positionals[0]), out);
    const url = stringOption(values, 'url') ?? `${basename(resolve(positionals[0]))}/`;
    await write(out.stdout, `${pondLink(url, stringOption(values, 'app'))}\n`);
  },
};

/**
 * Publish the pond in `pondRoot` into `dir`: compute every dynamic node into its stored results
 * (no total cap, entries up to `maxEntryBytes`: default the largest result a node may produce),
 * then copy the objects with the results that are stored, and write the index. What does not ship
 * (a failed compute, a result too big to store) is said on stderr: a visitor's app computes it.
 */
export async function publishTo(pondRoot: string, dir: string, out: Output, options: { maxEntryBytes?: number } = {}): Promise<PrecomputeReport> {
  if (dir === pondRoot || dir.startsWith(`${pondRoot}/`)) throw usageError(`${dir}: publish into a folder outside the pond's own`);
  const stale = await earlierPublish(dir);
  const pondStore = new NodeFsStore(pondRoot);
  // Every dynamic node is computed into the pond's stored results first: they ship with the
  // folder, so a visitor's first screen reads them instead of loading DuckDB or the template VM.
  // No total cap while publishing: computing in path order must not evict what was computed first.
  const results = new ResultStore(pondStore, publishResultOptions(options.maxEntryBytes));
  let computed: PrecomputeReport;
  let version: number;
  try {
    const pond = await openExisting(pondRoot, { results });
    version = pond.version;
    try {
      computed = await precomputeResults(pond, results, out.tty ? ({ path }) => out.stderr.write(`\r\x1b[Kcomputing ${path}`) : undefined);
    } finally {
      await pond.close();
    }
  } finally {
    await pondStore.close();
  }
  if (out.tty && computed.files.length) await write(out.stderr, '\r\x1b[K');
  for (const failed of computed.failed)
    await write(out.stderr, `pond: ${failed.path}: not computed, a visitor's app computes it on read (${failed.message})\n`);
  for (const skipped of computed.notShipped)
    await write(out.stderr, `pond: ${skipped.path}: result not shipped, a visitor's app computes it on read (${skipped.reason})\n`);
  const source = new NodeFsStore(pondRoot);
  const dest = new NodeFsStore(dir);
  // The writer lock holds commits back while the objects are copied: the folder is one version.
  const release = await source.lock();
  try {
    const copied = await copyPondObjects(source, dest, progressLine(out), new Set(computed.stored.map((r) => r.key)));
    const keep = new Set(copied);
    for (const key of stale) if (!keep.has(key)) await dest.delete(key);
    const index = await writePublishIndex(dest);
    const bytes = index.files.reduce((n, f) => n + f.size, 0);
    const n = computed.stored.length;
    const shipped = n ? `, with the results of ${n} dynamic file${n === 1 ? '' : 's'}` : '';
    if (out.tty) await write(out.stderr, `\r\x1b[Kpublished version ${version} to ${dir}: ${index.files.length} files, ${bytes} bytes${shipped}\n`);
  } finally {
    await release();
    await source.close();
    await dest.close();
  }
  await removeScratch(dir);
  return computed;
}

/** NodeFsStore's own scratch folder (.duckpond/tmp) is empty once writes are done: a host need not serve it. */
async function removeScratch(dir: string): Promise<void> {
  for (const sub of [join(dir, '.duckpond', 'tmp'), join(dir, '.duckpond')]) {
    try {
      await rmdir(sub);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  }
}
