// An ObjectStore on the page that forwards every call to an OpfsStore living in a dedicated
// worker, so the shared conformance suite runs against the worker's sync-access-handle path.
import { transfer, type Remote } from 'comlink';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import type { OpfsWorkerApi } from './opfs-store.worker.ts';

export class RemoteOpfsStore implements ObjectStore {
  readonly kind = 'opfs';
  readonly writable = true;

  constructor(
    private readonly worker: Remote<OpfsWorkerApi>,
    private readonly id: number,
    /** The pond's name, as given to the worker-side OpfsStore. */
    readonly name: string,
    /** What the worker-side store uses: 'sync-handle' in a dedicated worker. */
    readonly access: string,
  ) {}

  /** Open pond `name` in the worker. */
  static async open(worker: Remote<OpfsWorkerApi>, name: string): Promise<RemoteOpfsStore> {
    const { id, access } = await worker.open(name);
    return new RemoteOpfsStore(worker, id, name, access);
  }

  read(key: string): Promise<Uint8Array> {
    return this.worker.read(this.id, key);
  }
  readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.worker.readRange(this.id, key, offset, length);
  }
  readStream(key: string): ReadableStream<Uint8Array> {
    let rid: Promise<number> | undefined;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        rid ??= this.worker.openRead(this.id, key);
        const chunk = await this.worker.pull(await rid);
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: async () => {
        if (rid) await this.worker.cancelRead(await rid);
      },
    });
  }
  async write(key: string, data: Uint8Array): Promise<void> {
    await this.worker.write(this.id, key, data);
  }
  writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    return this.worker.writeStream(this.id, key, transfer(data, [data as unknown as Transferable]));
  }
  putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.worker.putIfAbsent(this.id, key, data);
  }
  exists(key: string): Promise<boolean> {
    return this.worker.exists(this.id, key);
  }
  size(key: string): Promise<number | undefined> {
    return this.worker.size(this.id, key);
  }
  list(prefix: string): Promise<string[]> {
    return this.worker.list(this.id, prefix);
  }
  async delete(key: string): Promise<void> {
    await this.worker.delete(this.id, key);
  }
  async lock(options?: { wait?: boolean; timeoutMs?: number }): Promise<() => Promise<void>> {
    const remoteRelease = await this.worker.lock(this.id, options);
    return async () => {
      await remoteRelease();
    };
  }
  close(): Promise<void> {
    return this.worker.close(this.id);
  }
}
