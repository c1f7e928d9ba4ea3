/**
 * The `pond` command line (Node only): global options, dispatch to one command module, and the
 * one-line error report. Built into dist-cli/ by scripts/build-cli.mjs; bin/pond.mjs runs it.
 */
import { parseArgs } from 'node:util';
import { GLOBAL_OPTIONS, stringOption, type Command, type CommandRun } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { describeError, usageError } from './errors.ts';
import { commandHelp, mainHelp } from './help.ts';
import { paint, processOutput, type Output } from './output.ts';
import { pondDir } from './pond-dir.ts';

/** Global options before the command: their values and where the command starts. */
function splitGlobal(argv: string[]): { pond?: string; help: boolean; rest: string[] } {
  let pond: string | undefined;
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--pond') {
      if (i + 1 >= argv.length) throw usageError('--pond needs a DIR');
      pond = argv[++i];
    } else if (a.startsWith('--pond=')) pond = a.slice('--pond='.length);
    else if (a === '-h' || a === '--help') help = true;
    else if (a.startsWith('-')) throw usageError(`unknown option ${a} (options of a command come after its name)`);
    else break;
  }
  return { pond, help, rest: argv.slice(i) };
}

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: Output = processOutput(env)): Promise<number> {
  try {
    const global = splitGlobal(argv);
    const [name, ...args] = global.rest;
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === args[0]) : undefined;
      out.stdout.write(topic ? commandHelp(topic) : mainHelp(COMMANDS));
      return name === undefined && !global.help ? 2 : 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw usageError(`unknown command ${JSON.stringify(name)} (see pond --help)`);
    return await runCommand(command, args, global.pond, env, out, global.help);
  } catch (e) {
    const { line, exitCode } = describeError(e);
    out.stderr.write(`${paint(out.stderr.isTTY === true && out.color, 'red', 'pond:')} ${line}\n`);
    return exitCode;
  }
}

async function runCommand(
  command: Command,
  args: string[],
  globalPond: string | undefined,
  env: NodeJS.ProcessEnv,
  out: Output,
  help: boolean,
): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  if (help || values.help === true) {
    out.stdout.write(commandHelp(command));
    return 0;
  }
  const run: CommandRun = {
    values,
    positionals,
    pondDir: () => pondDir(stringOption(values, 'pond') ?? globalPond, env),
    out,
    env,
  };
  return (await command.run(run)) ?? 0;
}
