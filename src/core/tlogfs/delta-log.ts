import { z } from 'zod';
import { pondError, type PondError } from '../errors.ts';
import { keyProblem } from '../storage/common.ts';
import { configRecord } from '../schema-record.ts';

/** Delta protocol versions this pond writes (and the highest it reads and writes): reader 1, writer 2. */
export const PROTOCOL = { minReaderVersion: 1, minWriterVersion: 2 } as const;

/** The partition column (oplog-schema.ts's PARTITION_COLUMN, repeated here so the log parser needs no Arrow). */
const PARTITION_COLUMN = 'part_id';

export interface AddAction {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string | null;
  [key: string]: unknown;
}
export interface RemoveAction {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  [key: string]: unknown;
}
export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}
export interface MetaDataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}
export interface CommitInfoAction {
  timestamp: number;
  operation: string;
  operationParameters?: Record<string, unknown>;
  txn_seq: number;
  message: string;
  engineInfo?: string;
  [key: string]: unknown;
}
/** One line of a Delta commit file. Lines of other kinds (txn, cdc, domainMetadata, …) are kept as they are. */
export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetaDataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { commitInfo: CommitInfoAction }
  | Record<string, unknown>;

export const LOG_DIR = '_delta_log/';
export const LAST_CHECKPOINT_KEY = '_delta_log/_last_checkpoint';

/** The key of the commit file for `version`: 20 zero-padded digits. */
export function logKey(version: number): string {
  return `${LOG_DIR}${String(version).padStart(20, '0')}.json`;
}

/** The version a commit-file key names, or undefined for other files in `_delta_log/`. */
export function versionOfKey(key: string): number | undefined {
  const m = /^_delta_log\/(\d{20})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/**
 * Encode actions as newline-delimited JSON. `commitInfo` goes last, so a file cut short at any
 * byte lacks it and is recognised as torn.
 */
export function encodeCommit(actions: Action[], info: CommitInfoAction): Uint8Array {
  const lines = [...actions, { commitInfo: info }].map((a) => JSON.stringify(a));
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

// Shapes of the actions this pond reads. Extra fields pass (other engines write more); the fields
// we use must have the right type, so a hostile log fails here, typed, instead of deep in a replay.
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
// Maps are null-prototype: a "__proto__" key is read as written (z.record would drop it silently).
const stringMap = configRecord(z.string(), z.string());
const addSchema = z.looseObject({
  path: z.string().min(1),
  partitionValues: configRecord(z.string(), z.string().nullable()),
  size: count,
  modificationTime: z.number(),
  dataChange: z.boolean(),
  stats: z.string().nullish(),
});
const removeSchema = z.looseObject({
  path: z.string().min(1),
  deletionTimestamp: z.number().nullish(),
  dataChange: z.boolean(),
});
const protocolSchema = z.looseObject({
  minReaderVersion: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  minWriterVersion: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  readerFeatures: z.array(z.string()).optional(),
  writerFeatures: z.array(z.string()).optional(),
});
const metaDataSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  format: z.looseObject({ provider: z.string(), options: stringMap.optional().default({}) }),
  schemaString: z.string(),
  partitionColumns: z.array(z.string()),
  configuration: stringMap.optional().default({}),
  createdTime: z.number().nullish(),
});
const commitInfoSchema = z.looseObject({
  timestamp: z.number().optional(),
  operation: z.string().optional(),
  txn_seq: count.optional(),
  message: z.string().optional(),
});
const ACTION_SCHEMAS = { add: addSchema, remove: removeSchema, protocol: protocolSchema, metaData: metaDataSchema, commitInfo: commitInfoSchema } as const;
type Known = keyof typeof ACTION_SCHEMAS;
const KNOWN = Object.keys(ACTION_SCHEMAS) as Known[];

/** Top-level folders of the store that are never data files of the table. */
const NOT_DATA = new Set(['_delta_log', '_large_files', '_lost+found', '_results', '.duckpond', 'duckpond-index.json']);

