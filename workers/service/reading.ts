/**
 * Reads of the open pond (the time-travel view when one is open): listing, node details and
 * versions, glob, file bytes and previews, file export, and what a node's config says (its
 * readers, a template's source). Nothing here writes.
 */
import { transfer } from 'comlink';
import { stringify as toYaml } from 'yaml';
import { pondError, normalizePath, joinPath, dirname, STATIC_FACTORY, type Stat, type TxnRecord } from '../../src/core/index.ts';
import type { Entry, FilePreview, GlobMatch, NodeDetails, ReadersReport, TemplateSource, VersionRow } from '../api.ts';
import { findReaders } from '../readers.ts';
import { tableToCsv } from '../csv-export.ts';
import type { ServiceContext } from './context.ts';

/** How many bytes `preview` returns unless asked otherwise. */
const PREVIEW_BYTES = 1 << 20;
/** Glob matches sent to the UI: a filter that matches more is too broad to read anyway. */
const MAX_GLOB_MATCHES = 1000;

export class Reading {
  constructor(private readonly ctx: ServiceContext) {}

  async readdir(path: string): Promise<Entry[]> {
    const dir = normalizePath(path);
    const entries = await this.ctx.reader().readdir(dir);
    return entries.map((e) => ({ ...e, path: joinPath(dir, e.name) }));
  }

  async stat(path: string): Promise<Stat> {
    return this.ctx.reader().stat(path);
  }

  async lookup(path: string): Promise<Entry> {
    const abs = normalizePath(path);
    const ref = await this.ctx.reader().lookup(abs);
    return { name: abs === '/' ? '/' : abs.slice(abs.lastIndexOf('/') + 1), path: abs, type: ref.type, factory: ref.factory };
  }

  async details(path: string, options: { computed?: boolean } = {}): Promise<NodeDetails> {
    const pond = this.ctx.reader();
    const link = await pond.lookup(path, { follow: false });
    const target = link.type === 'symlink' ? await pond.readlink(path) : null;
    const ref = link.type === 'symlink' ? await pond.lookup(path).catch(() => link) : link;
    const dynamic = ref.factory !== STATIC_FACTORY;
    // A dynamic file's stat computes its content (size, sha256): only when asked.
    const describeOnly = dynamic && ref.type !== 'directory' && !options.computed;
    const stat = describeOnly ? await pond.stat(normalizePath(path), { compute: false }) : await pond.stat(path);
    let configYaml: string | null = null;
    if (dynamic) {
      const config = await pond.config(stat.path);
      // Multi-line text (a template, a query) as a `|` block: folded YAML doubles its blank lines.
      configYaml = config === undefined ? null : toYaml(config, { blockQuote: 'literal', lineWidth: 0 });
    }
    return {
      stat,
      dynamic,
      configYaml,
      target,
      versions: await this.versions(stat.path),
      computed: !dynamic || ref.type === 'directory' || options.computed === true,
    };
  }

  async versions(path: string): Promise<VersionRow[]> {
    const pond = this.ctx.reader();
    const [versions, history] = await Promise.all([pond.versions(path), pond.history()]);
    const messages = new Map(history.map((h) => [h.txnSeq, h.message]));
    return versions.map((v) => ({ ...v, message: messages.get(v.txnSeq) ?? '' }));
  }

  /** Every transaction of the pond, newest first; while time travelling too, so that newer ones stay reachable. */
  async history(): Promise<TxnRecord[]> {
    return this.ctx.open().pond.history();
  }

  async glob(pattern: string): Promise<GlobMatch[]> {
    return (await this.ctx.reader().glob(pattern)).slice(0, MAX_GLOB_MATCHES);
  }

  async readFile(path: string, options: { version?: number } = {}): Promise<Uint8Array> {
    // Pond.readFile hands out bytes the caller owns (it copies cached ones): transfer, no copy here.
    const bytes = await this.ctx.reader().readFile(path, options);
    return transfer(bytes, [bytes.buffer]);
  }

  async preview(path: string, options: { version?: number; maxBytes?: number } = {}): Promise<FilePreview> {
    const max = options.maxBytes ?? PREVIEW_BYTES;
    const pond = this.ctx.reader();
    // A stored file of known size is previewed from its head alone: of a big file in a published
    // pond, one Range request instead of the whole download.
    const ref = await pond.lookup(path);
    if (ref.factory === STATIC_FACTORY && ref.type === 'file:data') {
      const versions = await pond.versions(path);
      const v = options.version === undefined ? versions.at(-1) : versions.find((x) => x.version === options.version);
      if (v && v.size !== null) {
        const bytes = await pond.readRange(path, 0, max, { version: v.version });
        return transfer({ bytes, size: v.size, truncated: v.size > bytes.length }, [bytes.buffer]);
      }
    }
    const all = await pond.readFile(path, { version: options.version });
    // `all` is ours: sent as it is when it fits, else only its head is copied out.
    const bytes = all.length > max ? all.slice(0, max) : all;
    return transfer({ bytes, size: all.length, truncated: all.length > max }, [bytes.buffer]);
  }

  async exportFile(path: string, format: 'parquet' | 'csv' | 'raw'): Promise<Uint8Array> {
    const pond = this.ctx.reader();
    // Type and path only: a dynamic file is computed once, by the read below, not hashed for a stat.
    const stat = await pond.stat(path, { compute: false });
    const isTable = stat.type === 'file:table' || stat.type === 'file:series';
    if (format !== 'raw' && !isTable) throw pondError('EINVAL', stat.path, `is a ${stat.type}; only tables export as ${format.toUpperCase()}`);
    const bytes = format === 'csv' ? tableToCsv(await pond.readTable(stat.path)) : await pond.readFile(stat.path);
    return transfer(bytes, [bytes.buffer]);
  }

  async readersOf(path: string, to?: string): Promise<ReadersReport> {
    const pond = this.ctx.reader();
    return findReaders(
      {
        readdir: (dir) => pond.readdir(dir),
        // The latest reader: a commit during the scan replaces it (see findReaders' retry).
        config: (p) => this.ctx.reader().config(p),
        readText: async (p) => new TextDecoder().decode(await pond.readFile(p)),
      },
      path,
      to,
    );
  }

  async templateSource(path: string): Promise<TemplateSource | null> {
    const pond = this.ctx.reader();
    const abs = normalizePath(path);
    const ref = await pond.lookup(abs);
    if (ref.factory !== 'template') return null;
    const config = (await pond.config(abs)) as { template?: unknown; template_file?: unknown } | undefined;
    if (typeof config?.template === 'string') return { text: config.template, file: null };
    if (typeof config?.template_file !== 'string') return null;
    const file = normalizePath(config.template_file, dirname(abs));
    return { text: new TextDecoder().decode(await pond.readFile(file)), file };
  }
}
