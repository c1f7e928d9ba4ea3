/**
 * Two example virtual directories (as in the Rust tinyfs), for tests of the pluggable Directory
 * interface: a reverse-order view and a pass-through that records every visit.
 */
import type { DirEntry } from '../../src/core/tinyfs/node.ts';
import { compareNames, type Directory } from '../../src/core/tinyfs/directory.ts';
import { pondError } from '../../src/core/errors.ts';

/** Example virtual directory (as in the Rust tinyfs): lists another directory in reverse name order. Read-only. */
export class ReverseDirectory implements Directory {
  constructor(
    private readonly inner: Directory,
    private readonly path = '<reverse>',
  ) {}
  get(name: string): Promise<DirEntry | undefined> {
    return this.inner.get(name);
  }
  async equivalent(key: string): Promise<DirEntry | undefined> {
    return this.inner.equivalent?.(key);
  }
  async insert(entry: DirEntry): Promise<void> {
    throw pondError('EROFS', this.path, `a reverse directory is read-only (cannot add ${entry.name})`);
  }
  async remove(name: string): Promise<DirEntry | undefined> {
    throw pondError('EROFS', this.path, `a reverse directory is read-only (cannot remove ${name})`);
  }
  async entries(): Promise<DirEntry[]> {
    return (await this.inner.entries()).sort((a, b) => compareNames(b.name, a.name));
  }
}

/** Example virtual directory (as in the Rust tinyfs): passes through, and records every visit. */
export class VisitRecordingDirectory implements Directory {
  readonly visits: string[] = [];
  constructor(private readonly inner: Directory) {}
  get(name: string): Promise<DirEntry | undefined> {
    this.visits.push(`get:${name}`);
    return this.inner.get(name);
  }
  insert(entry: DirEntry): Promise<void> {
    this.visits.push(`insert:${entry.name}`);
    return this.inner.insert(entry);
  }
  remove(name: string): Promise<DirEntry | undefined> {
    this.visits.push(`remove:${name}`);
    return this.inner.remove(name);
  }
  entries(): Promise<DirEntry[]> {
    this.visits.push('entries');
    return this.inner.entries();
  }
}
