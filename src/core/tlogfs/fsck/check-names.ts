/** fsck's name check: entries of one directory whose names are equal in NFC (they look identical). */
import { nfc } from '../../tinyfs/path.ts';
import { join, type FsckProblem, type Snapshot } from './types.ts';

/** The `name-twins` notices of one directory at pond path `here` (not repaired: what to keep is a choice). */
export function checkNames(here: string, snap: Snapshot): FsckProblem[] {
  const notices: FsckProblem[] = [];
  const spellings = new Map<string, string[]>();
  for (const e of snap.entries) spellings.set(nfc(e.name), [...(spellings.get(nfc(e.name)) ?? []), e.name]);
  for (const [key, all] of spellings) {
    if (all.length < 2) continue;
    // The NFC spelling first: it is the one to keep, the others are to rename.
    const names = [...all.filter((n) => n === key), ...all.filter((n) => n !== key)];
    const paths = names.map((n) => join(here, n));
    notices.push({
      kind: 'name-twins',
      path: snap.copy.file,
      pondPaths: paths,
      repairable: false,
      message: `${here} holds ${names.length} entries whose names are equal in NFC and look identical: ${names.map((n) => JSON.stringify(n)).join(', ')}; each reads under its exact spelling`,
      nextStep: `Keep one name: rename the others to distinct names (e.g. pond mv ${JSON.stringify(paths[1])} ${JSON.stringify(`${paths[0]}-2`)}); new names are always written in NFC.`,
    });
  }
  return notices;
}
