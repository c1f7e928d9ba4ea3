/**
 * SHA-256 on a worker thread, for NodeFsStore's verified reads. Hashing after reading costs 2–3× the
 * read alone (node:crypto with SHA-NI hashes at about the speed a warm file is read); on another
 * thread, chunk k is hashed while chunk k+1 is read. Chunks live in SharedArrayBuffers, so handing
 * one to the worker copies nothing, and each is released to the reader only once hashed (a reader
 * changing a chunk cannot change what was hashed).
 */
import { Worker } from 'node:worker_threads';

type Reply = { id: number; seq: number } | { id: number; hex: string } | { id: number; error: string };

// The worker: one node:crypto hash per job id. Plain JS, evaluated in the thread (no build step).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      let h = jobs.get(m.id);
      if (!h) jobs.set(m.id, (h = createHash('sha256')));
      h.update(new Uint8Array(m.buf, 0, m.len));
      parentPort.postMessage({ id: m.id, seq: m.seq });
    } else if (m.op === 'digest') {
      const h = jobs.get(m.id) ?? createHash('sha256');
      jobs.delete(m.id);
      parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
    } else if (m.op === 'drop') jobs.delete(m.id);
  } catch (e) {
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});
`;

interface Pending {
  acks: Map<number, () => void>;
  done?: { resolve: (hex: string) => void };
  fail: (e: Error) => void;
}

let worker: Worker | undefined;
let nextId = 1;
const jobs = new Map<number, Pending>();

function thread(): Worker {
  if (worker) return worker;
  // No inherited execArgv: a loader hook of the parent (tsx, a test runner) has nothing to do in here.
  const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  w.on('message', (r: Reply) => {
    const job = jobs.get(r.id);
    if (!job) return;
    if ('seq' in r) {
      job.acks.get(r.seq)?.();
      job.acks.delete(r.seq);
    } else if ('hex' in r) {
      finish(r.id);
      job.done?.resolve(r.hex);
    } else {
      finish(r.id);
      job.fail(new Error(`sha256 worker: ${r.error}`));
    }
  });
  const die = (e: unknown) => {
    worker = undefined;
    for (const [id, job] of [...jobs]) {
      finish(id);
      job.fail(e instanceof Error ? e : new Error(`sha256 worker exited (${String(e)})`));
    }
  };
  w.on('error', die);
  w.on('exit', (code) => die(new Error(`sha256 worker exited with code ${code}`)));
  w.unref(); // an idle hasher must not keep the process alive; a job in flight refs it
  worker = w;
  return w;
}

function finish(id: number): void {
  jobs.delete(id);
  if (jobs.size === 0) worker?.unref();
}

/** One incremental SHA-256 computed on the hashing thread. */
export interface ThreadHash {
  /** Hash `chunk` (a view of a whole SharedArrayBuffer from `sharedChunk`); resolves once it is hashed. */
  update(chunk: Uint8Array): Promise<void>;
  /** The hex digest of every chunk handed over, once all are hashed. */
  hex(): Promise<string>;
  /** Abandon the job (the stream was cancelled). */
  drop(): void;
}

/** A chunk buffer the hashing thread can read without a copy. */
export function sharedChunk(size: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(size));
}

/** Start a hash on the shared hashing thread. */
export function threadHash(): ThreadHash {
  const w = thread();
  const id = nextId++;
  let seq = 0;
  let failure: Error | undefined;
  const waiting = new Set<(e: Error) => void>();
  const job: Pending = {
    acks: new Map(),
    fail: (e) => {
      failure = e;
      for (const reject of waiting) reject(e);
      waiting.clear();
    },
  };
  jobs.set(id, job);
  w.ref();
  const settle = <T>(register: (resolve: (v: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.add(reject);
      register((v) => {
        waiting.delete(reject);
        resolve(v);
      });
    });
  return {
    update(chunk) {
      if (!(chunk.buffer instanceof SharedArrayBuffer) || chunk.byteOffset !== 0) throw new TypeError('threadHash takes chunks from sharedChunk()');
      const n = seq++;
      const done = settle<void>((resolve) => job.acks.set(n, () => resolve()));
      w.postMessage({ op: 'update', id, seq: n, buf: chunk.buffer, len: chunk.length });
      return done;
    },
    hex() {
      const done = settle<string>((resolve) => (job.done = { resolve }));
      w.postMessage({ op: 'digest', id });
      return done;
    },
    drop() {
      if (!jobs.has(id)) return;
      finish(id);
      w.postMessage({ op: 'drop', id });
    },
  };
}
