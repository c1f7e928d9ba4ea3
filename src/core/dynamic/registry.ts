import type { EntryType } from '../tinyfs/entry-type.ts';
import { pondError } from '../errors.ts';
import { producedType, type FactoryDefinition } from './factory.ts';
import { parseConfigText, validateWithSchema } from './config.ts';
import { joinPath } from '../tinyfs/path.ts';

/** Names a factory may have: what the `factory` column and config files can carry safely. */
const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * The factories a pond knows, by name. `new FactoryRegistry()` is empty; `defaultRegistry()`
 * holds the five built-in factories.
 * @example
 * const registry = defaultRegistry().register(myFactory);
 * const pond = await openPond(store, { registry });
 */
export class FactoryRegistry {
  readonly #defs = new Map<string, FactoryDefinition>();

  /** Add a factory; EINVAL when the name is taken (or is `tlogfs`, the static content marker). */
  register<C>(def: FactoryDefinition<C>): this {
    if (typeof def?.name !== 'string' || !NAME.test(def.name) || def.name === 'tlogfs') {
      throw pondError('EINVAL', '/', `invalid factory name ${JSON.stringify(def?.name)} (lowercase letters, digits, _ and -)`);
    }
    if (this.#defs.has(def.name)) throw pondError('EINVAL', '/', `a factory named ${def.name} is already registered`);
    if (typeof def.compute !== 'function' || !def.schema) throw pondError('EINVAL', '/', `factory ${def.name} needs a schema and a compute function`);
    // The schema checks the config at runtime, so the erased type is safe here.
    this.#defs.set(def.name, def as unknown as FactoryDefinition);
    return this;
  }

  /** The factory registered as `name`, if any. */
  get(name: string): FactoryDefinition | undefined {
    return this.#defs.get(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#defs.keys()].sort();
  }

  /** The factory `name` or EFACTORY naming `path`. */
  require(name: string, path: string): FactoryDefinition {
    const def = this.#defs.get(name);
    if (!def) {
      const known = this.names();
      throw pondError('EFACTORY', path, `unknown factory ${JSON.stringify(name)} (registered: ${known.length ? known.join(', ') : 'none'})`, { factory: name });
    }
    return def;
  }

  /**
   * Check a config for `factory` at `path` and tell the entry type it produces. A string config is
   * parsed as YAML/JSON first. EFACTORY for an unknown factory, ECONFIG naming field and reason.
   */
  validate(factory: string, config: unknown, path: string): { type: EntryType; config: unknown } {
    const def = this.require(factory, path);
    const raw = typeof config === 'string' ? parseConfigText(config, path) : config;
    const valid = validateWithSchema(def.schema, raw, factory, path);
    // Nodes held in the config (dynamic-dir entries) are checked now, each named by its own path.
    for (const child of def.children?.(valid) ?? []) this.validate(child.factory, child.config, joinPath(path, child.name));
    return { type: producedType(def, valid), config: valid };
  }
}
