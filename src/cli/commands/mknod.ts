/**
 * `pond mknod`: create a dynamic node from a YAML config file (Rust's format), after expanding
 * `${env:VAR}` references; `--overwrite` gives an existing node a new config version.
 */
import { readFile } from 'node:fs/promises';
import { isPondError, normalizePath, parseConfigText } from '../../core/index.ts';
import { stringOption, type Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { withPond } from '../pond-dir.ts';

/** `text` with each `${env:NAME}` replaced by that environment variable; a missing one is an error. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) throw new CliError('ECONFIG', `${where}: \${env:${name}} is not set`);
    return value;
  });
}

export const mknod: Command = {
  name: 'mknod',
  summary: 'Create a dynamic node from a factory and a YAML config',
  usage: 'mknod FACTORY PATH --config-path FILE [--overwrite]',
  details: `The config is YAML (JSON works too); \${env:VAR} is replaced by the environment variable VAR.
See 'pond list-factories' for the factories.

Options:
  --config-path FILE   the config file on the host (required)
  --overwrite          replace the config of an existing node (a new version)

Example:
  pond mknod sql_query /reports/daily --config-path daily.yaml`,
  options: { 'config-path': { type: 'string' }, overwrite: { type: 'boolean' } },
  async run({ values, positionals, pondDir, env }) {
    if (positionals.length !== 2) throw usageError('mknod needs a FACTORY and a PATH');
    const [factory, rawPath] = positionals;
    const configPath = stringOption(values, 'config-path');
    if (!configPath) throw usageError('mknod needs --config-path FILE');
    const path = normalizePath(rawPath.startsWith('/') ? rawPath : `/${rawPath}`);
    const config = parseConfigText(expandEnv(await readFile(configPath, 'utf8'), env, configPath), path);
    await withPond(pondDir(), async (pond) => {
      if (values.overwrite !== true) {
        try {
          await pond.lookup(path, { follow: false });
          throw new CliError('EEXIST', `${path}: already exists (pass --overwrite to give it a new config)`);
        } catch (e) {
          if (!isPondError(e, 'ENOENT')) throw e;
        }
      }
      await pond.transact((tx) => tx.mknod(path, factory, config), { message: `mknod ${factory} ${path}` });
    });
  },
};
