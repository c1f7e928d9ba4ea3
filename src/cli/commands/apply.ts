/**
 * `pond apply -f FILE...`: create or update pond resources from multi-document YAML, as Rust's
 * `pond apply` does. Each document is `{version: v1, kind: mkdir|copy|mknod, metadata: {path},
 * spec}`; every document is checked before anything is written, and all changes land in one
 * transaction (none when every resource is unchanged).
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import YAML from 'yaml';
import { defaultRegistry, isPondError, normalizePath, type Pond, type Tx } from '../../core/index.ts';
import { stringListOption, type Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { write } from '../output.ts';
import { withPond } from '../pond-dir.ts';
import { copyHostTree, parseHostUrl, type EntryKind } from './copy.ts';
import { expandEnv } from './mknod.ts';

/** One checked resource document. */
export type Resource =
  | { where: string; path: string; kind: 'mkdir' }
  | { where: string; path: string; kind: 'copy'; source: { path: string; type: EntryKind }; overwrite: boolean }
  | { where: string; path: string; kind: 'mknod'; factory: string; config: unknown };

type Outcome = 'created' | 'updated' | 'unchanged';

const KIND_ORDER = { mkdir: 0, copy: 1, mknod: 2 } as const;

function fail(where: string, message: string): never {
  throw new CliError('ECONFIG', `${where}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(where: string, what: string, value: Record<string, unknown>, allowed: string[]): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length)
    fail(where, `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} in ${what} (expected ${allowed.join(', ')})`);
}

/** A copy source URL as copy reads it, or undefined for a scheme copy does not take. */
function hostSource(url: string): { path: string; type: EntryKind } | undefined {
  try {
    return parseHostUrl(url);
  } catch {
    return undefined;
  }
}

/** Check one parsed document (`where` is `FILE[i]`, as Rust names it) into a resource. */
export function parseResource(doc: unknown, where: string, env: NodeJS.ProcessEnv): Resource {
  if (!isRecord(doc)) fail(where, 'a resource is a mapping with version, kind, metadata and spec');
  onlyKeys(where, 'the resource', doc, ['version', 'kind', 'metadata', 'spec']);
  if (doc.version !== 'v1') fail(where, `unsupported version ${JSON.stringify(doc.version)}, expected 'v1'`);
  const meta = doc.metadata;
  if (!isRecord(meta) || typeof meta.path !== 'string') fail(where, 'metadata.path is required');
  onlyKeys(where, 'metadata', meta, ['path']);
  if (!meta.path.startsWith('/')) fail(where, `metadata.path must be absolute, got '${meta.path}'`);
  const path = normalizePath(meta.path);
  const spec = doc.spec;
  switch (doc.kind) {
    case 'mkdir':
      if (spec !== undefined && spec !== null) fail(where, 'mkdir does not accept a spec');
      return { where, path, kind: 'mkdir' };
    case 'copy': {
      if (!isRecord(spec) || typeof spec.source !== 'string') fail(where, "copy requires a spec with 'source'");
      onlyKeys(where, 'the copy spec', spec, ['source', 'overwrite']);
      if (spec.overwrite !== undefined && typeof spec.overwrite !== 'boolean') fail(where, 'spec.overwrite must be true or false');
      const text = expandEnv(spec.source, env, where);
      const source = /^host(\+[a-z]+)?:\/\/\//.test(text) ? hostSource(text) : undefined;
      if (!source) fail(where, `copy source must be a host URL (host:///..., host+table:///..., host+series:///...), got '${text}'`);
      return { where, path, kind: 'copy', source, overwrite: spec.overwrite === true };
    }
    case 'mknod': {
      if (!isRecord(spec) || typeof spec.factory !== 'string') fail(where, "mknod requires a spec with 'factory' and 'config'");
      onlyKeys(where, 'the mknod spec', spec, ['factory', 'config']);
      // ${env:VAR} is expanded in the config's text, as mknod --config-path does.
      const text = expandEnv(YAML.stringify(spec.config ?? null), env, where);
      try {
        const { config } = defaultRegistry().validate(spec.factory, text, path);
        return { where, path, kind: 'mknod', factory: spec.factory, config };
      } catch (e) {
        if (isPondError(e)) fail(where, `invalid config for factory '${spec.factory}': ${e.message}`);
        throw e;
      }
    }
    default:
      return fail(where, `unknown kind ${JSON.stringify(doc.kind)}, expected 'mkdir', 'copy', or 'mknod'`);
  }
}

