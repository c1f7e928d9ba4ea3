// column-rename: the Rust DuckPond's table transform. A node holds rename rules (direct, with an
// optional cast, or a regex pattern); other factories name it in their `transforms` list and each
// input table goes through its rules before they use it. Rules, their order (the first rule that
// applies to a column wins), the regex replacement syntax and the cast types are Rust's.
import * as arrow from 'apache-arrow';
import type { RE2JS, Matcher } from 're2js';
import YAML from 'yaml';
import { z } from 'zod';
import { defineFactory, type FactoryContext } from '../dynamic/factory.ts';
import { validateWithSchema } from '../dynamic/config.ts';
import { pondError } from '../errors.ts';
import { normalizePath } from '../tinyfs/path.ts';
import { castVector, makeBatch } from './columns.ts';
import { parseTimestampText } from './rust-time.ts';

/** Cast names a direct rule may give, as Rust's `parse_arrow_type` knows them (any case). */
export const CAST_TYPES = ['timestamp', 'utf8', 'string', 'int64', 'int32', 'float64', 'float32', 'boolean'] as const;

const direct = z
  .object({
    type: z.literal('direct'),
    /** The column's exact name. */
    from: z.string().min(1),
    to: z.string().min(1),
    /** One of CAST_TYPES; `timestamp` is Timestamp(s, "+00:00") as in Rust. */
    cast: z
      .string()
      .refine((s) => (CAST_TYPES as readonly string[]).includes(s.toLowerCase()), { message: `unknown cast type (use ${CAST_TYPES.join(', ')})` })
      .optional(),
  })
  .strict();

const pattern = z
  .object({
    type: z.literal('pattern'),
    /** A regex in Rust's (RE2's) syntax, matched in linear time: `(?P<name>…)`, `(?i)`; no lookaround or backreferences. */
    pattern: z.string().min(1),
    /** `$1`, `${1}`, `$name`, `$$` as in Rust's `Regex::replace`. */
    replacement: z.string(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const compiled = checkRustRegex(r.pattern);
    if (!compiled.ok)
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `invalid regex: ${compiled.reason} (Rust regex syntax: no lookaround or backreferences)`,
      });
  });

const schema = z.object({ rules: z.array(z.discriminatedUnion('type', [direct, pattern])) }).strict();

export type ColumnRenameConfig = z.infer<typeof schema>;
export type RenameRule = ColumnRenameConfig['rules'][number];

/** column-rename: a transform node; reading it gives its rules as YAML (Rust's config file). */
export const columnRename = defineFactory({
  name: 'column-rename',
  description: 'Column rename transformation for table providers (used through the transforms field of other factories)',
  produces: 'file:data',
  schema,
  compute(_ctx, config) {
    return YAML.stringify(config);
  },
});

/**
 * Run `table` through the column-rename nodes at `paths`, in order (Rust's `transforms`). Each
 * path is resolved against `dir`; a node of another factory is EFACTORY naming it. The nodes'
 * rules are read through `ctx`, so changing them invalidates the caller's result.
 */
export async function applyTransforms(
  ctx: FactoryContext,
  table: arrow.Table,
  paths: readonly string[] | undefined,
  dir: string,
  source: string,
): Promise<arrow.Table> {
  for (const p of paths ?? []) {
    const abs = normalizePath(p, dir);
    const info = await ctx.stat(abs);
    if (info.factory !== columnRename.name)
      throw pondError(
        'EFACTORY',
        ctx.path,
        `transform ${abs} is a ${info.factory === 'tlogfs' ? 'stored file' : `${info.factory} node`}, not a table transform (column-rename)`,
      );
    const config = validateWithSchema(schema, YAML.parse(await ctx.readText(abs)), columnRename.name, abs);
    await loadRegexEngine();
    table = renameColumns(table, config, source);
  }
  return table;
}

