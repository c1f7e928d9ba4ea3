import type { DirEntry } from './node.ts';
import { nfc } from './path.ts';

/**
 * The pluggable directory interface. Stored directories, transaction overlays and virtual
 * (factory-built) directories all implement it, so path resolution and listing treat them alike.
 */
export interface Directory {
  /** The entry named `name`, or undefined. */
  get(name: string): Promise<DirEntry | undefined>;
  /** Add or replace an entry. Read-only directories throw EROFS. */
  insert(entry: DirEntry): Promise<void>;
  /** Remove and return an entry (undefined when absent). Read-only directories throw EROFS. */
  remove(name: string): Promise<DirEntry | undefined>;
  /** Every entry, in the order this directory chooses to list them. */
  entries(): Promise<DirEntry[]>;
  /**
   * An entry whose name is not NFC but whose NFC form is `key` (written by old code or a hostile
   * pond); undefined when none. Optional: directories that hold only NFC names need not implement it.
   */
  equivalent?(key: string): Promise<DirEntry | undefined>;
}

/**
 * Look a name up the way every path does: the exact name first, then its NFC form, then an entry
 * stored under another spelling of that form. NFC/NFD twins thus stay readable under their own
 * spelling, and an old non-NFC name is found under its NFC spelling.
 */
export async function findEntry(dir: Directory, name: string): Promise<DirEntry | undefined> {
  const exact = await dir.get(name);
  if (exact) return exact;
  const key = nfc(name);
  if (key !== name) {
    const e = await dir.get(key);
    if (e) return e;
  }
  return dir.equivalent?.(key);
}

/** Index of the names in a directory that are not NFC, by their NFC form (usually empty). */
export class OddNames {
  readonly #byKey = new Map<string, Set<string>>();
  /** Record `name` if it is not NFC. */
  add(name: string): void {
    const key = nfc(name);
    if (key === name) return;
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, (set = new Set()));
    set.add(name);
  }
  /** Forget `name`. */
  delete(name: string): void {
    const key = nfc(name);
    const set = this.#byKey.get(key);
    set?.delete(name);
    if (set?.size === 0) this.#byKey.delete(key);
  }
  /** The first (by name order) non-NFC spelling of `key`. */
  first(key: string): string | undefined {
    const set = this.#byKey.get(key);
    return set ? [...set].sort(compareNames)[0] : undefined;
  }
}

/** A directory held in a Map: the working copy a transaction edits. */
export class MapDirectory implements Directory {
  readonly map: Map<string, DirEntry>;
  readonly #odd = new OddNames();
  constructor(entries: Iterable<DirEntry> = []) {
    this.map = new Map([...entries].map((e) => [e.name, e]));
    for (const name of this.map.keys()) this.#odd.add(name);
  }
  async get(name: string): Promise<DirEntry | undefined> {
    return this.map.get(name);
  }
  async equivalent(key: string): Promise<DirEntry | undefined> {
    const name = this.#odd.first(key);
    return name === undefined ? undefined : this.map.get(name);
  }
  async insert(entry: DirEntry): Promise<void> {
    this.map.set(entry.name, entry);
    this.#odd.add(entry.name);
  }
  async remove(name: string): Promise<DirEntry | undefined> {
    const e = this.map.get(name);
    this.map.delete(name);
    this.#odd.delete(name);
    return e;
  }
  async entries(): Promise<DirEntry[]> {
    return [...this.map.values()].sort((a, b) => compareNames(a.name, b.name));
  }
}

/** Name order of every listing: by UTF-16 code unit, like the Rust BTreeMap over bytes for ASCII. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
