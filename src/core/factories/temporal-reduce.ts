// temporal-reduce: the Rust DuckPond factory of the same name. A dynamic directory: for each input
// the in_pattern matches, a subdirectory named by out_pattern (`$0`, `$1`… are the glob's
// captures) holding one series per resolution, `res=<r>.series`, of time-bucketed aggregates.
// Buckets, columns and types are Rust's (its SQL is
//   SELECT date_bin(INTERVAL, ts, TIMESTAMP '1970-01-01') AS time_bucket, <partials> … GROUP BY 1
//   SELECT COALESCE(CAST(time_bucket AS TIMESTAMP), …) AS <ts>, <outputs> … ORDER BY time_bucket):
// epoch-aligned buckets of whole seconds, the bucket start as Timestamp(ns) without a zone, rows in
// time order, columns `<col>.<agg>` in aggregation then column order, `timestamp.count` for
// `count` of `*`, avg = sum / count. The aggregation runs here over the Arrow columns, one pass per
// column and no SQL engine, so reading a reduced series never waits for DuckDB to load.
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory, type FactoryContext, type GlobMatch } from '../dynamic/factory.ts';
import { VirtualDirectory, VirtualTree, parseSubdirNodeId, subdirNodeId } from '../dynamic/virtual-directory.ts';
import { parsePatternUrl, type PatternUrl } from '../dynamic/url-pattern.ts';
import { timeColumn, timeUnitsPerSecond } from '../arrow/event-time.ts';
import { dirname, joinPath, validateName } from '../tinyfs/path.ts';
import { compileGlob, matchPath } from '../tinyfs/glob-pattern.ts';
import { isPondError, pondError } from '../errors.ts';
import { parseDuration } from './rust-time.ts';
import { matchPattern, parsedPattern, patternGlob, readMatch, seriesPatternField } from './pattern-inputs.ts';
import { applyTransforms } from './column-rename.ts';

export const AGGREGATION_TYPES = ['avg', 'min', 'max', 'count', 'sum'] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

const duration = z.string().superRefine((s, ctx) => {
  const d = parseDuration(s);
  if (!d.ok) ctx.addIssue({ code: 'custom', message: d.reason });
  // Rust bins by `as_secs()`: a resolution under a second would be a zero-width bucket.
  else if (d.seconds < 1) ctx.addIssue({ code: 'custom', message: 'must be at least 1s (buckets are whole seconds)' });
});

const aggregation = z
  .object({
    type: z.enum(AGGREGATION_TYPES),
    /** Column names or single-`*` globs; omitted: every numeric column; `["*"]` with count: rows per bucket. */
    columns: z.array(z.string().min(1)).min(1).nullish(),
  })
  .strict();

