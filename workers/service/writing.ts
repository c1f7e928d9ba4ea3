/**
 * Writes to the open pond, each one committed transaction on its latest version: folders, files,
 * dynamic nodes (their config checked against the factory's schema first), removal, renames and
 * attributes; and the factory list and config check the Create form uses.
 */
import { isPondError, pondError, parseConfigText, normalizePath, dirname } from '../../src/core/index.ts';
import type { ConfigCheck, FactoryInfo } from '../api.ts';
import type { ServiceContext } from './context.ts';

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

  async checkConfig(factory: string, text: string): Promise<ConfigCheck> {
    let config: unknown;
    try {
      config = parseConfigText(text, '/new-node');
    } catch (e) {
      if (!isPondError(e, 'ECONFIG')) throw e;
      return { ok: false, issues: [{ path: '', message: e.message.replace(/^ECONFIG: \/new-node: /, '') }] };
    }
    return this.ctx.core.check(factory, config);
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
