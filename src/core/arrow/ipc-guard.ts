/**
 * A bounds check of an Arrow IPC stream's FlatBuffer metadata, run before Arrow JS reads it.
 * Arrow JS trusts FlatBuffer vector lengths: one flipped byte in a schema's `children` count makes
 * it build millions of fields until the process runs out of memory (found by the hostile corpus).
 * This walks every table, vector and string Arrow JS will touch and refuses any that does not fit
 * in its message, so hostile bytes fail as an IpcShapeError in microseconds.
 */

/** IPC bytes whose metadata does not fit: the message says where. */
export class IpcShapeError extends Error {
  override readonly name = 'IpcShapeError';
}

const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
const MAX_DEPTH = 32;

/** Check every message of an IPC stream; throws IpcShapeError. */
export function checkIpcStream(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  for (let n = 0; pos < bytes.length; n++) {
    if (bytes.length - pos < 4) throw new IpcShapeError(`message ${n}: ${bytes.length - pos} stray bytes at the end`);
    let len = view.getInt32(pos, true);
    pos += 4;
    if (len === -1) {
      if (bytes.length - pos < 4) throw new IpcShapeError(`message ${n}: cut after its marker`);
      len = view.getInt32(pos, true);
      pos += 4;
    }
    if (len === 0) return; // end-of-stream marker
    if (len < 0 || len > bytes.length - pos) throw new IpcShapeError(`message ${n}: metadata of ${len} bytes in ${bytes.length - pos}`);
    const meta = new Fb(bytes, pos, pos + len);
    const bodyLength = meta.message();
    pos += len;
    if (bodyLength > bytes.length - pos) throw new IpcShapeError(`message ${n}: a body of ${bodyLength} bytes in ${bytes.length - pos}`);
    pos += bodyLength;
  }
}

/** A FlatBuffer within [start, end) of `bytes`, with every offset checked against those bounds. */
class Fb {
  readonly #view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Check a Message table; returns its bodyLength. */
  message(): number {
    const root = this.#at(this.start, 4, 'root');
    const msg = this.#table(this.start + this.#u32(root), 'Message');
    const type = msg.has(1) ? this.bytes[this.#at(msg.field(1), 1, 'header_type')] : 0;
    const header = msg.ref(2);
    if (header !== undefined) {
      const h = this.#table(header, 'header');
      if (type === SCHEMA) this.#schema(h);
      else if (type === RECORD_BATCH) this.#recordBatch(h);
      else if (type === DICTIONARY_BATCH) {
        const data = h.ref(1);
        if (data !== undefined) this.#recordBatch(this.#table(data, 'DictionaryBatch.data'));
      } else throw new IpcShapeError(`unknown message type ${type}`);
    }
    this.#keyValues(msg, 4);
    if (!msg.has(3)) return 0;
    const body = this.#view.getBigInt64(this.#at(msg.field(3), 8, 'bodyLength'), true);
    if (body < 0n || body > BigInt(Number.MAX_SAFE_INTEGER)) throw new IpcShapeError(`bodyLength ${body}`);
    return Number(body);
  }

  #schema(s: Table): void {
    this.#fields(s, 1, 0);
    this.#keyValues(s, 2);
    this.#vector(s, 3, 8, 'features');
  }

  #fields(t: Table, slot: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new IpcShapeError('fields nest too deep');
    const v = this.#vector(t, slot, 4, 'fields');
    for (let i = 0; i < v.length; i++) {
      const f = this.#table(this.#deref(v.first + 4 * i), 'Field');
      this.#string(f, 0, 'Field.name');
      if (f.ref(3) !== undefined) this.#table(f.ref(3)!, 'Field.type');
      const dict = f.ref(4);
      if (dict !== undefined) {
        const d = this.#table(dict, 'Field.dictionary');
        if (d.ref(1) !== undefined) this.#table(d.ref(1)!, 'dictionary indexType');
      }
      this.#fields(f, 5, depth + 1);
      this.#keyValues(f, 6);
    }
  }

  #recordBatch(b: Table): void {
    this.#vector(b, 1, 16, 'nodes');
    this.#vector(b, 2, 16, 'buffers');
    if (b.ref(3) !== undefined) this.#table(b.ref(3)!, 'compression');
    this.#vector(b, 4, 8, 'variadicBufferCounts');
  }

  #keyValues(t: Table, slot: number): void {
    const v = this.#vector(t, slot, 4, 'custom_metadata');
    for (let i = 0; i < v.length; i++) {
      const kv = this.#table(this.#deref(v.first + 4 * i), 'KeyValue');
      this.#string(kv, 0, 'key');
      this.#string(kv, 1, 'value');
    }
  }

  /** A vector field: its length fits the buffer at `elem` bytes per element. */
  #vector(t: Table, slot: number, elem: number, what: string): { first: number; length: number } {
    const at = t.ref(slot);
    if (at === undefined) return { first: 0, length: 0 };
    const length = this.#u32(this.#at(at, 4, what));
    if (length > (this.end - at - 4) / elem) throw new IpcShapeError(`${what}: ${length} elements in ${this.end - at - 4} bytes`);
    return { first: at + 4, length };
  }

  #string(t: Table, slot: number, what: string): void {
    this.#vector(t, slot, 1, what);
  }

  #deref(at: number): number {
    return at + this.#u32(this.#at(at, 4, 'offset'));
  }

  #table(at: number, what: string): Table {
    this.#at(at, 4, what);
    const vtable = at - this.#view.getInt32(at, true);
    this.#at(vtable, 4, `${what} vtable`);
    const vsize = this.#view.getUint16(vtable, true);
    const tsize = this.#view.getUint16(vtable + 2, true);
    if (vsize < 4 || vsize % 2 !== 0) throw new IpcShapeError(`${what}: a vtable of ${vsize} bytes`);
    this.#at(vtable, vsize, `${what} vtable`);
    this.#at(at, Math.max(tsize, 4), what);
    const slots = (vsize - 4) / 2;
    return {
      has: (slot) => slot < slots && this.#view.getUint16(vtable + 4 + 2 * slot, true) !== 0,
      field: (slot) => at + this.#view.getUint16(vtable + 4 + 2 * slot, true),
      ref: (slot) => {
        if (slot >= slots) return undefined;
        const off = this.#view.getUint16(vtable + 4 + 2 * slot, true);
        if (off === 0) return undefined;
        return this.#deref(at + off);
      },
    };
  }

  #u32(at: number): number {
    return this.#view.getUint32(at, true);
  }

  /** `at` with `size` bytes after it inside this buffer, or an IpcShapeError naming `what`. */
  #at(at: number, size: number, what: string): number {
    if (!Number.isSafeInteger(at) || at < this.start || at + size > this.end) throw new IpcShapeError(`${what} lies outside its message`);
    return at;
  }
}

interface Table {
  has(slot: number): boolean;
  /** Position of an inline scalar field (only after `has`). */
  field(slot: number): number;
  /** Position of the table, vector or string a field points to, or undefined when absent. */
  ref(slot: number): number | undefined;
}
