/**
 * The shape of one `pond` command: its name, help text, options (node's util.parseArgs) and what it
 * runs. Every command takes the global options too (`--pond`, `--help`).
 */
import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.ts';

/** parseArgs option specs. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  pond: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

/** Parsed options: strings, booleans, or lists of them for `multiple` options. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command receives. */
export interface CommandRun {
  values: OptionValues;
  positionals: string[];
  /** The pond directory, resolved from `--pond` or `$POND` (throws when neither is set). */
  pondDir(): string;
  out: Output;
  env: NodeJS.ProcessEnv;
}

/** One command of the CLI. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The synopsis after `pond `, e.g. `cat PATH [--format F]`. */
  usage: string;
  /** Options and examples, shown by `pond <command> --help`. */
  details: string;
  options: OptionSpecs;
  /** Exit code (0 when nothing is returned). */
  run(args: CommandRun): Promise<number | void>;
}

/** A string option's value (the last one when repeated). */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return stringOption({ [name]: v[v.length - 1] }, name);
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable (`multiple`) string option, in order; empty when absent. */
export function stringListOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}
