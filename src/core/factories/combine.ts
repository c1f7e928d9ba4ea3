import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory, type FactoryContext } from '../dynamic/factory.ts';
import { pondError } from '../errors.ts';
import { configRecord } from '../dynamic/config.ts';
import { tablePatternPath } from '../dynamic/url-pattern.ts';
import { arrowType, castVector, columnType, logicalType, makeBatch, nullVector } from './columns.ts';

const schema = z
  .object({
    /** Glob patterns; every matching table or series is an input, in pattern order then path order. */
    file_patterns: z.array(z.string().min(1)).min(1),
    /**
     * none (default): every row; `rows`: drop rows equal in every column to an earlier one;
     * `{ key: [columns], keep: first | last }`: one row per key, the first or last seen.
     */
    deduplication: z
      .union([z.enum(['none', 'rows']), z.object({ key: z.array(z.string().min(1)).min(1), keep: z.enum(['first', 'last']).default('first') }).strict()])
      .default('none'),
    output_type: z.enum(['file:table', 'file:series']).default('file:table'),
    /** Column -> type: inputs are cast to it; a column an input lacks is filled with nulls. */
    output_schema: configRecord(z.string().min(1), columnType).optional(),
  })
  .strict();

export type CombineConfig = z.infer<typeof schema>;

/** combine: the union of many tables with one schema, batch by batch (never one big SQL UNION). */
export const combine = defineFactory({
  name: 'combine',
  description: 'Union of the tables and series matching file_patterns, with optional de-duplication and casts.',
  produces: (c: CombineConfig) => c.output_type,
  schema,
  compute(ctx, config) {
    return combineBatches(ctx, config);
  },
});

/** Inputs are read one at a time and their batches passed on, so memory holds one input plus the output. */
async function* combineBatches(ctx: FactoryContext, config: CombineConfig): AsyncGenerator<arrow.RecordBatch> {
  const files = await inputFiles(ctx, config.file_patterns);
  const dedup = makeDeduplicator(config.deduplication);
  let target: arrow.Schema | undefined;
  let reference = '';
  const held: arrow.RecordBatch[] = [];
  let yielded = 0;
  for (const file of files) {
    const table = await ctx.readTable(file);
    if (!target) {
      target = outputSchema(table.schema, config.output_schema);
      reference = file;
      dedup.check(target, ctx.path);
    }
    const plan = conform(target, table.schema, config.output_schema ?? {}, file, reference);
    for (const batch of table.batches) {
      const out = makeBatch(target, plan(batch), batch.numRows);
      const kept = dedup.filter(out);
      if (dedup.holdsAll) held.push(kept);
      else if (kept.numRows > 0) {
        yielded++;
        yield kept;
      }
    }
  }
  if (!target) return;
  if (dedup.holdsAll)
    for (const b of dedup.finish(held)) {
      yielded++;
      yield b;
    }
  // An output with no rows still needs its schema: one empty batch carries it.
  if (yielded === 0)
    yield makeBatch(
      target,
      target.fields.map((f) => nullVector(f.type, 0)),
      0,
    );
}

async function inputFiles(ctx: FactoryContext, patterns: string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    for (const m of await ctx.glob(tablePatternPath(pattern, ctx.path))) {
      if (seen.has(m.path)) continue;
      seen.add(m.path);
      if (m.type === 'directory') continue;
      if (m.type !== 'file:table' && m.type !== 'file:series')
        throw pondError('EFACTORY', m.path, `matches ${JSON.stringify(pattern)} but is a ${m.type}, not a table or series`);
      files.push(m.path);
    }
  }
  if (files.length === 0) throw pondError('EFACTORY', ctx.path, `no table or series matches file_patterns ${JSON.stringify(patterns)}`, { patterns });
  return files;
}

/** The first input's columns, with output_schema's types (and its extra columns at the end). */
function outputSchema(first: arrow.Schema, declared: Record<string, z.infer<typeof columnType>> | undefined): arrow.Schema {
  const has = (name: string) => declared !== undefined && Object.hasOwn(declared, name);
  const fields = first.fields.map((f) => new arrow.Field(f.name, has(f.name) ? arrowType(declared![f.name]) : f.type, true));
  for (const [name, t] of Object.entries(declared ?? {})) {
    if (!fields.some((f) => f.name === name)) fields.push(new arrow.Field(name, arrowType(t), true));
  }
  return new arrow.Schema(fields);
}

/**
 * How to turn one input's batches into the target schema: reuse a column of the same storage type,
 * re-encode one of the same meaning (dictionary vs plain strings), cast one that output_schema
 * names. Anything else is EFACTORY naming the file and the column.
 */
