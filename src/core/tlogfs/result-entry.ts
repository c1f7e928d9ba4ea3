/**
 * The stored form of a dynamic node's result, kept outside the Delta log under `_results/`: one
 * object per dynamic node definition (factory, path, config), holding the content key of the
 * computation, the trace of inputs it read (each with a content identity), and the result bytes,
 * sealed by a sha256 of the whole object. Results are an accelerator, never data: fsck reports a
 * damaged or orphan entry as garbage, and a reader that finds one recomputes.
 */
import { z } from 'zod';
import { pondError } from '../errors.ts';
import { sha256, sha256Hex } from '../hash.ts';
import { concatBytes } from '../bytes.ts';

/** The folder of stored results. */
export const RESULTS_DIR = '_results/';
/** The access-order record the least-recently-used eviction reads (a hint: never needed for correctness). */
export const RESULTS_LRU = `${RESULTS_DIR}lru.json`;
/** The format tag every content key and entry starts from (a change makes every old entry a miss). */
export const RESULT_FORMAT = 'duckpond-result/1';

const MAGIC = new TextEncoder().encode('DUCKPOND-RESULT\n');
const DIGEST = 32;

/**
 * The most inputs a stored trace may list: checking a trace costs one lookup per input, so a
 * longer one (a forged header listing millions) is refused as damaged, and a computation that read
 * more is not stored (it is recomputed on each open).
 */
export const MAX_TRACE_INPUTS = 4096;
/** The largest header an entry may have (its JSON: the config and the trace, glob result lists included). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** The largest result of one dynamic node unless configured (well under a browser tab's memory): no stored body bigger is read. */
export const DEFAULT_MAX_RESULT_BYTES = 512 * 1024 * 1024;

/** The largest entry that can hold a result body of `bodyBytes`: what a reader may read for it, at most. */
export function maxEntryBytes(bodyBytes: number): number {
  return MAGIC.length + 4 + MAX_HEADER_BYTES + bodyBytes + DIGEST;
}

/** One input of a stored computation, with the content identity it had when the result was made. */
export type TraceInput =
  /** A node by path: `read` when its content was read (id: the sha256s of its versions), else its identity (stat); id `absent` when nothing was there. */
  | { kind: 'node'; path: string; read: boolean; id: string }
  /** A glob's full result list (paths, captures, types) as JSON. */
  | { kind: 'glob'; pattern: string; cwd: string; result: string }
  /** A dynamic node's result: id is that computation's content key. */
  | { kind: 'dynamic'; path: string; id: string };

/** What an entry says about its result. */
export interface ResultHeader {
  format: typeof RESULT_FORMAT;
  /** The content key: sha256 of the factory, path, config and every input's identity. */
  key: string;
  factory: string;
  path: string;
  config: string;
  type: 'file:data' | 'file:table' | 'file:series';
  inputs: TraceInput[];
}

const traceSchema = z.union([
  z.object({ kind: z.literal('node'), path: z.string(), read: z.boolean(), id: z.string() }),
  z.object({ kind: z.literal('glob'), pattern: z.string(), cwd: z.string(), result: z.string() }),
  z.object({ kind: z.literal('dynamic'), path: z.string(), id: z.string() }),
]);
const headerSchema = z.object({
  format: z.literal(RESULT_FORMAT),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  factory: z.string(),
  path: z.string(),
  config: z.string(),
  type: z.enum(['file:data', 'file:table', 'file:series']),
  inputs: z.array(traceSchema),
});

/** The slot of a dynamic node definition: sha256 of factory, path and config text. */
export async function resultSlot(factory: string, path: string, config: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(`${RESULT_FORMAT}\n${factory}\n${path}\n${config}`));
}

/** The store key of a slot. */
export function resultKey(slot: string): string {
  return `${RESULTS_DIR}${slot}`;
}

/** The slot a key names, or undefined when the key is not an entry's (the LRU record, a stray file). */
export function slotOfKey(key: string): string | undefined {
  const m = /^_results\/([0-9a-f]{64})$/.exec(key);
  return m?.[1];
}

/** An entry's bytes: magic, header length (u32 LE), header JSON, body, then sha256 of everything before. */
export async function encodeResultEntry(header: ResultHeader, body: Uint8Array): Promise<Uint8Array> {
  if (header.inputs.length > MAX_TRACE_INPUTS) throw pondError('ETOOBIG', header.path, `a result made from more than ${MAX_TRACE_INPUTS} inputs is not stored`);
  const head = new TextEncoder().encode(JSON.stringify(header));
  if (head.length > MAX_HEADER_BYTES)
    throw pondError('ETOOBIG', header.path, `a result whose input list takes more than ${MAX_HEADER_BYTES} bytes is not stored`);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, head.length, true);
  const sealed = concatBytes([MAGIC, len, head, body]);
  const digest = await sha256(sealed);
  return concatBytes([sealed, digest]);
}

/**
 * Decode and verify an entry read from `key`: ECORRUPT naming the key when it is cut short, its
 * seal does not match, its header is malformed, or it sits in another definition's slot.
 */
export async function decodeResultEntry(bytes: Uint8Array, key: string): Promise<{ header: ResultHeader; body: Uint8Array }> {
  const bad = (why: string) => pondError('ECORRUPT', key, `stored result ${why}`);
  if (bytes.length < MAGIC.length + 4 + DIGEST) throw bad('is cut short');
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw bad('is not a result entry');
  const sealed = bytes.subarray(0, bytes.length - DIGEST);
  if (!sameBytes(await sha256(sealed), bytes.subarray(bytes.length - DIGEST))) throw bad('does not match its sha256 (damaged or cut short)');
  const headLen = new DataView(bytes.buffer, bytes.byteOffset + MAGIC.length, 4).getUint32(0, true);
  const start = MAGIC.length + 4;
  if (start + headLen > sealed.length) throw bad('has a header longer than the entry');
  if (headLen > MAX_HEADER_BYTES) throw bad(`has a header over ${MAX_HEADER_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(sealed.subarray(start, start + headLen)));
  } catch {
    throw bad('has a header that is not JSON');
  }
  // Before the schema walks them: a trace this long is refused whatever its inputs say.
  const inputs = (json as { inputs?: unknown } | null)?.inputs;
  if (Array.isArray(inputs) && inputs.length > MAX_TRACE_INPUTS) throw bad(`lists more than ${MAX_TRACE_INPUTS} inputs`);
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw bad(`has a malformed header (${parsed.error.issues[0].path.join('.') || 'top'})`);
  const header = parsed.data as ResultHeader;
  const slot = slotOfKey(key);
  if (slot !== undefined && slot !== (await resultSlot(header.factory, header.path, header.config))) throw bad('is in the slot of another node');
  return { header, body: sealed.subarray(start + headLen) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