const schema = z
  .object({
    /** A glob, with or without a URL scheme (`series:///sources/*`); each `*` and `**` captures. */
    in_pattern: seriesPatternField,
    /** The output subdirectory's name; `$0`, `$1`, … are the in_pattern's captures. */
    out_pattern: z.string().min(1),
    /** Rust requires it; here it defaults to the detected time column (timestamp, time, ts, …). */
    time_column: z.string().min(1).optional(),
    /** Bucket widths, humantime durations ("1h", "6h", "1d"); each coarser one a multiple of the finer ones. */
    resolutions: z.array(duration).min(1, 'at least one resolution'),
    aggregations: z.array(aggregation).min(1, 'at least one aggregation'),
    /** column-rename nodes applied to each input, in order. */
    transforms: z.array(z.string().min(1)).nullish(),
    /** Rust's sealed-runs cache setting; accepted and checked, no effect here (results are cached whole). */
    allowed_lateness: duration.nullish(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.resolutions.forEach((r, i) => {
      if (seen.has(r)) ctx.addIssue({ code: 'custom', path: ['resolutions', i], message: `duplicate resolution ${JSON.stringify(r)}` });
      seen.set(r, i);
    });
    // Rust's parse_nesting_resolutions: sorted, each an integer multiple of the next finer one.
    const parsed = c.resolutions
      .map((r, i) => ({ r, i, ns: nanos(r) }))
      .filter((x): x is { r: string; i: number; ns: bigint } => x.ns !== undefined && x.ns > 0n);
    parsed.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    for (let k = 1; k < parsed.length; k++) {
      const [finer, coarser] = [parsed[k - 1], parsed[k]];
      if (coarser.ns % finer.ns !== 0n)
        ctx.addIssue({
          code: 'custom',
          path: ['resolutions', coarser.i],
          message: `${coarser.r} is not an integer multiple of ${finer.r}: each coarser resolution must be a multiple of the next finer one`,
        });
    }
  });

export type TemporalReduceConfig = z.infer<typeof schema>;

/** temporal-reduce: the directory of reduced series, `<out>/res=<r>.series`. */
export const temporalReduce = defineFactory({
  name: 'temporal-reduce',
  description: 'Create temporal downsampling views with configurable resolutions and aggregations',
  produces: 'directory',
  schema,
  async compute(ctx, config) {
    const url = parsedPattern(config.in_pattern, ctx.path);
    const sites = await siteInputs(ctx, config, url, dirname(ctx.path));
    const self = await ctx.stat(ctx.path);
    // The entries' node ids extend this node's own (itself maybe inside another dynamic directory).
    const base = parseSubdirNodeId(ctx.nodeId) ?? { ownerId: ctx.nodeId, segments: [] };
    const tree = new VirtualTree();
    for (const out of [...sites.keys()].sort()) {
      for (const r of config.resolutions) {
        const name = resolutionFile(r);
        const nodeId = subdirNodeId(base.ownerId, [...base.segments, out, name]);
        tree.add([out, name], { nodeId, partId: self.partId, type: 'file:series', factory: temporalReduceSeries.name }, ctx.path);
      }
    }
    return new VirtualDirectory(tree, ctx.path);
  },
});

/**
 * One `res=<r>.series` of a temporal-reduce directory. The directory's entries carry this factory
 * and the directory's own config; the entry's node id says which output and resolution it is.
 */
export const temporalReduceSeries = defineFactory({
  name: 'temporal-reduce-series',
  description: 'One resolution of a temporal-reduce directory (its entries; make a temporal-reduce node instead)',
  produces: 'file:series',
  internal: true,
  schema,
  async compute(ctx, config) {
    const ids = parseSubdirNodeId(ctx.nodeId);
    if (!ids || ids.segments.length < 2)
      throw pondError('EFACTORY', ctx.path, 'temporal-reduce-series makes the entries of a temporal-reduce directory; make a temporal-reduce node instead');
    const [out, file] = ids.segments.slice(-2);
    const resolution = config.resolutions.find((r) => resolutionFile(r) === file);
    if (resolution === undefined) throw pondError('EFACTORY', ctx.path, `no resolution of this temporal-reduce is named ${file}`);
    const owner = ctx.path.split('/').slice(0, -2).join('/') || '/';
    const dir = dirname(owner);
    const url = parsedPattern(config.in_pattern, owner);
    const inputs = (await siteInputs(ctx, config, url, dir)).get(out);
    if (!inputs) throw pondError('EFACTORY', ctx.path, `no input of ${config.in_pattern} maps to ${JSON.stringify(out)}`);
    const tables: Array<{ path: string; table: arrow.Table }> = [];
    for (const m of inputs)
      tables.push({ path: m.path, table: await applyTransforms(ctx, await readMatch(ctx, url, m.path), config.transforms ?? undefined, dir, m.path) });
    return reduceTables(tables, config, Math.floor(mustSeconds(resolution)));
  },
});

/** The file name of a resolution, as Rust writes it: the config's text, not a normalized duration. */
function resolutionFile(r: string): string {
  return `res=${r}.series`;
}

/** The inputs of each output name, in path order (Rust groups matches by their out_pattern name). */
async function siteInputs(ctx: FactoryContext, config: TemporalReduceConfig, url: PatternUrl, dir: string): Promise<Map<string, GlobMatch[]>> {
  const sites = new Map<string, GlobMatch[]>();
  for (const m of await matchPattern(ctx, url, dir, 'series')) {
    const out = substitute(config.out_pattern, m.captures);
    try {
      validateName(out, ctx.path);
    } catch (e) {
      if (!isPondError(e)) throw e;
      throw pondError('EFACTORY', ctx.path, `out_pattern ${JSON.stringify(config.out_pattern)} gives ${JSON.stringify(out)} for ${m.path}: not a valid name`);
    }
    const list = sites.get(out);
    if (list) list.push(m);
    else sites.set(out, [m]);
  }
  return sites;
}

/**
 * The output directory a temporal-reduce node at `nodePath` makes for the input `source`, as
 * `compute` names it: in_pattern (scheme stripped, a relative path resolved against the node's
 * directory) matched against `source`, its captures substituted into out_pattern, below the node.
 * Null when in_pattern does not match `source` or the name is not valid. Path only: whether the
 * node's type is one the pattern reads is not checked.
 * @example reduceOutputDir('/reduced', { in_pattern: 'series:///sources/*', out_pattern: 'site-$0' }, '/sources/a') // '/reduced/site-a'
 */
export function reduceOutputDir(nodePath: string, config: { in_pattern: string; out_pattern: string }, source: string): string | null {
  const r = parsePatternUrl(config.in_pattern);
  if (!r.ok) return null;
  try {
    const captures = matchPath(compileGlob(patternGlob(r.url, dirname(nodePath))), source);
    if (captures === null) return null;
    const out = substitute(config.out_pattern, captures);
    validateName(out, nodePath);
    return joinPath(nodePath, out);
  } catch (e) {
    if (isPondError(e)) return null;
    throw e;
  }
}

/** Rust's substitute_pattern: each `$i` replaced by capture i, in capture order. */
export function substitute(pattern: string, captures: readonly string[]): string {
  let out = pattern;
  captures.forEach((c, i) => (out = out.split(`$${i}`).join(c)));
  return out;
}

/** Rust's match_column_pattern: exact, or one `*` matching any run (more than one `*`: exact). */
export function matchColumnPattern(column: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0 || pattern.indexOf('*', star + 1) >= 0) return column === pattern;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return column.length >= prefix.length + suffix.length && column.startsWith(prefix) && column.endsWith(suffix);
}

