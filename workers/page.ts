/**
 * The page's one runtime door into workers/: src/main.ts and src/ui import nothing else from here
 * at runtime (their types come from api.ts). It holds the error transfer the page installs, the
 * PondError test for the errors that arrive through it, and where an imported file will land (pure,
 * shown by the import dialog before anything is written). It is in the first screen's bundle: keep
 * it small, and import core only through its entry point.
 */
export { installErrorTransfer, isPondError } from './error-transfer.ts';
export { importTarget } from './importer-names.ts';