/** The name `column` gets from the rules: the first rule that applies, else unchanged. */
export function renamedColumn(rules: readonly RenameRule[], column: string): string {
  for (const rule of rules) {
    if (rule.type === 'direct') {
      if (rule.from === column) return rule.to;
      continue;
    }
    const compiled = compileRustRegex(rule.pattern);
    if (!compiled.ok) continue;
    const m = compiled.regex.matcher(column);
    // Regex::replace: the first match only; start/end are UTF-16 indexes for a string input.
    if (m.find()) return column.slice(0, m.start()) + expandReplacement(rule.replacement, m, compiled.regex) + column.slice(m.end());
  }
  return column;
}

/**
 * `table` with its columns renamed (and cast where a direct rule says so). Two columns that end
 * up with one name are EFACTORY naming `source`, as a query over them would be ambiguous.
 */
export function renameColumns(table: arrow.Table, config: ColumnRenameConfig, source: string): arrow.Table {
  for (const rule of config.rules) {
    const compiled = rule.type === 'pattern' ? compileRustRegex(rule.pattern) : undefined;
    if (compiled && !compiled.ok)
      throw pondError(
        'EFACTORY',
        source,
        `column-rename pattern ${JSON.stringify(rule.type === 'pattern' ? rule.pattern : '')} is not a valid Rust regex: ${compiled.reason}`,
      );
  }
  const names = table.schema.fields.map((f) => renamedColumn(config.rules, f.name));
  // Rust's build_cast_map: the first direct rule whose `from` is the column decides the cast of its new name.
  const casts = new Map<string, string>();
  for (const f of table.schema.fields) {
    const rule = config.rules.find((r): r is Extract<RenameRule, { type: 'direct' }> => r.type === 'direct' && r.from === f.name);
    if (rule?.cast !== undefined) casts.set(rule.to, rule.cast.toLowerCase());
  }
  const seen = new Set<string>();
  for (const [i, n] of names.entries()) {
    if (seen.has(n))
      throw pondError(
        'EFACTORY',
        source,
        `column-rename gives two columns the name ${JSON.stringify(n)} (one is ${JSON.stringify(table.schema.fields[i].name)})`,
      );
    seen.add(n);
  }
  const fields = table.schema.fields.map((f, i) => {
    const cast = casts.get(names[i]);
    return new arrow.Field(names[i], cast ? castType(cast) : f.type, f.nullable || cast !== undefined, f.metadata);
  });
  const renamed = new arrow.Schema(fields, table.schema.metadata);
  if (casts.size === 0 && names.every((n, i) => n === table.schema.fields[i].name)) return table;
  const batches = table.batches.map((b) =>
    makeBatch(
      renamed,
      table.schema.fields.map((f, i) => {
        const v = b.getChildAt(i) as arrow.Vector;
        return casts.has(names[i]) ? castColumn(v, fields[i].type, { file: source, column: f.name }) : v;
      }),
      b.numRows,
    ),
  );
  return batches.length ? new arrow.Table(batches) : new arrow.Table(renamed);
}

function castType(name: string): arrow.DataType {
  switch (name) {
    case 'timestamp':
      return new arrow.TimestampSecond('+00:00');
    case 'utf8':
    case 'string':
      return new arrow.Utf8();
    case 'int64':
      return new arrow.Int64();
    case 'int32':
      return new arrow.Int32();
    case 'float64':
      return new arrow.Float64();
    case 'float32':
      return new arrow.Float32();
    default:
      return new arrow.Bool();
  }
}