function nanos(r: string): bigint | undefined {
  const d = parseDuration(r);
  if (!d.ok) return undefined;
  const whole = Math.floor(d.seconds);
  return BigInt(whole) * 1_000_000_000n + BigInt(Math.round((d.seconds - whole) * 1e9));
}

function mustSeconds(r: string): number {
  const d = parseDuration(r);
  if (!d.ok) throw new Error(`temporal-reduce: ${d.reason}`);
  return d.seconds;
}

// ── The reduction ───────────────────────────────────────────────────────────────────────────────

type PartialKind = 'sum' | 'count' | 'min' | 'max' | 'cstar';

/** One decomposable aggregate per (kind, column), shared by the outputs that need it (avg = sum / count). */
interface Partial {
  kind: PartialKind;
  column: string;
  /** 64-bit integer columns accumulate exactly, as bigints. */
  big: boolean;
  acc: Float64Array;
  accBig: bigint[];
  /** Non-null values seen per bucket (for count, and to tell an empty bucket: SQL's NULL). */
  n: Float64Array;
}

/** Make room for `slots` buckets in a partial's accumulators (doubling, so growth is amortized). */
function ensure(p: Partial, slots: number): void {
  while (p.accBig.length < slots && p.big) p.accBig.push(0n);
  if (p.n.length >= slots) return;
  const cap = Math.max(slots, p.n.length * 2, 64);
  const n = new Float64Array(cap);
  n.set(p.n);
  p.n = n;
  const acc = new Float64Array(cap);
  acc.set(p.acc);
  p.acc = acc;
}

interface Output {
  name: string;
  agg: AggregationType | 'cstar';
  column: string;
  type: arrow.DataType;
  partials: Partial[];
}

// Half floats are stored as raw 16-bit words: not read here.
const isNumeric = (t: arrow.DataType): boolean => arrow.DataType.isInt(t) || (arrow.DataType.isFloat(t) && t.precision !== arrow.Precision.HALF);
const isBig = (t: arrow.DataType): boolean => arrow.DataType.isInt(t) && t.bitWidth === 64;

/**
 * The reduced series of `tables` (one output's inputs) at buckets of `width` seconds. The last
 * input by path gives the columns (Rust's schema representative); a column an input lacks counts as
 * nulls there. Errors name the input they are about.
 */
