/** The text of `pond --help` and `pond <command> --help`. */
import type { Command } from './command.ts';

/** The overview: usage, global options and the command list. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `pond: a versioned filesystem of data with dynamic files (DuckPond)

Usage: pond [--pond DIR] <command> [options] [arguments]

Global options:
  --pond DIR   the pond directory (default: $POND)
  -h, --help   show help (pond <command> --help for one command)

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Examples:
  pond init --pond ./mypond
  export POND=./mypond
  pond copy host:///tmp/data.csv /data/readings.csv
  pond cat csv:///data/readings.csv --sql "SELECT count(*) FROM source"
  pond publish ./site/ponds/mypond

Errors print one line, 'pond: CODE: message', and exit non-zero.
`;
}

/** One command's help. */
export function commandHelp(c: Command): string {
  return `Usage: pond ${c.usage}

${c.summary}.

${c.details}

Global options: --pond DIR (default: $POND), -h/--help
`;
}
