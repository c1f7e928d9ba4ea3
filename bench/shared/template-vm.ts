// Template render cost: the demo README's template (a table of yearly weather rows and a list),
// rendered by renderTemplate with pond reads answered from memory, so only the template engine is
// measured. Run: `node --import tsx bench/shared/template-vm.ts [--runaway]` (prints JSON lines).
// "cold" is the first render of the process (engine load included); "warm" the renders after it.
import { tableFromArrays } from 'apache-arrow';
import type { FactoryContext } from '../../src/core/dynamic/factory.ts';
import { renderTemplate } from '../../src/core/factories/template-render.ts';
import { DEMO_README_TEMPLATE } from '../../src/demo/seed-demo.ts';

/** The README template of the demo pond. */
export const DEMO_README = DEMO_README_TEMPLATE;

const YEARLY = tableFromArrays({
  year: Int32Array.from([2012, 2013, 2014, 2015]),
  avg_high: Float64Array.from([15.3, 16.4, 17.1, 17.2]),
  rain_mm: Float64Array.from([1226.4, 828.3, 1132.6, 955.6]),
  sunny_days: Int32Array.from([89, 97, 110, 130]),
});

/** A factory context whose pond holds only the yearly-weather view. */
export function demoContext(): FactoryContext {
  const missing = (p: string) => Promise.reject(Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' }));
  return {
    path: '/README.md',
    nodeId: 'bench',
    now: () => 0,
    resolvePath: (p) => (p.startsWith('/') ? p : `/${p}`),
    readFile: missing,
    readText: missing,
    readTable: async () => YEARLY,
    stat: missing,
    glob: async () => [],
    query: async () => YEARLY,
  } as FactoryContext;
}

/** Render the demo README once; returns milliseconds. */
export async function renderDemoReadme(): Promise<number> {
  const started = performance.now();
  const out = await renderTemplate(demoContext(), { source: DEMO_README, name: '/README.md', variables: {}, autoescape: false });
  if (!out.includes('| 2015 |')) throw new Error(`unexpected output: ${out.slice(0, 200)}`);
  return performance.now() - started;
}

/** Cold (first) render, then the median of `rounds` warm renders. */
export async function measureDemoReadme(rounds = 30): Promise<{ coldMs: number; warmMedianMs: number; warmMinMs: number }> {
  const coldMs = await renderDemoReadme();
  const warm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A reader between two pages: the engine may use idle time (the new VM prepares a spare).
    await new Promise((r) => setTimeout(r, 30));
    warm.push(await renderDemoReadme());
  }
  warm.sort((a, b) => a - b);
  return { coldMs, warmMedianMs: warm[Math.floor(warm.length / 2)], warmMinMs: warm[0] };
}

/**
 * A template that allocates without bound: how it ends, how long it took, and the process's
 * resident memory before and after (the VM's heap limit is 256 MiB by default).
 */
export async function measureRunaway(): Promise<{ code: string; ms: number; rssBeforeMiB: number; rssAfterMiB: number }> {
  const mib = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  const rssBeforeMiB = mib();
  const started = performance.now();
  const source = '{{ range.constructor("var a = []; for (;;) a.push(new Array(1e5).fill(a.length))")() }}';
  const code = await renderTemplate(demoContext(), { source, name: '/README.md', variables: {}, autoescape: false }).then(
    () => 'rendered',
    (e: unknown) => String((e as { code?: unknown }).code),
  );
  return { code, ms: performance.now() - started, rssBeforeMiB, rssAfterMiB: mib() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const round = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 100) / 100 : v]));
  console.log(JSON.stringify({ bench: 'template: demo README render', ...round(await measureDemoReadme()) }));
  if (process.argv.includes('--runaway')) console.log(JSON.stringify({ bench: 'template: unbounded allocation', ...round(await measureRunaway()) }));
}
