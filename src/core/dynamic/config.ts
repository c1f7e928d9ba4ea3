import YAML from 'yaml';
import { z } from 'zod';
import { pondError, type PondError } from '../errors.ts';

/**
 * Parse a factory config a person typed: YAML or JSON (JSON is YAML). ECONFIG naming `path` and
 * the line when it does not parse.
 * @example parseConfigText('query: SELECT 1\ntables: {}', '/reports/q')
 */
export function parseConfigText(text: string, path: string): unknown {
  try {
    // logLevel 'error': YAML warnings (unknown tags, odd directives) would go to the console, not the user.
    return YAML.parse(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (e) {
    const pos = (e as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw pondError('ECONFIG', path, `config is not valid YAML or JSON${where}: ${reason}`, { line: pos?.line, column: pos?.col }, e);
  }
}

// Config maps are null-prototype maps; the helper is shared with the Delta log parser (tlogfs), which must not import dynamic.
export { configRecord } from '../schema-record.ts';

/** One config problem: the field as a dotted zod path ('' for the whole config) and why. */
export interface ConfigIssue {
  field: string;
  reason: string;
}

/** Validate `config` against a factory's schema; ECONFIG naming the node path, each field and reason. */
export function validateWithSchema<C>(schema: z.ZodType<C>, config: unknown, factory: string, path: string): C {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  throw configError(
    path,
    factory,
    r.error.issues.map((i) => toIssue(i, config)),
  );
}

/** The ECONFIG error for a list of issues. */
export function configError(path: string, factory: string, issues: ConfigIssue[]): PondError {
  const text = issues.map((i) => (i.field ? `${i.field}: ${i.reason}` : i.reason)).join('; ');
  return pondError('ECONFIG', path, `invalid ${factory} config: ${text}`, { factory, issues });
}

function toIssue(issue: z.core.$ZodIssue, config: unknown): ConfigIssue {
  const field = fieldName(issue.path);
  let reason = issue.message;
  // zod names the offending record key only in its own structure; put it into the message.
  if (issue.code === 'unrecognized_keys') reason = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  // A union (e.g. a schema given as a list or a map) fails as a bare "Invalid input": say what is wrong.
  if (issue.code === 'invalid_union') {
    if (valueAt(config, issue.path) === undefined) reason = 'required';
    else {
      const closest = issue.errors
        .map((branch) => branch[0])
        .filter((i): i is z.core.$ZodIssue => i !== undefined)
        .sort((a, b) => b.path.length - a.path.length)[0];
      if (closest) reason = `${closest.path.length ? `${fieldName(closest.path)}: ` : ''}${closest.message}`;
    }
  }
  return { field, reason };
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
