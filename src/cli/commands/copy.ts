/**
 * `pond copy`: host files into the pond and pond files out to the host. `host://` stores bytes as
 * they are (`file:data`; a directory copies recursively); `host+table://` and `host+series://`
 * take Parquet only, as in Rust (copy a CSV with `host://` and read it as `csv:///path`).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { isPondError, joinPath, looksLikeParquet, normalizePath, type Pond, type Tx } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { write } from '../output.ts';
import { withPond } from '../pond-dir.ts';

/** The entry type a host URL's scheme stores its files as. */
export type EntryKind = 'file:data' | 'file:table' | 'file:series';

const SCHEMES: Record<string, EntryKind> = { host: 'file:data', 'host+file': 'file:data', 'host+table': 'file:table', 'host+series': 'file:series' };

/** A `host…://path` argument: the host path and the entry type it is stored as; undefined for a pond path. */
export function parseHostUrl(arg: string): { path: string; type: EntryKind } | undefined {
  const m = /^([a-z+]+):\/\/(.*)$/.exec(arg);
  if (!m) return undefined;
  const type = SCHEMES[m[1]];
  if (!type) throw usageError(`unsupported scheme ${m[1]}:// (copy takes host://, host+table:// and host+series://)`);
  if (m[2] === '') throw usageError(`${arg}: no host path`);
  return { path: resolve(m[2]), type };
}

export const copy: Command = {
  name: 'copy',
  summary: 'Copy host files into the pond, or pond files out',
  usage: 'copy SOURCE... DEST',
  details: `In:  sources are host URLs, DEST a pond path. DEST ending in '/' or naming a directory (or
     several sources) copies into that directory under each source's name.
       host:///path          bytes as they are (file:data); a directory copies recursively
       host+table:///path    a Parquet file as a table
       host+series:///path   a Parquet file as a new version of a series
Out: sources are pond paths or globs, DEST is host:///path. One file to a path that is not a
     directory is written there; otherwise files keep their pond paths under DEST.

Examples:
  pond copy host:///tmp/data.csv /data/readings.csv
  pond copy host+table:///tmp/readings.parquet /data/
  pond copy '/data/**/*.csv' host:///tmp/export`,
  options: {},
  async run({ positionals, pondDir, out }) {
    if (positionals.length < 2) throw usageError('copy needs a SOURCE and a DEST');
    const sources = positionals.slice(0, -1);
    const dest = positionals[positionals.length - 1];
    const destHost = parseHostUrl(dest);
    await withPond(pondDir(), async (pond) => {
      if (destHost) {
        if (destHost.type !== 'file:data') throw usageError(`copy out writes to host:///path, not ${dest}`);
        const n = await copyOut(pond, sources, destHost.path);
        if (out.tty) await write(out.stderr, `copied ${n} file${n === 1 ? '' : 's'} to ${destHost.path}\n`);
        return;
      }
      const hosts = sources.map((s) => parseHostUrl(s) ?? bad(s));
      let n = 0;
      await pond.transact(
        async (tx) => {
          n = await copyIn(pond, tx, hosts, dest, out.tty ? (msg) => out.stderr.write(`\r${msg}`) : undefined);
        },
        { message: `copy ${positionals.join(' ')}` },
      );
      if (out.tty) await write(out.stderr, `\rcopied ${n} file${n === 1 ? '' : 's'} into ${normalizePath(dest)}\n`);
    });
  },
};

function bad(source: string): never {
  throw usageError(`${source}: a copy into the pond reads host:///, host+table:/// or host+series:/// URLs (copy out ends with host:///DEST)`);
}

async function isPondDir(pond: Pond, path: string): Promise<boolean> {
  try {
    return (await pond.lookup(path)).type === 'directory';
  } catch (e) {
    if (isPondError(e, 'ENOENT')) return false;
    throw e;
  }
}

async function copyIn(pond: Pond, tx: Tx, sources: { path: string; type: EntryKind }[], dest: string, progress?: (msg: string) => void): Promise<number> {
  const destPath = normalizePath(dest.startsWith('/') ? dest : `/${dest}`);
  const into = dest.endsWith('/') || sources.length > 1 || (await isPondDir(pond, destPath));
  let count = 0;
  const onFile = (): void => {
    count++;
    progress?.(`copied ${count} file${count === 1 ? '' : 's'}`);
  };
  for (const s of sources) await copyHostTree(tx, s.path, into ? joinPath(destPath, basename(s.path)) : destPath, s.type, onFile);
  return count;
}

/**
 * Copy the host file or directory `host` to exactly `target` in the pond (a directory
 * recursively); `onFile` is called after each file. Used by `copy` and `apply`.
 */
export async function copyHostTree(tx: Tx, host: string, target: string, type: EntryKind, onFile?: () => void): Promise<void> {
  const one = async (host: string, target: string): Promise<void> => {
    if ((await stat(host)).isDirectory()) {
      await tx.mkdir(target, { parents: true });
      for (const name of (await readdir(host)).sort()) await one(join(host, name), joinPath(target, name));
      return;
    }
    if (type === 'file:data') {
      await tx.writeFile(target, Readable.toWeb(createReadStream(host)) as unknown as ReadableStream<Uint8Array>, { type });
    } else {
      if (!(await hasParquetMagic(host)))
        throw new CliError(
          'EINVAL',
          `${host}: not a valid parquet file (missing PAR1 magic bytes): copy it as bytes with host:///path (read a CSV as csv:///path)`,
        );
      const bytes = await readFile(host);
      const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (!looksLikeParquet(body)) throw new CliError('EINVAL', `${host}: not a valid parquet file (missing PAR1 magic bytes at its end)`);
      await tx.writeFile(target, body, { type });
    }
    onFile?.();
  };
  await one(host, target);
}

async function hasParquetMagic(host: string): Promise<boolean> {
  const fh = await open(host, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    await fh.close();
  }
}

async function hostIsDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function copyOut(pond: Pond, sources: string[], dest: string): Promise<number> {
  // A Set: a glob like '/d/**/*' matches a directory and the files under it.
  const found = new Set<string>();
  for (const s of sources) {
    const pattern = normalizePath(s.startsWith('/') ? s : `/${s}`);
    const matches = await pond.glob(pattern);
    if (matches.length === 0) throw new CliError('ENOENT', `${s}: no such file or directory`);
    for (const m of matches) {
      if (m.type !== 'directory') found.add(m.path);
      else for (const x of await pond.glob(`${m.path}/**/*`)) if (x.type !== 'directory') found.add(x.path);
    }
  }
  const files = [...found];
  const single = files.length === 1 && sources.length === 1 && !(await hostIsDir(dest)) && !sources[0].includes('*');
  for (const file of files) {
    const target = single ? dest : join(dest, ...file.split('/').filter(Boolean));
    await mkdir(dirname(target), { recursive: true });
    const web = pond.createReadStream(file) as unknown as NodeReadableStream<Uint8Array>;
    await pipeline(Readable.fromWeb(web), createWriteStream(target));
  }
  return files.length;
}