export function reduceTables(tables: ReadonlyArray<{ path: string; table: arrow.Table }>, config: TemporalReduceConfig, width: number): arrow.Table {
  const reference = [...tables].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))[tables.length - 1];
  const ts = config.time_column ?? timeColumn(reference.table.schema);
  if (ts === undefined) throw pondError('EFACTORY', reference.path, 'no time column (timestamp, time, ts, …): name it with time_column');
  const outputs = planOutputs(reference.table.schema, ts, config, reference.path);
  for (const input of tables) if (input !== reference) checkInputTypes(input, reference, outputs);
  const partials = [...new Set(outputs.flatMap((o) => o.partials))];
  const keys: number[] = [];
  const slotOf = new Map<number, number>();
  for (const { path, table } of tables) {
    const timeField = table.schema.fields.find((f) => f.name === ts);
    if (!timeField) throw pondError('EFACTORY', path, `no time column ${JSON.stringify(ts)}`);
    if (!arrow.DataType.isTimestamp(timeField.type) && !(arrow.DataType.isInt(timeField.type) && timeField.type.bitWidth === 64 && timeField.type.isSigned))
      throw pondError('EFACTORY', path, `time column ${ts} is ${timeField.type}, not a timestamp`);
    const timeIndex = table.schema.fields.indexOf(timeField);
    for (const batch of table.batches) {
      const slots = bucketSlots(batch.data.children[timeIndex], width, keys, slotOf);
      for (const p of partials) {
        ensure(p, keys.length);
        if (p.kind === 'cstar') {
          const n = p.n;
          for (let i = 0; i < slots.length; i++) if (slots[i] >= 0) n[slots[i]]++;
          continue;
        }
        const col = table.schema.fields.findIndex((f) => f.name === p.column);
        if (col >= 0) accumulate(p, batch.data.children[col], slots);
      }
    }
  }
  return buildTable(ts, outputs, keys, width);
}

/**
 * Every input's aggregated columns must read as the reference's do: a number of the same kind, or
 * one that converts as DataFusion's UNION would (a narrower integer, Float32 or any integer to
 * Float64). Otherwise the accumulators would fold raw buffers (a string's offsets, a bitmap's bytes)
 * or truncate floats: EFACTORY naming the input and the column.
 */
function checkInputTypes(input: { path: string; table: arrow.Table }, reference: { path: string; table: arrow.Table }, outputs: readonly Output[]): void {
  for (const o of outputs) {
    if (o.agg === 'count' || o.agg === 'cstar') continue;
    const want = reference.table.schema.fields.find((f) => f.name === o.column)?.type;
    const have = input.table.schema.fields.find((f) => f.name === o.column)?.type;
    if (want === undefined || have === undefined || readsAs(have, want)) continue;
    throw pondError(
      'EFACTORY',
      input.path,
      `cannot ${o.agg} column ${o.column}: it is ${have} here but ${want} in ${reference.path} (the input whose schema the outputs follow)`,
      { column: o.column },
    );
  }
}

/** Whether values of type `have` accumulate exactly where the reference has `want`. */
function readsAs(have: arrow.DataType, want: arrow.DataType): boolean {
  if (!isNumeric(have)) return false;
  if (String(have) === String(want)) return true;
  if (arrow.DataType.isInt(want)) {
    if (!arrow.DataType.isInt(have)) return false;
    return have.isSigned === want.isSigned ? have.bitWidth <= want.bitWidth : !have.isSigned && want.isSigned && have.bitWidth < want.bitWidth;
  }
  if (!arrow.DataType.isFloat(want)) return false;
  const double = want.precision === arrow.Precision.DOUBLE;
  if (arrow.DataType.isFloat(have)) return double || have.precision === want.precision;
  // Any integer into Float64, as DataFusion's UNION coerces them (exact below 2^53).
  return arrow.DataType.isInt(have) && (double || have.bitWidth <= 16);
}

