/** MemoryPersistence: the reference Persistence in plain maps, for tests (TLogFS must agree with it). */
import type { NodeVersion, TxnRecord } from '../../src/core/tinyfs/node.ts';
import type { CommitInfo, Persistence, PersistenceWriter, PondWarning, StoredBody } from '../../src/core/tinyfs/persistence.ts';
import { ROOT_ID, STATIC_FACTORY } from '../../src/core/tinyfs/entry-type.ts';
import { encodeDirectory } from '../../src/core/tinyfs/dir-codec.ts';
import { sha256Hex } from '../../src/core/hash.ts';
import { pondError } from '../../src/core/errors.ts';
import { collectStream } from '../../src/core/bytes.ts';

/**
 * Persistence in plain maps: no files, no Parquet. The reference model TLogFS must agree with,
 * and the fastest backing for TinyFS unit tests.
 */
export class MemoryPersistence implements Persistence {
  readonly readOnly = false;
  readonly warnings: readonly PondWarning[] = [];
  #version = 0;
  #rows = new Map<string, NodeVersion[]>();
  #txns: TxnRecord[] = [];
  #lock: Promise<void> = Promise.resolve();

  constructor(now: () => number = Date.now) {
    const t = now();
    this.#append([
      {
        partId: ROOT_ID,
        nodeId: ROOT_ID,
        type: 'directory',
        timestampUs: t * 1000,
        version: 1,
        content: encodeDirectory([]),
        sha256: null,
        size: null,
        minEventTime: null,
        maxEventTime: null,
        attributes: {},
        factory: STATIC_FACTORY,
        txnSeq: 0,
      },
    ]);
    this.#txns.push({ txnSeq: 0, timestamp: t, message: 'create pond', operation: 'CREATE' });
  }

  get version(): number {
    return this.#version;
  }

  async loadNode(partId: string, nodeId: string): Promise<NodeVersion[]> {
    return [...(this.#rows.get(`${partId}/${nodeId}`) ?? [])];
  }

  async readBody(v: NodeVersion): Promise<Uint8Array> {
    return v.content ?? new Uint8Array(0);
  }

  async readBodyRange(v: NodeVersion, _path: string, offset: number, length: number): Promise<Uint8Array> {
    return (v.content ?? new Uint8Array(0)).slice(offset, offset + length);
  }

  bodyStream(v: NodeVersion): ReadableStream<Uint8Array> {
    const bytes = v.content ?? new Uint8Array(0);
    return new ReadableStream({
      start(c) {
        if (bytes.length) c.enqueue(bytes);
        c.close();
      },
    });
  }

  async history(): Promise<TxnRecord[]> {
    return [...this.#txns].reverse();
  }

  async beginWrite(): Promise<PersistenceWriter> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const prev = this.#lock;
    this.#lock = prev.then(() => held);
    await prev;
    let done = false;
    return {
      txnSeq: this.#version + 1,
      async putBody(data: Uint8Array | ReadableStream<Uint8Array>): Promise<StoredBody> {
        const bytes = data instanceof Uint8Array ? data : await collectStream(data);
        return { content: bytes, sha256: await sha256Hex(bytes), size: bytes.length };
      },
      commit: async (rows: NodeVersion[], info: CommitInfo): Promise<number> => {
        if (done) throw pondError('EINVAL', '/', 'transaction already finished');
        const seq = this.#version + 1;
        this.#append(rows.map((r) => ({ ...r, txnSeq: r.txnSeq || seq })));
        this.#txns.push({ txnSeq: seq, timestamp: Date.now(), message: info.message, operation: info.operation });
        this.#version = seq;
        return seq;
      },
      async release(): Promise<void> {
        if (!done) {
          done = true;
          release();
        }
      },
    };
  }

  async refresh(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}

  #append(rows: NodeVersion[]): void {
    for (const r of rows) {
      const key = `${r.partId}/${r.nodeId}`;
      const list = this.#rows.get(key) ?? [];
      const i = list.findIndex((x) => x.version === r.version);
      if (i >= 0) list[i] = r;
      else list.push(r);
      list.sort((a, b) => a.version - b.version);
      this.#rows.set(key, list);
    }
  }
}