/**
 * Why an add/remove `path` does not name a data file inside this table, or undefined when it does.
 * Delta paths are URI-encoded and relative; this pond reads them as store keys as written.
 */
function dataPathProblem(path: string): string | undefined {
  try {
    decodeURIComponent(path);
  } catch {
    return 'has a bad % escape';
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return 'is an absolute URI; a pond reads only files inside its own table';
  const problem = keyProblem(path);
  if (problem) return problem;
  if (NOT_DATA.has(path.split('/')[0])) return "names a file outside the table's data files";
  return undefined;
}

/** The partition (parent directory's node id) of an add action: partitionValues, or the `part_id=` folder. */
export function partIdOf(add: { path: string; partitionValues?: Record<string, string | null> }): string {
  return add.partitionValues?.[PARTITION_COLUMN] ?? folderPartId(add.path) ?? '';
}

function folderPartId(path: string): string | undefined {
  const m = /(?:^|\/)part_id=([^/]+)\//.exec(path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** Check one action's shape; returns a reason (with the offending field) or undefined. */
function actionProblem(kind: Known, value: unknown): { problem?: string; value?: unknown } {
  const parsed = ACTION_SCHEMAS[kind].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = [kind, ...issue.path.map(String)].join('.');
    return { problem: `${at}: ${issue.message}` };
  }
  if (kind === 'add' || kind === 'remove') {
    const a = parsed.data as { path: string; partitionValues?: Record<string, string | null> };
    const bad = dataPathProblem(a.path);
    if (bad) return { problem: `${kind}.path ${JSON.stringify(a.path.slice(0, 200))} ${bad}` };
    if (kind === 'add') {
      const declared = a.partitionValues?.[PARTITION_COLUMN];
      const folder = folderPartId(a.path);
      if ((declared ?? folder) === undefined) return { problem: `add.path ${JSON.stringify(a.path)} has no ${PARTITION_COLUMN}` };
      if (declared != null && folder !== undefined && declared !== folder) {
        return { problem: `add.path is in ${PARTITION_COLUMN}=${folder} but partitionValues say ${declared}` };
      }
      const stats = (parsed.data as AddAction).stats;
      if (typeof stats === 'string' && numRecordsOf(stats) === 'bad') return { problem: 'add.stats is not a JSON object with a valid numRecords' };
    }
  }
  return { value: parsed.data };
}

/** `numRecords` from an add action's stats JSON: a count, undefined when absent, 'bad' when malformed. */
export function numRecordsOf(stats: string | null | undefined): number | undefined | 'bad' {
  if (stats === null || stats === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(stats);
  } catch {
    return 'bad';
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'bad';
  const n = (json as { numRecords?: unknown }).numRecords;
  if (n === undefined || n === null) return undefined;
  return count.safeParse(n).success ? (n as number) : 'bad';
}

/** Delta actions this build reads; `txn`, `cdc` and the rest are valid lines it has no use for. */
const DELTA_ACTIONS = new Set<string>([...KNOWN, 'txn', 'cdc', 'domainMetadata', 'checkpointMetadata', 'sidecar']);

/**
 * Validate one decoded action object (a log line or a checkpoint row); ECORRUPT naming `key` when
 * it is malformed. A line is exactly one Delta action: an empty object or an unknown key would
 * otherwise be skipped, and a deleted `add` would silently hide a commit's data.
 */
export function checkAction(a: unknown, key: string, where: string): Action {
  if (a === null || typeof a !== 'object' || Array.isArray(a)) throw corrupt(key, `${where} is not an action object`, false);
  const keys = Object.keys(a);
  if (keys.length !== 1 || !DELTA_ACTIONS.has(keys[0])) {
    throw corrupt(key, `${where} is not one Delta action (keys: ${JSON.stringify(keys.slice(0, 5))})`, false);
  }
  const kind = keys[0];
  if (!(KNOWN as string[]).includes(kind)) return a as Action;
  const { problem, value } = actionProblem(kind as Known, (a as Record<string, unknown>)[kind]);
  if (problem) throw corrupt(key, `${where}: ${problem}`, false);
  return { [kind]: value } as Action;
}

function corrupt(key: string, reason: string, torn: boolean): PondError {
  return pondError('ECORRUPT', key, reason, { torn });
}

/**
 * Parse and validate a commit file. A file cut short (no final newline) is ECORRUPT with
 * `data.torn = true`; one cut at a line boundary parses with no commitInfo (see isComplete).
 * Any other damage (not UTF-8, a line that is not JSON, an action of the wrong shape, a path
 * leaving the table) is ECORRUPT with `data.torn = false`: the file was written whole and is wrong.
 */
export function parseCommit(bytes: Uint8Array, key: string): { actions: Action[]; commitInfo: CommitInfoAction | undefined } {
  if (bytes.length === 0) throw corrupt(key, 'commit file is empty', true);
  if (bytes[bytes.length - 1] !== 0x0a) throw corrupt(key, 'commit file is truncated (no final newline)', true);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw corrupt(key, 'commit file is not UTF-8', false);
  }
  const actions: Action[] = [];
  let commitInfo: CommitInfoAction | undefined;
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    seen++;
    let json: unknown;
    try {
      json = JSON.parse(lines[i]);
    } catch {
      throw corrupt(key, `line ${i + 1} is not JSON`, false);
    }
    const a = checkAction(json, key, `line ${i + 1}`);
    if (commitInfo !== undefined) throw corrupt(key, `line ${i + 1} follows commitInfo, which is always the last line`, false);
    if ('commitInfo' in a) commitInfo = a.commitInfo as CommitInfoAction;
    else actions.push(a);
  }
  if (seen === 0) throw corrupt(key, 'commit file is empty', true);
  return { actions, commitInfo };
}