function conform(
  target: arrow.Schema,
  input: arrow.Schema,
  declared: Record<string, string>,
  file: string,
  reference: string,
): (b: arrow.RecordBatch) => arrow.Vector[] {
  const byName = new Map(input.fields.map((f, i) => [f.name, { f, i }]));
  for (const f of input.fields) {
    if (!target.fields.some((t) => t.name === f.name))
      throw pondError('EFACTORY', file, `column ${f.name} is not in ${reference} (list it in output_schema, or make the schemas match)`, { column: f.name });
  }
  const steps = target.fields.map((t) => {
    const src = byName.get(t.name);
    if (!src) {
      if (Object.hasOwn(declared, t.name)) return (b: arrow.RecordBatch) => nullVector(t.type, b.numRows);
      throw pondError('EFACTORY', file, `column ${t.name} is missing (${reference} has it)`, { column: t.name });
    }
    const same = String(src.f.type) === String(t.type);
    if (!same && !Object.hasOwn(declared, t.name) && logicalType(src.f.type) !== logicalType(t.type)) {
      throw pondError('EFACTORY', file, `column ${t.name} is ${src.f.type} but ${t.type} in ${reference} (declare it in output_schema to cast)`, {
        column: t.name,
      });
    }
    return (b: arrow.RecordBatch) => {
      const v = b.getChildAt(src.i) as arrow.Vector;
      return same ? v : castVector(v, t.type, { file, column: t.name });
    };
  });
  return (b) => steps.map((s) => s(b));
}

interface Deduplicator {
  /** True when the choice of rows needs every batch first (keep: last). */
  holdsAll: boolean;
  check(schema: arrow.Schema, path: string): void;
  filter(batch: arrow.RecordBatch): arrow.RecordBatch;
  finish(batches: arrow.RecordBatch[]): arrow.RecordBatch[];
}

function makeDeduplicator(mode: CombineConfig['deduplication']): Deduplicator {
  if (mode === 'none') return { holdsAll: false, check() {}, filter: (b) => b, finish: (b) => b };
  let columns: number[] = [];
  const seen = new Set<string>();
  const keyOf = (b: arrow.RecordBatch, row: number) => JSON.stringify(columns.map((c) => cell(b.getChildAt(c)?.get(row))));
  const check = (s: arrow.Schema, path: string) => {
    if (mode === 'rows') {
      columns = s.fields.map((_, i) => i);
      return;
    }
    columns = mode.key.map((k) => {
      const i = s.fields.findIndex((f) => f.name === k);
      if (i < 0) throw pondError('ECONFIG', path, `deduplication.key: no column ${JSON.stringify(k)} in the inputs`, { field: 'deduplication.key' });
      return i;
    });
  };
  if (mode === 'rows' || mode.keep === 'first') {
    return {
      holdsAll: false,
      check,
      filter: (b) =>
        takeRows(
          b,
          rowsWhere(b, (r) => {
            const k = keyOf(b, r);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          }),
        ),
      finish: (b) => b,
    };
  }
  return {
    holdsAll: true,
    check,
    filter: (b) => b,
    finish(batches) {
      // Walk backwards: the last occurrence of each key is the first one met.
      const keep = batches.map(() => [] as number[]);
      for (let bi = batches.length - 1; bi >= 0; bi--) {
        for (let r = batches[bi].numRows - 1; r >= 0; r--) {
          const k = keyOf(batches[bi], r);
          if (!seen.has(k)) {
            seen.add(k);
            keep[bi].push(r);
          }
        }
      }
      return batches.map((b, i) => takeRows(b, keep[i].reverse())).filter((b) => b.numRows > 0);
    },
  };
}

function rowsWhere(b: arrow.RecordBatch, pred: (row: number) => boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < b.numRows; r++) if (pred(r)) out.push(r);
  return out;
}

/** The batch with only `rows` (ascending); the batch itself when nothing was dropped. */
function takeRows(b: arrow.RecordBatch, rows: number[]): arrow.RecordBatch {
  if (rows.length === b.numRows) return b;
  const cols = b.schema.fields.map((f, i) => {
    const src = b.getChildAt(i) as arrow.Vector;
    const builder = arrow.makeBuilder({ type: f.type, nullValues: [null, undefined] });
    for (const r of rows) builder.append(src.get(r));
    return builder.finish().toVector();
  });
  return makeBatch(b.schema, cols, rows.length);
}

function cell(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Array.from(v);
  return v ?? null;
}
