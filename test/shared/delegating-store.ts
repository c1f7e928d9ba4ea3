/**
 * DelegatingStore: an ObjectStore that passes every call to an inner store. Wrappers that watch
 * or disturb some calls (fault injection, tracing in the crash harness) extend it and override
 * only those.
 */
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import type { StoreLockOptions } from '../../src/core/storage/web-lock.ts';

export class DelegatingStore implements ObjectStore {
  readonly kind: string;
  readonly writable: boolean;
  /** Present when the inner store has it; goes through moveObject, which subclasses may override. */
  readonly move?: (from: string, to: string) => Promise<void>;

  /** Wrap `inner`; `name` prefixes the inner kind (`fault(opfs)`). */
  constructor(
    readonly inner: ObjectStore,
    name: string,
  ) {
    this.kind = `${name}(${inner.kind})`;
    this.writable = inner.writable;
    if (inner.move) this.move = (from, to) => this.moveObject(from, to);
  }

  /** The rename behind `move` (only called when the inner store has one). */
  protected moveObject(from: string, to: string): Promise<void> {
    return this.inner.move!(from, to);
  }

  read(key: string): Promise<Uint8Array> {
    return this.inner.read(key);
  }

  readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.readRange(key, offset, length);
  }

  readStream(key: string): ReadableStream<Uint8Array> {
    return this.inner.readStream(key);
  }

  write(key: string, data: Uint8Array): Promise<void> {
    return this.inner.write(key, data);
  }

  writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    return this.inner.writeStream(key, data);
  }

  putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.inner.putIfAbsent(key, data);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  size(key: string): Promise<number | undefined> {
    return this.inner.size(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  lock(options?: StoreLockOptions): Promise<() => Promise<void>> {
    return this.inner.lock(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