/** Our own commits always end with commitInfo; one without it was cut short. */
export function isComplete(parsed: { commitInfo: CommitInfoAction | undefined }): boolean {
  return parsed.commitInfo !== undefined;
}

/** True for the ECORRUPT of a commit file cut short (as a crash mid-write leaves it), as opposed to a damaged one. */
export function isTorn(e: unknown): boolean {
  return (e as { data?: { torn?: unknown } } | null)?.data?.torn === true;
}

/**
 * The protocol check: EUNSUPPORTED naming both versions when the table needs a newer reader
 * (or, with `write`, a newer writer) or table features this build does not implement.
 */
export function checkProtocol(protocol: ProtocolAction | undefined, key: string, write = false): void {
  if (!protocol) return;
  const { minReaderVersion: r, minWriterVersion: w } = protocol;
  if (r > PROTOCOL.minReaderVersion) {
    throw pondError('EUNSUPPORTED', key, `the table needs Delta reader version ${r}; this build reads version ${PROTOCOL.minReaderVersion}`, {
      minReaderVersion: r,
      supported: PROTOCOL.minReaderVersion,
    });
  }
  if (protocol.readerFeatures?.length) {
    throw pondError('EUNSUPPORTED', key, `the table needs Delta reader features ${protocol.readerFeatures.join(', ')}, which this build does not implement`, {
      readerFeatures: protocol.readerFeatures,
    });
  }
  if (!write) return;
  if (w > PROTOCOL.minWriterVersion) {
    throw pondError('EUNSUPPORTED', key, `the table needs Delta writer version ${w}; this build writes version ${PROTOCOL.minWriterVersion}`, {
      minWriterVersion: w,
      supported: PROTOCOL.minWriterVersion,
    });
  }
  if (protocol.writerFeatures?.length) {
    throw pondError('EUNSUPPORTED', key, `the table needs Delta writer features ${protocol.writerFeatures.join(', ')}, which this build does not implement`, {
      writerFeatures: protocol.writerFeatures,
    });
  }
}