/** Rust's column discovery and naming: every output column, its type and the partials it reads. */
function planOutputs(schema: arrow.Schema, ts: string, config: TemporalReduceConfig, source: string): Output[] {
  const discovered = schema.fields.filter((f) => f.name !== ts);
  const partials = new Map<string, Partial>();
  const partial = (kind: PartialKind, column: string, type: arrow.DataType | null): Partial => {
    const key = `${kind}\0${column}`;
    let p = partials.get(key);
    if (!p)
      partials.set(
        key,
        (p = {
          kind,
          column,
          big: type !== null && (kind === 'sum' || kind === 'min' || kind === 'max') && isBig(type),
          acc: new Float64Array(0),
          accBig: [],
          n: new Float64Array(0),
        }),
      );
    return p;
  };
  const outputs: Output[] = [];
  const names = new Set<string>();
  const add = (o: Output) => {
    if (names.has(o.name)) throw pondError('EFACTORY', source, `two aggregations make the column ${JSON.stringify(o.name)}`);
    names.add(o.name);
    outputs.push(o);
  };
  for (const agg of config.aggregations) {
    if (agg.type === 'count' && agg.columns?.length === 1 && agg.columns[0] === '*') {
      add({ name: 'timestamp.count', agg: 'cstar', column: '*', type: new arrow.Int64(), partials: [partial('cstar', '*', null)] });
      continue;
    }
    let fields: arrow.Field[];
    if (!agg.columns) fields = discovered.filter((f) => isNumeric(f.type));
    else {
      fields = [];
      for (const pattern of agg.columns) {
        const hits = discovered.filter((f) => matchColumnPattern(f.name, pattern));
        if (hits.length === 0 && !pattern.includes('*'))
          throw pondError(
            'EFACTORY',
            source,
            `${agg.type}: no column ${JSON.stringify(pattern)} (columns: ${discovered.map((f) => f.name).join(', ')}; the time column is not aggregated)`,
          );
        for (const f of hits) if (!fields.includes(f)) fields.push(f);
      }
    }
    for (const f of fields) {
      if (agg.type !== 'count' && !isNumeric(f.type)) throw pondError('EFACTORY', source, `cannot ${agg.type} column ${f.name}: it is ${f.type}, not a number`);
      const name = `${f.name}.${agg.type}`;
      switch (agg.type) {
        case 'avg':
          add({ name, agg: 'avg', column: f.name, type: new arrow.Float64(), partials: [partial('sum', f.name, f.type), partial('count', f.name, f.type)] });
          break;
        case 'sum':
          add({ name, agg: 'sum', column: f.name, type: sumType(f.type), partials: [partial('sum', f.name, f.type)] });
          break;
        case 'count':
          add({ name, agg: 'count', column: f.name, type: new arrow.Int64(), partials: [partial('count', f.name, f.type)] });
          break;
        default:
          add({ name, agg: agg.type, column: f.name, type: f.type, partials: [partial(agg.type, f.name, f.type)] });
      }
    }
  }
  if (outputs.length === 0) throw pondError('EFACTORY', source, 'the aggregations select no column');
  return outputs;
}

/** SUM's type, as DataFusion has it: Float64 for floats, Int64 / UInt64 for integers. */
function sumType(t: arrow.DataType): arrow.DataType {
  if (arrow.DataType.isFloat(t)) return new arrow.Float64();
  return arrow.DataType.isInt(t) && !t.isSigned ? new arrow.Uint64() : new arrow.Int64();
}

/** Units of a time column per second (the column is a Timestamp or Int64: timeColumn picked it). */
function unitsPerSecond(t: arrow.DataType): number {
  return timeUnitsPerSecond(t) ?? 1e6;
}

/**
 * The bucket slot of each row (-1 for a null time, which Rust's `WHERE ts IS NOT NULL` drops);
 * new buckets are appended to `keys` (bucket start / width, floored: date_bin from the epoch).
 */
function bucketSlots(data: arrow.Data, width: number, keys: number[], slotOf: Map<number, number>): Int32Array {
  const n = data.length;
  const slots = new Int32Array(n);
  const perBucket = width * unitsPerSecond(data.type);
  const values = data.values as BigInt64Array;
  const nulls = data.nullCount > 0;
  let lastKey = NaN;
  let lastSlot = -1;
  const slotFor = (key: number): number => {
    if (key === lastKey) return lastSlot;
    let s = slotOf.get(key);
    if (s === undefined) {
      s = keys.length;
      keys.push(key);
      slotOf.set(key, s);
    }
    lastKey = key;
    lastSlot = s;
    return s;
  };
  if (unitsPerSecond(data.type) === 1e9) {
    // Nanoseconds overflow a double's integers: divide as bigints.
    const w = BigInt(perBucket);
    for (let i = 0; i < n; i++) {
      if (nulls && !data.getValid(i)) {
        slots[i] = -1;
        continue;
      }
      const t = values[i];
      let q = t / w;
      if (t < 0n && q * w !== t) q -= 1n;
      slots[i] = slotFor(Number(q));
    }
    return slots;
  }
  // Read the int64s as pairs of int32: exact below 2^53, and far faster than bigint conversion.
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    if (nulls && !data.getValid(i)) {
      slots[i] = -1;
      continue;
    }
    const t = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
    let q = Math.floor(t / perBucket);
    // Division rounds; make sure the bucket really holds t.
    if (q * perBucket > t) q -= 1;
    else if ((q + 1) * perBucket <= t) q += 1;
    slots[i] = slotFor(q);
  }
  return slots;
}