/** Arrow's cast where Rust relies on it: integers to timestamps are seconds; anything else as combine casts. */
function castColumn(v: arrow.Vector, to: arrow.DataType, site: { file: string; column: string }): arrow.Vector {
  if (!arrow.DataType.isTimestamp(to)) return castVector(v, to, site);
  const secs = new BigInt64Array(v.length);
  const valid = new Uint8Array(Math.ceil(v.length / 8));
  let nulls = 0;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v.get(i);
    let s: number | bigint | undefined;
    if (x === null || x === undefined) s = undefined;
    else if (typeof x === 'bigint')
      s = x; // an Int64 cell counts seconds, as Arrow's cast reads it
    else if (typeof x === 'number') s = arrow.DataType.isTimestamp(v.type) || arrow.DataType.isDate(v.type) ? Math.floor(x / 1000) : Math.trunc(x);
    else if (typeof x === 'string') {
      // Arrow's string cast: RFC 3339 or `YYYY-MM-DD[ T]HH:MM:SS[.f]`, a time without offset is UTC (never the host's zone).
      const t = parseTimestampText(x);
      if (!t.ok)
        throw pondError('EFACTORY', site.file, `column ${site.column}, row ${i}: cannot cast to a timestamp: ${t.reason}`, {
          column: site.column,
          row: i,
        });
      s = Math.floor(t.ms / 1000);
    } else throw pondError('EFACTORY', site.file, `column ${site.column}, row ${i}: cannot cast a ${v.type} to a timestamp`, { column: site.column, row: i });
    if (s === undefined) nulls++;
    else {
      secs[i] = typeof s === 'bigint' ? s : BigInt(s);
      valid[i >> 3] |= 1 << (i & 7);
    }
  }
  return arrow.makeVector(arrow.makeData({ type: to, length: v.length, nullCount: nulls, nullBitmap: nulls ? valid : undefined, data: secs }));
}

// Compiled rules, by source: renamedColumn runs once per column and rule.
const compiledRules = new Map<string, { ok: true; regex: RE2JS } | { ok: false; reason: string }>();

/** re2js once loaded (about 50 KB gzipped: it loads with the first rename, not with the worker). */
let engine: typeof import('re2js') | undefined;

/** Load the regex engine renamedColumn and renameColumns use; call (and await) it before them. */
export async function loadRegexEngine(): Promise<void> {
  engine ??= await import('re2js');
}

/**
 * A Rust regex compiled by RE2JS, a linear-time engine with Rust's syntax (`(?P<n>…)`, inline
 * `(?i)`), so a pond's rules cannot make a worker backtrack for hours. Lookaround and
 * backreferences do not exist there, as in Rust: they are a reason, not a regex.
 */
export function compileRustRegex(source: string): { ok: true; regex: RE2JS } | { ok: false; reason: string } {
  if (!engine) throw new Error('column-rename: loadRegexEngine() must finish before a rule is compiled');
  let compiled = compiledRules.get(source);
  if (!compiled) {
    try {
      compiled = { ok: true, regex: engine.RE2JS.compile(source) };
    } catch (e) {
      compiled = { ok: false, reason: e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e) };
    }
    if (compiledRules.size >= 256) compiledRules.clear();
    compiledRules.set(source, compiled);
  }
  return compiled;
}

/**
 * Whether a rule's regex is valid Rust syntax, for config validation, which cannot wait for the
 * engine: RE2JS once loaded; before that, lookaround and backreferences are refused by name and
 * the rest is parsed (never run) by the JS engine with Rust's `(?P<n>` spelled `(?<n>`. A pattern
 * only RE2 refuses then fails when the rename runs, as EFACTORY naming the node.
 */
function checkRustRegex(source: string): { ok: true } | { ok: false; reason: string } {
  if (engine) return compileRustRegex(source);
  void loadRegexEngine().catch(() => undefined);
  if (/\\(?:[1-9]|k<)|\(\?<?[=!]/.test(source)) return { ok: false, reason: 'lookaround and backreferences are not supported' };
  try {
    new RegExp(
      source
        .replace(/\(\?P</g, '(?<')
        .replace(/\(\?[imsU-]+\)/g, '')
        .replace(/\(\?[imsU-]+:/g, '(?:'),
      'u',
    );
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Rust's replacement syntax: `$$` is `$`; `${name}` and `$name` (the longest run of [A-Za-z0-9_]) a group, empty when there is none. */
function expandReplacement(replacement: string, m: Matcher, regex: RE2JS): string {
  const named = regex.namedGroups();
  return replacement.replace(/\$(\$|\{([^}]*)\}|([A-Za-z0-9_]+))/g, (whole: string, _all: string, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      return i <= regex.groupCount() ? (m.group(i) ?? '') : '';
    }
    return Object.hasOwn(named, name) ? (m.group(name) ?? '') : '';
  });
}
