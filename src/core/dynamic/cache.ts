/** Anything the cache can hold: it only needs to know what the value costs. */
export interface Sized {
  bytes: number;
}

/**
 * A least-recently-used map with a byte budget. A Map keeps insertion order, so re-inserting on
 * every hit makes its first key the least recently used one. A value bigger than the whole
 * budget is not kept at all (it would evict everything and still not fit).
 */
export class LruCache<V extends Sized> {
  readonly #map = new Map<string, V>();
  #bytes = 0;

  constructor(readonly budgetBytes: number) {}

  /** The value for `key`, marking it most recently used. */
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  /** The value for `key` without changing its recency. */
  peek(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Store `value`, evicting the least recently used entries until the budget holds; false when it is too big to keep. */
  set(key: string, value: V): boolean {
    this.delete(key);
    if (value.bytes > this.budgetBytes) return false;
    this.#map.set(key, value);
    this.#bytes += value.bytes;
    this.#evict(key);
    return true;
  }

  /** Tell the cache that the value under `key` now costs `bytes` (e.g. Parquet was encoded lazily). */
  resize(key: string, bytes: number): void {
    const v = this.#map.get(key);
    if (!v) return;
    this.#bytes += bytes - v.bytes;
    v.bytes = bytes;
    if (v.bytes > this.budgetBytes) this.delete(key);
    else this.#evict(key);
  }

  delete(key: string): void {
    const v = this.#map.get(key);
    if (!v) return;
    this.#map.delete(key);
    this.#bytes -= v.bytes;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  keys(): string[] {
    return [...this.#map.keys()];
  }

  #evict(keep: string): void {
    for (const k of this.#map.keys()) {
      if (this.#bytes <= this.budgetBytes) return;
      if (k !== keep) this.delete(k);
    }
  }
}
