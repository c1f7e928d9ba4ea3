/**
 * Where an imported file lands and as what. Pure, and shared with the UI so that the import dialog
 * shows each file's destination before anything is written.
 */
import type { ImportAs } from './api.ts';

const TABLE_EXTENSIONS = /\.(csv|tsv|parquet|arrow|feather|ipc)$/i;

/** The name and entry type `name` gets when imported `as` (auto: tabular extensions become tables). */
export function importTarget(name: string, as: ImportAs = 'auto'): { name: string; type: 'file:data' | 'file:table' | 'file:series' } {
  const tabular = TABLE_EXTENSIONS.test(name);
  if (as === 'file:data' || (as === 'auto' && !tabular)) return { name, type: 'file:data' };
  // A table is stored as Parquet whatever it came from, so the source format's extension would lie.
  const stem = tabular ? name.replace(TABLE_EXTENSIONS, '') : name;
  return { name: stem || name, type: as === 'file:series' ? 'file:series' : 'file:table' };
}
