// Helpers shared by the dynamic and factory tests: real MemoryStore-backed ponds through openPond.
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import {
  openPond,
  MemoryStore,
  defaultRegistry,
  FactoryRegistry,
  DynamicResolver,
  defineFactory,
  type ResolverOptions,
  type Pond,
  type FactoryContext,
} from '../../../src/core/index.ts';
import { tableToParquet } from '../../../src/core/arrow/parquet.ts';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A pond with a resolver the test can inspect (computeCount, cache stats). */
export async function openDynamic(
  registry: FactoryRegistry = defaultRegistry(),
  options: ResolverOptions = {},
  store = new MemoryStore(),
): Promise<{ pond: Pond; resolver: DynamicResolver; store: MemoryStore }> {
  const resolver = new DynamicResolver(registry, options);
  const pond = await openPond(store, { registry, services: resolver.services() });
  return { pond, resolver, store };
}

/** Parquet bytes of a table given as column name -> values (typed explicitly where it matters). */
export async function parquet(columns: Record<string, arrow.Vector>): Promise<Uint8Array> {
  return tableToParquet(new arrow.Table(columns));
}

export const ints = (xs: number[]): arrow.Vector => arrow.vectorFromArray(xs.map(BigInt), new arrow.Int64());
export const floats = (xs: number[]): arrow.Vector => arrow.vectorFromArray(xs, new arrow.Float64());
export const strs = (xs: (string | null)[]): arrow.Vector => arrow.vectorFromArray(xs, new arrow.Utf8());

/** A clock tests move by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/**
 * A custom factory for tests: `upper` reads the text file `source` (relative or absolute) and
 * upper-cases it; counts its computes and can be slowed down or made to fail.
 */
export function upperFactory(state: { computes: number; delayMs?: number; fail?: string } = { computes: 0 }) {
  return defineFactory({
    name: 'upper',
    description: 'test: upper-cases another file',
    produces: 'file:data',
    schema: z.object({ source: z.string().min(1) }).strict(),
    async compute(ctx: FactoryContext, config) {
      state.computes++;
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      if (state.fail) throw new Error(state.fail);
      return (await ctx.readText(config.source)).toUpperCase();
    },
  });
}

/** Rows of a table as plain objects with bigints turned into numbers. */
export function rows(t: arrow.Table): Record<string, unknown>[] {
  return t
    .toArray()
    .map((r) => Object.fromEntries(Object.entries(r.toJSON() as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}
