/** The kinds of node a pond holds. */
export type EntryType = 'directory' | 'symlink' | 'file:data' | 'file:table' | 'file:series';

export const ENTRY_TYPES: readonly EntryType[] = ['directory', 'symlink', 'file:data', 'file:table', 'file:series'];

/** Factory name of static (stored) content. */
export const STATIC_FACTORY = 'tlogfs';

/** The fixed node id of the root directory. */
export const ROOT_ID = '00000000-0000-7000-8000-000000000000';

/** True for the three file entry types. */
export function isFileType(t: EntryType): t is 'file:data' | 'file:table' | 'file:series' {
  return t === 'file:data' || t === 'file:table' || t === 'file:series';
}

/** Validate an entry type coming from outside (a stored row, a user option). */
export function isEntryType(s: unknown): s is EntryType {
  return typeof s === 'string' && (ENTRY_TYPES as readonly string[]).includes(s);
}
