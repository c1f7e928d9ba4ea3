/**
 * How the command line reports failure: one line `pond: CODE: message` on stderr and an exit code,
 * never a stack trace. Core's PondErrors carry their code; usage errors and host I/O errors get one.
 */
import { isPondError } from '../core/index.ts';

/** Exit code of a failed command. */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that does not parse (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/** An error the CLI raises itself: a code, a message and the exit code it ends the process with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A usage error (exit code 2): the command line itself is wrong. */
export function usageError(message: string): CliError {
  return new CliError('EUSAGE', message, EXIT_USAGE);
}

/** The one line (without the `pond: ` prefix) and exit code that report `e`. */
export function describeError(e: unknown): { line: string; exitCode: number } {
  if (e instanceof CliError) return { line: `${e.code}: ${firstLine(e.message)}`, exitCode: e.exitCode };
  // PondError messages already start with their code.
  if (isPondError(e)) return { line: firstLine(e.message), exitCode: EXIT_FAILURE };
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  // util.parseArgs errors: the command line is wrong.
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { line: `EUSAGE: ${firstLine(message)}`, exitCode: EXIT_USAGE };
  // Node's own errors (host files): ENOENT, EACCES, ... with the path in the message.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { line: `${code}: ${firstLine(message.replace(/^E[A-Z]+: /, ''))}`, exitCode: EXIT_FAILURE };
  return { line: `EINTERNAL: ${firstLine(message)}`, exitCode: EXIT_FAILURE };
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
