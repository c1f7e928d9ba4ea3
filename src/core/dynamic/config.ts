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

/**
 * A map in a config (table names, column names, ...) as a null-prototype object: every key a
 * person wrote is an ordinary key, `__proto__`, `constructor` and `toString` included. (`z.record`
 * builds a plain object, where `__proto__` is dropped and `constructor` is found on every map.)
 * Each key and value is checked; problems are named `<field>.<key>`.
 */
export function configRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V): z.ZodType<Record<string, z.output<V>>> {
  return z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected a map of names to values' })
    .transform((obj, ctx) => {
      const out = Object.create(null) as Record<string, z.output<V>>;
      for (const k of Object.keys(obj)) {
        const kr = key.safeParse(k);
        if (!kr.success) for (const i of kr.error.issues) ctx.addIssue({ code: 'custom', path: [k], message: `name ${JSON.stringify(k)}: ${i.message}` });
        // An own '__proto__' property (JSON.parse and YAML make one) reads as its value here.
        const vr = value.safeParse(Object.getOwnPropertyDescriptor(obj, k)?.value);
        if (!vr.success) for (const i of vr.error.issues) ctx.addIssue({ code: 'custom', path: [k, ...i.path], message: i.message });
        else Object.defineProperty(out, k, { value: vr.data, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }) as unknown as z.ZodType<Record<string, z.output<V>>>;
}

/** One config problem: the field as a dotted zod path ('' for the whole config) and why. */
export interface ConfigIssue {
  field: string;
  reason: string;
}

/** Validate `config` against a factory's schema; ECONFIG naming the node path, each field and reason. */
export function validateWithSchema<C>(schema: z.ZodType<C>, config: unknown, factory: string, path: string): C {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  throw configError(path, factory, r.error.issues.map((i) => toIssue(i, config)));
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
      const closest = issue.errors.map((branch) => branch[0]).filter((i): i is z.core.$ZodIssue => i !== undefined)
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
