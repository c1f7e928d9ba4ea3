// Templates in the QuickJS VM (src/core/sandbox): what isolation costs a render, measured beside
// nunjucks run directly in the host's realm (how templates ran before they were isolated; unsafe,
// kept here only as the yardstick), and how a runaway template ends.
import nunjucks from 'nunjucks';
import { suite } from '../lib/index.ts';
import { renderTemplate } from '../../src/core/factories/template-render.ts';
import { DEMO_README, demoContext, measureRunaway, renderDemoReadme } from '../shared/template-vm.ts';

const ROWS = [
  { year: 2012, avg_high: 15.3, rain_mm: 1226.4, sunny_days: 89 },
  { year: 2013, avg_high: 16.4, rain_mm: 828.3, sunny_days: 97 },
  { year: 2014, avg_high: 17.1, rain_mm: 1132.6, sunny_days: 110 },
  { year: 2015, avg_high: 17.2, rain_mm: 955.6, sunny_days: 130 },
];

suite('template: demo README render, VM vs host nunjucks', { iterations: 30, warmup: 3 }, (s) => {
  let coldMs = 0;
  s.setup(async () => {
    coldMs = await renderDemoReadme();
  });
  const env = new nunjucks.Environment(null, { autoescape: false });
  env.addGlobal('table', () => ROWS);
  s.baseline('nunjucks in the host realm (unsafe yardstick)', () => env.renderString(DEMO_README, {}));
  // A reader between two pages leaves the engine idle time to prepare its next VM.
  s.bench('QuickJS VM render (warm)', async (ctx) => {
    await new Promise((r) => setTimeout(r, 20));
    await ctx.time(() => renderDemoReadme());
  });
  s.metric('first render in the process (VM load included)', () => coldMs, { unit: 'ms' });
});

suite('template: runaway templates end at their limits', { iterations: 1, warmup: 0 }, (s) => {
  s.metric(
    'unbounded allocation: time to ETOOBIG',
    async () => {
      const r = await measureRunaway();
      if (r.code !== 'ETOOBIG') throw new Error(`a runaway allocation ended as ${r.code}`);
      return r.ms;
    },
    { unit: 'ms' },
  );
  s.metric(
    'one center(1e8) call: ms past a 300 ms deadline',
    async () => {
      const started = performance.now();
      const code = await renderTemplate(demoContext(), {
        source: '{{ "x" | center(100000000) | length }}',
        name: '/README.md',
        variables: {},
        autoescape: false,
        timeoutMs: 300,
      }).then(
        () => 'rendered',
        (e: unknown) => String((e as { code?: unknown }).code),
      );
      if (code !== 'ETIMEOUT' && code !== 'ETOOBIG') throw new Error(`center(1e8) ended as ${code}`);
      return Math.max(0, performance.now() - started - 300);
    },
    { unit: 'ms', target: { max: 100 } },
  );
});
