// A dedicated worker that hosts OpfsStores, so the tests exercise the FileSystemSyncAccessHandle
// path (sync handles exist only in dedicated workers). The page drives it through comlink.
import { expose, proxy, transfer } from 'comlink';
import { OpfsStore } from '../../src/core/storage/opfs.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';

installErrorTransfer();

const stores = new Map<number, OpfsStore>();
const readers = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
let nextId = 1;

function store(id: number): OpfsStore {
  const s = stores.get(id);
  if (!s) throw new Error(`no store ${id}`);
  return s;
}

const api = {
  /** Open an OpfsStore on pond `name` in this worker; returns its id and how it moves bytes. */
  open(name: string): { id: number; access: string } {
    const id = nextId++;
    const s = new OpfsStore(name);
    stores.set(id, s);
    return { id, access: s.access };
  },
  async read(id: number, key: string): Promise<Uint8Array> {
    const bytes = await store(id).read(key);
    return transfer(bytes, [bytes.buffer]);
  },
  async readRange(id: number, key: string, offset: number, length: number): Promise<Uint8Array> {
    const bytes = await store(id).readRange(key, offset, length);
    return transfer(bytes, [bytes.buffer]);
  },
  /** readStream, pulled chunk by chunk over comlink so a PondError keeps its code. */
  openRead(id: number, key: string): number {
    const rid = nextId++;
    readers.set(rid, store(id).readStream(key).getReader());
    return rid;
  },
  async pull(rid: number): Promise<Uint8Array | null> {
    const reader = readers.get(rid)!;
    try {
      const { done, value } = await reader.read();
      if (done) {
        readers.delete(rid);
        return null;
      }
      return transfer(value, [value.buffer]);
    } catch (e) {
      readers.delete(rid);
      throw e;
    }
  },
  async cancelRead(rid: number): Promise<void> {
    await readers.get(rid)?.cancel();
    readers.delete(rid);
  },
  write: (id: number, key: string, data: Uint8Array) => store(id).write(key, data),
  /** The page transfers its ReadableStream here; the worker consumes it chunk by chunk. */
  writeStream: (id: number, key: string, data: ReadableStream<Uint8Array>) => store(id).writeStream(key, data),
  putIfAbsent: (id: number, key: string, data: Uint8Array) => store(id).putIfAbsent(key, data),
  exists: (id: number, key: string) => store(id).exists(key),
  size: (id: number, key: string) => store(id).size(key),
  list: (id: number, prefix: string) => store(id).list(prefix),
  delete: (id: number, key: string) => store(id).delete(key),
  async lock(id: number, options?: { wait?: boolean; timeoutMs?: number }): Promise<() => Promise<void>> {
    return proxy(await store(id).lock(options));
  },
  close: (id: number) => store(id).close(),
  /**
   * True when an exclusive sync handle can be opened on `key` right now: no handle of an earlier
   * operation is still open (the store opens them short-lived and closes them in finally).
   */
  async unlocked(name: string, key: string): Promise<boolean> {
    let dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond')).getDirectoryHandle(name);
    const parts = key.split('/');
    const leaf = parts.pop()!;
    for (const p of parts) dir = await dir.getDirectoryHandle(p);
    const handle = await dir.getFileHandle(leaf);
    try {
      const h = await handle.createSyncAccessHandle();
      h.close();
      return true;
    } catch (e) {
      if ((e as Error).name === 'NoModificationAllowedError') return false;
      throw e;
    }
  },
  /** Start a slow writeStream that never finishes on its own (for crash tests); resolves once bytes flow. */
  async startEndlessWrite(id: number, key: string): Promise<void> {
    let pulled = 0;
    let flowing!: () => void;
    const started = new Promise<void>((r) => (flowing = r));
    const source = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (++pulled === 4) flowing();
        await new Promise((r) => setTimeout(r, 5));
        controller.enqueue(new Uint8Array(256 * 1024).fill(0xee));
      },
    });
    void store(id)
      .writeStream(key, source)
      .catch(() => undefined);
    await started;
  },
};

export type OpfsWorkerApi = typeof api;
expose(api);
