import { pondError } from '../errors.ts';

/** Delta protocol versions this pond writes: reader 1, writer 2. */
export const PROTOCOL = { minReaderVersion: 1, minWriterVersion: 2 } as const;

export interface AddAction {
  path: string;
  partitionValues: Record<string, string>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
}
export interface RemoveAction {
  path: string;
  deletionTimestamp?: number;
  dataChange: boolean;
}
export interface MetaDataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number;
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
/** One line of a Delta commit file. */
export type Action =
  | { protocol: typeof PROTOCOL | { minReaderVersion: number; minWriterVersion: number } }
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

/** Parse a commit file; a torn or unparseable one is ECORRUPT naming the key. */
export function parseCommit(bytes: Uint8Array, key: string): { actions: Action[]; commitInfo: CommitInfoAction | undefined } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw pondError('ECORRUPT', key, 'commit file is not UTF-8');
  }
  if (!text.endsWith('\n')) throw pondError('ECORRUPT', key, 'commit file is truncated (no final newline)');
  const actions: Action[] = [];
  let commitInfo: CommitInfoAction | undefined;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = 0; i < lines.length; i++) {
    let a: unknown;
    try {
      a = JSON.parse(lines[i]);
    } catch {
      throw pondError('ECORRUPT', key, `line ${i + 1} is not JSON`);
    }
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw pondError('ECORRUPT', key, `line ${i + 1} is not an action object`);
    if ('commitInfo' in a) commitInfo = (a as { commitInfo: CommitInfoAction }).commitInfo;
    else actions.push(a as Action);
  }
  if (lines.length === 0) throw pondError('ECORRUPT', key, 'commit file is empty');
  return { actions, commitInfo };
}

/** Our own commits always end with commitInfo; one without it was cut short. */
export function isComplete(parsed: { commitInfo: CommitInfoAction | undefined }): boolean {
  return parsed.commitInfo !== undefined;
}