/** Fold one column of one batch into a partial. */
function accumulate(p: Partial, data: arrow.Data, slots: Int32Array): void {
  // A null row takes no part: mark it as outside every bucket (a copy: the slots serve other columns).
  if (data.nullCount > 0) {
    const own = slots.slice();
    for (let i = 0; i < own.length; i++) if (!data.getValid(i)) own[i] = -1;
    slots = own;
  }
  const { n } = p;
  if (p.kind === 'count') {
    for (let i = 0; i < slots.length; i++) if (slots[i] >= 0) n[slots[i]]++;
    return;
  }
  if (p.big) {
    const acc = p.accBig;
    const values = data.values as BigInt64Array | BigUint64Array | Float64Array;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s < 0) continue;
      const x = values[i];
      const v = typeof x === 'bigint' ? x : BigInt(Math.trunc(x));
      if (p.kind === 'sum') acc[s] += v;
      else if (n[s] === 0 || (p.kind === 'min' ? v < acc[s] : v > acc[s])) acc[s] = v;
      n[s]++;
    }
    return;
  }
  const acc = p.acc;
  const raw = data.values as ArrayLike<number | bigint>;
  const values: ArrayLike<number> = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? Float64Array.from(raw, Number) : (raw as ArrayLike<number>);
  if (p.kind === 'sum') {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s < 0) continue;
      acc[s] += values[i];
      n[s]++;
    }
  } else if (p.kind === 'min') {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s < 0) continue;
      const v = values[i];
      if (n[s]++ === 0 || v < acc[s]) acc[s] = v;
    }
  } else {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s < 0) continue;
      const v = values[i];
      if (n[s]++ === 0 || v > acc[s]) acc[s] = v;
    }
  }
}

/** The output table: bucket starts in time order, then each output column. */
function buildTable(ts: string, outputs: Output[], keys: number[], width: number): arrow.Table {
  const order = Int32Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b]);
  const rows = order.length;
  const timeType = new arrow.TimestampNanosecond();
  const times = new BigInt64Array(rows);
  const step = BigInt(width) * 1_000_000_000n;
  for (let r = 0; r < rows; r++) times[r] = BigInt(keys[order[r]]) * step;
  const fields: arrow.Field[] = [new arrow.Field(ts, timeType, false)];
  const children: arrow.Data[] = [arrow.makeData({ type: timeType, length: rows, nullCount: 0, data: times })];
  for (const o of outputs) {
    const counted = o.agg === 'count' || o.agg === 'cstar';
    fields.push(new arrow.Field(o.name, o.type, !counted));
    children.push(outputData(o, order));
  }
  const schema = new arrow.Schema(fields);
  const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: rows, nullCount: 0, children }));
  return new arrow.Table([batch]);
}

function outputData(o: Output, order: Int32Array): arrow.Data {
  const rows = order.length;
  const [first, second] = o.partials;
  if (o.agg === 'count' || o.agg === 'cstar') {
    const out = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = BigInt(first.n[order[r]]);
    return arrow.makeData({ type: o.type as arrow.Int64, length: rows, nullCount: 0, data: out });
  }
  const valid = new Uint8Array(Math.ceil(rows / 8));
  let nullCount = 0;
  const mark = (r: number, ok: boolean) => {
    if (ok) valid[r >> 3] |= 1 << (r & 7);
    else nullCount++;
  };
  // DataFusion's avg: CAST(sum AS DOUBLE) / NULLIF(count, 0).
  if (o.agg === 'avg') {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const s = order[r];
      const count = second.n[s];
      mark(r, count > 0);
      if (count > 0) out[r] = (first.big ? Number(first.accBig[s]) : first.acc[s]) / count;
    }
    return arrow.makeData({ type: o.type as arrow.Float64, length: rows, nullCount, nullBitmap: nullCount ? valid : undefined, data: out });
  }
  const ArrayType = (o.type as arrow.Int | arrow.Float).ArrayType as unknown as new (n: number) => { [i: number]: number | bigint };
  const out = new ArrayType(rows);
  const bigOut = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let r = 0; r < rows; r++) {
    const s = order[r];
    const has = first.n[s] > 0;
    mark(r, has);
    if (!has) continue;
    const v = first.big ? first.accBig[s] : first.acc[s];
    out[r] = bigOut ? (typeof v === 'bigint' ? v : BigInt(Math.trunc(v))) : Number(v);
  }
  return arrow.makeData({ type: o.type as arrow.Int, length: rows, nullCount, nullBitmap: nullCount ? valid : undefined, data: out as unknown as Int32Array });
}