/** Every resource of the files, checked (duplicate paths refused), in Rust's order: mkdir, copy, mknod; shallow first. */
export async function readResources(files: string[], env: NodeJS.ProcessEnv): Promise<Resource[]> {
  const resources: Resource[] = [];
  const claimed = new Map<string, string>();
  for (const file of files) {
    const docs = YAML.parseAllDocuments(await readFile(file, 'utf8'), { uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    const present = list.filter((d) => d.contents !== null);
    if (present.length === 0) throw new CliError('ECONFIG', `${file}: no YAML documents found`);
    present.forEach((d, i) => {
      const where = `${file}[${i}]`;
      if (d.errors.length) fail(where, `not valid YAML: ${d.errors[0].message.split('\n')[0]}`);
      const r = parseResource(d.toJS(), where, env);
      const before = claimed.get(r.path);
      if (before) fail(where, `duplicate path '${r.path}' (already claimed by ${before})`);
      claimed.set(r.path, where);
      resources.push(r);
    });
  }
  const depth = (p: string): number => p.split('/').length;
  return resources.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function lookupType(pond: Pond, path: string): Promise<{ type: string; factory: string } | undefined> {
  try {
    return await pond.lookup(path, { follow: false });
  } catch (e) {
    if (isPondError(e, 'ENOENT')) return undefined;
    throw e;
  }
}

/** What applying `r` would do to the pond as it is, without changing it (errors for a conflict). */
async function plan(pond: Pond, r: Resource): Promise<Outcome> {
  const found = await lookupType(pond, r.path);
  if (r.kind === 'mkdir') {
    if (!found) return 'created';
    if (found.type !== 'directory') fail(r.where, `path '${r.path}' exists but is not a directory`);
    return 'unchanged';
  }
  if (r.kind === 'copy') {
    if (found && !r.overwrite) fail(r.where, `destination '${r.path}' already exists; set overwrite: true to replace`);
    // Rust reports every copy as created, also one that overwrites (scenario 044 checks it).
    return 'created';
  }
  if (!found) return 'created';
  if (found.factory !== r.factory)
    fail(r.where, `factory type mismatch at '${r.path}': existing is '${found.factory}', apply specifies '${r.factory}'; remove the node first`);
  return JSON.stringify(await pond.config(r.path)) === JSON.stringify(r.config) ? 'unchanged' : 'updated';
}

async function applyOne(tx: Tx, r: Resource): Promise<void> {
  if (r.kind === 'mkdir') return tx.mkdir(r.path, { parents: true });
  const parent = dirname(r.path);
  if (parent !== '/') await tx.mkdir(parent, { parents: true });
  if (r.kind === 'copy') return copyHostTree(tx, r.source.path, r.path, r.source.type);
  return tx.mknod(r.path, r.factory, r.config);
}

export const apply: Command = {
  name: 'apply',
  summary: 'Create or update resources from YAML (mkdir, copy, mknod)',
  usage: 'apply -f FILE [-f FILE...]',
  details: `Each file holds one or more YAML documents separated by '---':

  version: v1
  kind: mkdir | copy | mknod
  metadata:
    path: /absolute/pond/path
  spec:                      # none for mkdir
    source: host:///dir      # copy: a host URL; overwrite: true to replace an existing path
    factory: sql_query       # mknod: the factory and its config
    config: {...}

Every document is checked first (a bad one writes nothing); then directories are made, files
copied and nodes created or updated, in one transaction. Parent directories are created. A node
whose config is unchanged is left alone; when nothing changes no transaction is committed.
\${env:VAR} in a spec is replaced by the environment variable VAR.

Options:
  -f, --file FILE   a YAML file (repeatable; more files may follow as arguments)

Example:
  pond apply -f pond.yaml`,
  options: { file: { type: 'string', short: 'f', multiple: true } },
  async run({ values, positionals, pondDir, out, env }) {
    const flagged = stringListOption(values, 'file');
    // Rust's `-f a.yaml b.yaml` takes both files.
    const files = [...flagged, ...positionals];
    if (flagged.length === 0) throw usageError('no files specified; use -f FILE');
    const resources = await readResources(files, env);
    await withPond(pondDir(), async (pond) => {
      const outcomes: Outcome[] = [];
      for (const r of resources) outcomes.push(await plan(pond, r));
      const changing = resources.filter((_r, i) => outcomes[i] !== 'unchanged');
      if (changing.length > 0) {
        await pond.transact(
          async (tx) => {
            for (const r of changing) await applyOne(tx, r);
          },
          { message: `apply -f ${files.join(' ')}` },
        );
      }
      for (const [i, r] of resources.entries()) await write(out.stdout, `  ${outcomes[i].padEnd(9)} ${r.path}\n`);
      const count = (o: Outcome): number => outcomes.filter((x) => x === o).length;
      await write(
        out.stdout,
        changing.length > 0
          ? `apply: ${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged\n`
          : `apply: all ${resources.length} resource(s) unchanged, no transaction committed\n`,
      );
    });
  },
};
