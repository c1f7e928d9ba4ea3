/**
 * Writes to the open pond, each one committed transaction on its latest version: folders, files,
 * dynamic nodes (their config checked against the factory's schema first), removal, renames and
 * attributes; restoring an older version as a new one; and the factory list and config check the
 * Create form uses (a sql_query's query also parsed and bound against its inputs, see sql-check.ts).
 */
import { isPondError, pondError, parseConfigText, normalizePath, dirname, STATIC_FACTORY } from '../../src/core/index.ts';
import type { ConfigCheck, FactoryInfo } from '../api.ts';
import type { ServiceContext } from './context.ts';
import { checkSqlQuery, type SqlQueryDraft } from './sql-check.ts';

export class Writing {
  constructor(private readonly ctx: ServiceContext) {}

  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<number> {
    return this.ctx.commit((tx) => tx.mkdir(path, options));
  }

  async writeFile(path: string, data: Uint8Array, options: { type?: 'file:data' | 'file:table' | 'file:series' } = {}): Promise<number> {
    return this.ctx.commit((tx) => tx.writeFile(path, data, options));
  }

  async factories(): Promise<FactoryInfo[]> {
    return this.ctx.core.factories();
  }

  /**
   * The factory's schema check; with `at` (where the node is or will be), a sql_query's query is
   * also parsed and bound against the open pond's inputs at their latest version.
   */
  async checkConfig(factory: string, text: string, at?: string): Promise<ConfigCheck> {
    let config: unknown;
    try {
      config = parseConfigText(text, '/new-node');
    } catch (e) {
      if (!isPondError(e, 'ECONFIG')) throw e;
      return { ok: false, issues: [{ path: '', message: e.message.replace(/^ECONFIG: \/new-node: /, '') }] };
    }
    const check = this.ctx.core.check(factory, config);
    const pond = this.ctx.session?.pond;
    if (!check.ok || at === undefined || factory !== 'sql_query' || !pond) return check;
    // Writes go to the latest version, so the inputs are checked there, not in a time-travel view.
    const sql = await checkSqlQuery(pond, check.config as SqlQueryDraft, normalizePath(at));
    if (sql.issues.length === 0) return { ...check, checkedMs: Math.round(sql.readMs) };
    return { ok: false, issues: sql.issues, saveAnyway: sql.pondDependent };
  }

  async mknod(path: string, factory: string, text: string): Promise<number> {
    const check = await this.checkConfig(factory, text);
    if (!check.ok) throw pondError('ECONFIG', normalizePath(path), check.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    const abs = normalizePath(path);
    return this.ctx.commit(async (tx) => {
      // Saving a query as /queries/x should not first need a trip to "New folder".
      await tx.mkdir(dirname(abs), { parents: true });
      await tx.mknod(abs, factory, check.config);
    });
  }

  /**
   * Write version `version` of the node at `path` again as its newest version: a dynamic node's
   * config then (read from the pond as of that version's transaction), a stored file's bytes.
   */
  async restoreVersion(path: string, version: number): Promise<number> {
    const session = this.ctx.open();
    const abs = normalizePath(path);
    const ref = await session.pond.lookup(abs);
    const row = (await session.pond.versions(abs)).find((v) => v.version === version);
    if (!row) throw pondError('ENOENT', abs, `has no version ${version}`);
    if (ref.factory === STATIC_FACTORY) {
      if (ref.type !== 'file:data' && ref.type !== 'file:table')
        throw pondError('EINVAL', abs, `a ${ref.type} cannot restore one version (each version is part of its content)`);
      const bytes = await session.pond.readFile(abs, { version });
      return this.ctx.commit((tx) => tx.writeFile(abs, bytes, { type: ref.type as 'file:data' | 'file:table' }), `restore ${abs} version ${version}`);
    }
    // The pond API gives only the newest config; the pond as of that version's transaction has it.
    const then = await this.ctx.core.open(session.store, { asOf: row.txnSeq });
    let config: unknown;
    try {
      config = await then.config(abs);
    } finally {
      await then.close();
    }
    if (config === undefined) throw pondError('ENOENT', abs, `the config of version ${version} cannot be read (was the node at another path then?)`);
    return this.ctx.commit((tx) => tx.mknod(abs, ref.factory, config), `restore ${abs} version ${version}`);
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<number> {
    return this.ctx.commit((tx) => tx.remove(path, options));
  }

  async rename(from: string, to: string): Promise<number> {
    return this.ctx.commit((tx) => tx.rename(from, to));
  }

  async setAttributes(path: string, attrs: Record<string, string | null>): Promise<number> {
    return this.ctx.commit((tx) => tx.setAttributes(path, attrs));
  }
}
