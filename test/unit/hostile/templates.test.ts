// The hostile template corpus (test/shared/hostile-templates.ts) against the template renderer in
// Node: each case ends by its deadline (plus a small slack) with the expected PondError or harmless
// output, the host is untouched (a sentinel global and a sentinel file), and a normal template
// renders right after. `npm test` runs the fast sample; HOSTILE_FULL=1 runs every case and more
// generated templates.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FactoryContext } from '../../../src/core/dynamic/factory.ts';
import { renderTemplate } from '../../../src/core/factories/template-render.ts';
import { isPondError, pondError } from '../../../src/core/errors.ts';
import { normalizePath } from '../../../src/core/tinyfs/path.ts';
import { openDynamic, dec } from '../dynamic/fixtures.ts';
import {
  hostileCases,
  generatedTemplate,
  HOSTILE_SLACK_MS,
  HOSTILE_TOTAL_SLACK_MS,
  NORMAL,
  type HostileCase,
  type Outcome,
} from '../../shared/hostile-templates.ts';

const FULL = process.env.HOSTILE_FULL === '1';
/** Short in the fast sample so `npm test` stays quick; the full corpus uses the corpus default. */
const TIMEOUT_MS = FULL ? 1000 : 300;

function context(files: Record<string, string> = {}): FactoryContext {
  const missing = (p: string) => Promise.reject(pondError('ENOENT', p, 'no such file'));
  return {
    path: '/hostile.md',
    nodeId: 'hostile',
    now: () => 0,
    resolvePath: (p) => normalizePath(p, '/'),
    readFile: async (p) => (p in files ? new TextEncoder().encode(files[p]) : missing(p)),
    readText: async (p) => (p in files ? files[p] : missing(p)),
    readTable: missing,
    stat: missing,
    glob: async () => [],
    query: (sql) => missing(sql),
  } as FactoryContext;
}

interface Result {
  outcome: Outcome | 'other';
  output?: string;
  error?: unknown;
  took: number;
}

async function render(template: string, files?: Record<string, string>, timeoutMs = TIMEOUT_MS): Promise<Result> {
  const started = performance.now();
  try {
    const output = await renderTemplate(context(files), { source: template, name: '/hostile.md', variables: {}, autoescape: false, timeoutMs });
    return { outcome: 'ok', output, took: performance.now() - started };
  } catch (error) {
    const took = performance.now() - started;
    const code = isPondError(error) ? error.code : '';
    return { outcome: (['EFACTORY', 'ETIMEOUT', 'ETOOBIG'].includes(code) ? code : 'other') as Outcome | 'other', error, took };
  }
}

let dir: string;
let sentinelFile: string;
const g = globalThis as { __duckpondSentinel?: string };

/** The host is as it was: the sentinel global and file, and nothing new in the sentinel folder. */
async function expectHostUntouched(): Promise<void> {
  expect(g.__duckpondSentinel).toBe('untouched');
  expect(await readFile(sentinelFile, 'utf8')).toBe('untouched');
  expect(await readdir(dir)).toEqual(['sentinel.txt']);
}

async function expectNormalRender(): Promise<void> {
  const r = await render(NORMAL.template, undefined, 5000);
  expect(r.output, String(r.error)).toBe(NORMAL.output);
}

function judge(c: Pick<HostileCase, 'name' | 'expect' | 'output' | 'slackMs'>, r: Result, timeoutMs: number): void {
  const what = r.outcome === 'ok' ? `output ${JSON.stringify(r.output?.slice(0, 200))}` : String(r.error);
  expect(c.expect, `${c.name}: ${what}`).toContain(r.outcome);
  if (r.outcome === 'ok' && c.output) expect(c.output(r.output ?? ''), `${c.name}: ${what}`).toBe(true);
  if (isPondError(r.error)) expect(r.error.data.path).toBe('/hostile.md');
  if (r.outcome === 'ETIMEOUT') expect(overMs(r), `${c.name}: stopped ${overMs(r)} ms past its deadline`).toBeLessThanOrEqual(c.slackMs ?? HOSTILE_SLACK_MS);
  expect(r.took, `${c.name} took ${Math.round(r.took)} ms`).toBeLessThan(timeoutMs + Math.max(c.slackMs ?? 0, HOSTILE_TOTAL_SLACK_MS));
}

