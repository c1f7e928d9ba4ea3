/**
 * Errors as the user reads them: what went wrong (code and path from the worker's PondError) and
 * what to do about it.
 */
import { isPondError } from '../../../workers/page.ts';

export interface ErrorInfo {
  code: string | null;
  path: string | null;
  message: string;
  hint: string | null;
}

/** What to do, by PondError code. */
const HINTS: Record<string, string> = {
  ENOENT: 'It may have been renamed or removed. Pick it again in the Explorer, or check the path and pattern.',
  EEXIST: 'Something by that name exists already: choose another name.',
  ENOTDIR: 'A part of the path is a file, not a folder.',
  EISDIR: 'That is a folder; pick a file.',
  ENOTEMPTY: 'The folder is not empty: remove what is inside first.',
  ELOOP: 'Symlinks or dynamic nodes refer to each other in a circle; fix one of their targets.',
  EINVAL: 'Check the name or value you entered.',
  EROFS: 'This view is read-only: an older version (go back to the latest), or a published pond (make a local copy to change it).',
  EIO: 'The pond could not be fetched: check the network, or whether the host still publishes it.',
  EFACTORY: 'The dynamic node could not be computed. Check its config in the Inspector, and that its inputs exist.',
  ECONFIG: 'Fix the config fields named above.',
  ECORRUPT: 'Stored data is damaged. Export the pond as a zip to keep what can be read.',
  ECONFLICT: 'Another tab is writing to this pond. Try again in a moment.',
  EQUOTA: 'Storage is full: delete ponds you no longer need, or request persistent storage in Storage.',
  ETIMEOUT: 'It ran too long. Narrow the query, or raise timeout_ms in the config.',
  ESQL: 'Check the SQL and that every table it names is bound to a pattern.',
  ETOOBIG: 'The result is too big; add a LIMIT or a filter.',
  ECLOSED: 'No pond is open: create or open one in Storage.',
  EUNSUPPORTED: 'This build cannot do that (yet). If the message mentions a newer DuckPond, reload the page to update it.',
};

/** Code, path, message (without the repeated code prefix) and a hint for any thrown value. */
export function describeError(e: unknown): ErrorInfo {
  if (isPondError(e)) {
    const prefix = `${e.code}: `;
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    const path = typeof e.data?.path === 'string' ? e.data.path : null;
    return { code: e.code, path, message, hint: HINTS[e.code] ?? null };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: null, path: null, message, hint: null };
}
