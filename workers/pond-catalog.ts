/**
 * The ponds of this origin, by name, over one storage backend (OPFS, else IndexedDB, else memory).
 * Creating, renaming and deleting a pond are catalog operations; what is inside a pond is the core's.
 */
import { pondError, type ObjectStore } from '../src/core/index.ts';
import type { PondListing, StoreKind } from './api.ts';
import type { Operation } from './operations.ts';

/** One storage backend: a store per pond name. */
export interface StoreBackend {
  readonly kind: StoreKind;
  /** Names of the ponds stored (sorted). */
  names(): Promise<string[]>;
  /** The store of pond `name` (created on first write). */
  store(name: string): ObjectStore;
  /** Delete every object of pond `name`. */
  remove(name: string): Promise<void>;
}

/** Pond names are folder and database names: short, no separators, no leading dot. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,62}[A-Za-z0-9_-]$|^[A-Za-z0-9_]$/;

/** Reject a pond name that cannot be a storage folder; returns it trimmed. */
export function validatePondName(raw: string): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!NAME.test(name)) {
    throw pondError('EINVAL', name || '<empty>', 'a pond name is 1-64 letters, digits, spaces, "_", "-" or "."; it starts with a letter, digit or "_"');
  }
  return name;
}

/**
 * Where a reset downloads the published pond before swapping it in: `.reset.<name>`. A name that
 * starts with a dot is never a pond's (validatePondName refuses it), so a scratch copy cannot
 * collide with one, and listings skip it.
 */
export function resetScratchName(name: string): string {
  return `.reset.${name}`;
}

/** The pond a scratch name belongs to (null when `name` is not a reset's scratch copy). */
export function scratchOwner(name: string): string | null {
  return name.startsWith('.reset.') && name.length > '.reset.'.length ? name.slice('.reset.'.length) : null;
}

/** Names the app keeps for its own bookkeeping: never listed, opened or created as ponds. */
export function isInternalName(name: string): boolean {
  return name.startsWith('.');
}

export class PondCatalog {
  constructor(readonly backend: StoreBackend) {}

  get kind(): StoreKind {
    return this.backend.kind;
  }

  /** The ponds, without the scratch copies of resets in progress. */
  async list(): Promise<PondListing[]> {
    return (await this.backend.names()).filter((name) => !isInternalName(name)).map((name) => ({ name, kind: this.backend.kind }));
  }

  /** Every internal name in the backend (scratch copies of resets, finished or not). */
  async internalNames(): Promise<string[]> {
    return (await this.backend.names()).filter(isInternalName);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.backend.names()).includes(name);
  }

  /** The store of an existing pond; ENOENT naming the pond otherwise. */
  async open(name: string): Promise<ObjectStore> {
    const valid = validatePondName(name);
    if (!(await this.exists(valid))) throw pondError('ENOENT', valid, 'no pond by this name; create it or pick one from the Storage panel');
    return this.backend.store(valid);
  }

  /** A store for a new pond; EEXIST when the name is taken. */
  async create(name: string): Promise<ObjectStore> {
    const valid = validatePondName(name);
    if (await this.exists(valid)) throw pondError('EEXIST', valid, 'a pond by this name exists already; pick another name');
    return this.backend.store(valid);
  }

  /** Copy every object to the new name, then delete the old pond (no platform renames folders). */
  async rename(from: string, to: string, op: Operation): Promise<void> {
    const source = await this.open(from);
    const target = await this.create(to);
    try {
      await copyStore(source, target, op, 'renaming');
    } catch (e) {
      await target.close().catch(() => {});
      await this.backend.remove(validatePondName(to)).catch(() => {});
      throw e;
    }
    await source.close().catch(() => {});
    await target.close().catch(() => {});
    await this.backend.remove(validatePondName(from));
  }

  async remove(name: string): Promise<void> {
    const valid = validatePondName(name);
    if (!(await this.exists(valid))) throw pondError('ENOENT', valid, 'no pond by this name');
    await this.backend.remove(valid);
  }
}

/** Copy every object of `source` into `target`, reporting progress by object. */
export async function copyStore(source: ObjectStore, target: ObjectStore, op: Operation, phase: string): Promise<void> {
  const keys = logLast(await source.list(''));
  for (let i = 0; i < keys.length; i++) {
    op.check();
    op.progress({ phase, done: i, total: keys.length });
    await target.write(keys[i], await source.read(keys[i]));
  }
  op.progress({ phase, done: keys.length, total: keys.length });
}

/** Data files before commit files, so that a half-finished copy never holds a commit without its data. */
export function logLast(keys: string[]): string[] {
  const isLog = (k: string) => k.startsWith('_delta_log/');
  return [...keys.filter((k) => !isLog(k)), ...keys.filter(isLog)];
}
