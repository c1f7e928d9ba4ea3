/**
 * The pieces of the core the worker composes: opening a pond with the factory registry (which
 * brings dynamic nodes and SQL; DuckDB loads on first use) and factory configs. CSV import reads
 * through the strict reader of src/core/csv (see importer.ts), not DuckDB.
 */
import { openPond, defaultRegistry, isPondError, type Pond, type ObjectStore, type FactoryRegistry } from '../src/core/index.ts';
import type { ConfigCheck, ConfigIssue, FactoryInfo } from './api.ts';
import { FACTORY_EXAMPLES } from './factory-examples.ts';

/** Where a config being typed is validated "at" (the node does not exist yet). */
const DRAFT_PATH = '/new-node';

export class PondCore {
  readonly registry: FactoryRegistry = defaultRegistry();

  /** Open the pond in `store`: latest and writable, or `asOf` a version, read-only. */
  open(store: ObjectStore, options: { create?: boolean; asOf?: number }): Promise<Pond> {
    return openPond(store, { ...options, registry: this.registry });
  }

  /** The registered factories, for the Create form. */
  factories(): FactoryInfo[] {
    const offered = this.registry.names().filter((name) => !this.registry.get(name)?.internal);
    return offered.map((name) => ({
      name,
      description: this.registry.get(name)?.description ?? '',
      example: FACTORY_EXAMPLES[name] ?? '',
    }));
  }

  /** Validate a parsed config against the factory's schema: the form's issues, or the entry type it makes. */
  check(factory: string, config: unknown): ConfigCheck {
    try {
      const { type, config: valid } = this.registry.validate(factory, config, DRAFT_PATH);
      return { ok: true, type, config: valid };
    } catch (e) {
      if (!isPondError(e)) throw e;
      const issues = (e.data.issues as { field: string; reason: string }[] | undefined)?.map((i): ConfigIssue => ({ path: i.field, message: i.reason }));
      return { ok: false, issues: issues?.length ? issues : [{ path: '', message: e.message.replace(/^\w+: /, '').replace(`${DRAFT_PATH}: `, '') }] };
    }
  }
}