/** How far past its deadline the template was stopped, as its ETIMEOUT reports it. */
const overMs = (r: Result) => Number((r.error as { data?: { overMs?: number } }).data?.overMs);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duckpond-hostile-'));
  sentinelFile = join(dir, 'sentinel.txt');
  await writeFile(sentinelFile, 'untouched');
  g.__duckpondSentinel = 'untouched';
  // The first render loads the VM (compiling its wasm): not part of any case's time.
  await expectNormalRender();
}, 60_000);

afterAll(async () => {
  delete g.__duckpondSentinel;
  await rm(dir, { recursive: true, force: true });
});

describe(`hostile templates (${FULL ? 'full corpus' : 'fast sample; HOSTILE_FULL=1 for all'})`, () => {
  const overshoots: number[] = [];
  for (const c of hostileCases(FULL)) {
    it(
      c.name,
      async () => {
        const r = await render(c.template, c.files);
        if (r.outcome === 'ETIMEOUT' && !c.slackMs) overshoots.push(overMs(r));
        judge(c, r, TIMEOUT_MS);
        await expectHostUntouched();
        await expectNormalRender();
      },
      30_000,
    );
  }

  it('host files stay out of reach: writing the sentinel file from a template fails', async () => {
    const attempts = [
      `{{ range.constructor('require("fs").writeFileSync(${JSON.stringify(sentinelFile)}, "pwned")')() }}`,
      `{{ range.constructor('process.mainModule.require("fs").writeFileSync(${JSON.stringify(sentinelFile)}, "pwned")')() }}`,
      `{{ range.constructor('return import("node:fs").then(function (fs) { fs.writeFileSync(${JSON.stringify(sentinelFile)}, "pwned") })')() }}`,
    ];
    for (const t of attempts) {
      const r = await render(t);
      expect(['EFACTORY', 'ok']).toContain(r.outcome);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expectHostUntouched();
    }
  });

  it('generated templates of every tag, filter and global end in time with a typed result', async () => {
    await fc.assert(
      fc.asyncProperty(generatedTemplate, async (template) => {
        const r = await render(template, { '/t/self.njk': '{% include "/t/self.njk" %}' });
        expect(['ok', 'EFACTORY', 'ETIMEOUT', 'ETOOBIG'], `${template}: ${String(r.error)}`).toContain(r.outcome);
        expect(r.took, template).toBeLessThan(TIMEOUT_MS + HOSTILE_TOTAL_SLACK_MS);
        // Generated templates may include themselves: that recursion may stop late (see the corpus).
        if (r.outcome === 'ETIMEOUT' && !template.includes('{% include')) expect(overMs(r), template).toBeLessThanOrEqual(HOSTILE_SLACK_MS);
        expect(g.__duckpondSentinel).toBe('untouched');
      }),
      { numRuns: FULL ? 300 : 12, seed: FULL ? undefined : 42 },
    );
    await expectNormalRender();
  }, 600_000);

  afterAll(() => {
    if (overshoots.length)
      console.log(
        `deadline → stop: max ${Math.max(...overshoots)} ms, median ${overshoots.sort((a, b) => a - b)[overshoots.length >> 1]} ms past a ${TIMEOUT_MS} ms limit over ${overshoots.length} cases`,
      );
  });
});

describe('hostile templates through a pond', () => {
  it('a stored node that loops forever fails with ETIMEOUT naming it; the pond keeps working', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mknod('/evil.md', 'template', { template: '{{ range.constructor("for (;;) {}")() }}', timeout_ms: 300 });
      await tx.mknod('/ok.md', 'template', { template: '{{ "fine" | upper }}' });
    });
    await expect(pond.readFile('/evil.md')).rejects.toMatchObject({ code: 'ETIMEOUT', data: { path: '/evil.md' } });
    expect(dec(await pond.readFile('/ok.md'))).toBe('FINE');
    await pond.close();
  });
});
