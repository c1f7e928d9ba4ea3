/**
 * The process entry of the bundle: runs `main` and exits with its code. A closed pipe (`pond cat
 * … | head`) ends the process quietly, as other Unix tools do.
 */
import { describeError } from './errors.ts';
import { main } from './main.ts';

// Whatever escapes a command still ends as one line, never a stack trace.
const fail = (e: unknown): void => {
  const { line, exitCode } = describeError(e);
  process.stderr.write(`pond: ${line}\n`);
  process.exit(exitCode);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await main(process.argv.slice(2));
// Exit once stdout has taken everything (it may be an async pipe); the SQL engine or a store may hold handles.
process.stdout.write('', () => process.exit(code));
