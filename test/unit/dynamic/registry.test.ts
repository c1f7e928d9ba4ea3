import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { FactoryRegistry, defaultRegistry, defineFactory, parseConfigText, isPondError } from '../../../src/core/index.ts';

const echo = defineFactory({
  name: 'echo',
  description: 'test',
  produces: 'file:data',
  schema: z.object({ text: z.string(), times: z.number().int().positive().default(1) }).strict(),
  compute: (_ctx, c) => c.text.repeat(c.times),
});

describe('FactoryRegistry', () => {
  it('starts empty and keeps what is registered', () => {
    const r = new FactoryRegistry();
    expect(r.names()).toEqual([]);
    expect(r.get('echo')).toBeUndefined();
    expect(r.register(echo)).toBe(r);
    expect(r.get('echo')).toBe(echo);
    expect(r.names()).toEqual(['echo']);
  });

  it('refuses a duplicate name and invalid names', () => {
    const r = new FactoryRegistry().register(echo);
    expect(() => r.register(echo)).toThrow(/already registered/);
    expect(() => r.register({ ...echo, name: 'Bad Name' })).toThrow(/invalid factory name/);
    expect(() => r.register({ ...echo, name: 'tlogfs' })).toThrow(/invalid factory name/);
  });

  it('defaultRegistry holds the built-in factories, and each call is independent', () => {
    const a = defaultRegistry();
    expect(a.names()).toEqual([
      'column-rename',
      'combine',
      'directory',
      'dynamic-dir',
      'scribble',
      'sql-derived-series',
      'sql-derived-table',
      'sql_query',
      'synthetic-timeseries',
      'template',
      'temporal-reduce',
      'temporal-reduce-series',
      'timeseries-join',
      'timeseries-pivot',
    ]);
    a.register(echo);
    expect(defaultRegistry().get('echo')).toBeUndefined();
  });

  it('validate: unknown factory is EFACTORY naming the path and the known names', () => {
    const err = (() => {
      try {
        new FactoryRegistry().register(echo).validate('nope', {}, '/x/y');
      } catch (e) {
        return e;
      }
    })();
    expect(isPondError(err, 'EFACTORY')).toBe(true);
    expect((err as Error).message).toContain('/x/y');
    expect((err as Error).message).toContain('"nope"');
    expect((err as Error).message).toContain('echo');
  });

  it('validate: ECONFIG names the path, each field and the reason; defaults are filled in', () => {
    const r = new FactoryRegistry().register(echo);
    expect(r.validate('echo', { text: 'a' }, '/e')).toEqual({ type: 'file:data', config: { text: 'a', times: 1 } });
    let err: unknown;
    try {
      r.validate('echo', { text: 5, times: -1, extra: true }, '/dir/e');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ECONFIG', data: { path: '/dir/e', factory: 'echo' } });
    const msg = (err as Error).message;
    expect(msg).toContain('/dir/e');
    expect(msg).toMatch(/text: .*expected string/);
    expect(msg).toMatch(/times: .*>0|times: .*positive|times: .*greater/i);
    expect(msg).toContain('unknown field "extra"');
    const issues = (err as { data: { issues: Array<{ field: string }> } }).data.issues.map((i) => i.field);
    expect(issues).toEqual(expect.arrayContaining(['text', 'times', '']));
  });

  it('validate: nested fields are named with their path (sql_query tables.<name>)', () => {
    let err: unknown;
    try {
      defaultRegistry().validate('sql_query', { query: 'SELECT 1', tables: { t: 42 } }, '/q');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/ECONFIG: \/q: invalid sql_query config: tables\.t: /);
  });

  it('validate accepts config typed as YAML text', () => {
    const r = new FactoryRegistry().register(echo);
    expect(r.validate('echo', 'text: hi\ntimes: 2\n', '/e').config).toEqual({ text: 'hi', times: 2 });
  });
});

describe('parseConfigText', () => {
  it('reads YAML and JSON', () => {
    expect(parseConfigText('query: SELECT 1\ntables:\n  t: /data/*.parquet\n', '/q')).toEqual({ query: 'SELECT 1', tables: { t: '/data/*.parquet' } });
    expect(parseConfigText('{"a": [1, 2]}', '/q')).toEqual({ a: [1, 2] });
  });

  it('a syntax error is ECONFIG naming the path and the line', () => {
    let err: unknown;
    try {
      parseConfigText('a: 1\nb: [1, 2\nc: 3\n', '/cfg');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ECONFIG', data: { path: '/cfg' } });
    expect((err as Error).message).toMatch(/\/cfg: config is not valid YAML or JSON at line \d+/);
  });

  it('duplicate keys are an error, not a silent override', () => {
    expect(() => parseConfigText('a: 1\na: 2\n', '/cfg')).toThrow(/ECONFIG/);
  });
});

describe('config messages a person can act on', () => {
  it('says a missing union field is required, and names the exact field of a bad one', async () => {
    const { openPond, MemoryStore } = await import('../../../src/core/index.ts');
    const pond = await openPond(new MemoryStore());
    await expect(pond.transact((tx) => tx.mknod('/n', 'scribble', { row_count: 5 }))).rejects.toMatchObject({
      code: 'ECONFIG',
      message: expect.stringContaining('schema: required'),
    });
    await expect(pond.transact((tx) => tx.mknod('/n', 'scribble', { schema: [{ name: 'x', type: 'bogus' }], row_count: 5 }))).rejects.toMatchObject({
      code: 'ECONFIG',
      message: expect.stringMatching(/schema: \[0\]\.type: .*"integer"/),
    });
  });
});

describe('configs keep every key a person wrote (null-prototype maps)', () => {
  const SPECIAL = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

  it('sql_query tables named __proto__, constructor, toString, hasOwnProperty are ordinary tables, from JSON and from YAML', () => {
    const r = defaultRegistry();
    const json = `{"query": "SELECT 1", "tables": {${SPECIAL.map((k) => `"${k}": "/${k}/*.parquet"`).join(', ')}}}`;
    const yaml = `query: SELECT 1\ntables:\n${SPECIAL.map((k) => `  ${k}: /${k}/*.parquet\n`).join('')}`;
    for (const text of [json, yaml]) {
      const { config } = r.validate('sql_query', text, '/q') as { config: { tables: Record<string, string> } };
      expect(Object.keys(config.tables)).toEqual(SPECIAL);
      for (const k of SPECIAL) expect(Object.getOwnPropertyDescriptor(config.tables, k)?.value).toBe(`/${k}/*.parquet`);
      // What is stored and read back is the same map.
      const stored = JSON.parse(JSON.stringify(config)) as { tables: object };
      expect(Object.keys(stored.tables)).toEqual(SPECIAL);
    }
  });

  it('a single table named __proto__ is the default query\'s table, not "got 0"', () => {
    const { config } = defaultRegistry().validate('sql_query', '{"tables": {"__proto__": "/x/*.parquet"}}', '/q') as { config: { tables: object } };
    expect(Object.keys(config.tables)).toEqual(['__proto__']);
  });

  it('combine output_schema and scribble schema maps keep special column names', () => {
    const r = defaultRegistry();
    const { config } = r.validate('combine', `{"file_patterns": ["/a/*"], "output_schema": {${SPECIAL.map((k) => `"${k}": "string"`).join(', ')}}}`, '/c') as {
      config: { output_schema: object };
    };
    expect(Object.keys(config.output_schema)).toEqual(SPECIAL);
    const s = r.validate('scribble', `{"row_count": 1, "schema": {${SPECIAL.map((k) => `"${k}": "integer"`).join(', ')}}}`, '/s') as {
      config: { schema: Array<{ name: string }> };
    };
    expect(s.config.schema.map((c) => c.name)).toEqual(SPECIAL);
  });

  it('an unknown top-level __proto__ field is ECONFIG naming it, not silently dropped', () => {
    let err: unknown;
    try {
      defaultRegistry().validate('sql_query', '{"query": "SELECT 1", "__proto__": {"tables": {"t": "/x"}}}', '/q');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ECONFIG' });
    expect((err as Error).message).toContain('__proto__');
  });

  it('a stored sql_query over tables named __proto__ and constructor computes (end to end, DuckDB)', async () => {
    const { openDynamic, parquet, ints } = await import('./fixtures.ts');
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.writeFile('/p.parquet', await parquet({ x: ints([1, 2]) }), { type: 'file:table' });
      await tx.writeFile('/c.parquet', await parquet({ x: ints([10]) }), { type: 'file:table' });
      await tx.mknod(
        '/q',
        'sql_query',
        JSON.parse(
          '{"query": "SELECT (SELECT sum(x) FROM __proto__) + (SELECT sum(x) FROM \\"constructor\\") AS s", "tables": {"__proto__": "/p.parquet", "constructor": "/c.parquet"}}',
        ),
      );
    });
    const t = await pond.readTable('/q');
    expect(Number(t.getChild('s')!.get(0))).toBe(13);
    await pond.close();
  }, 60_000);

  it('a bad key or value is still named: tables.<name>', () => {
    expect(() => defaultRegistry().validate('sql_query', { query: 'SELECT 1', tables: { 'a b': '/x' } }, '/q')).toThrow(/tables/);
    expect(() => defaultRegistry().validate('sql_query', JSON.parse('{"query": "SELECT 1", "tables": {"__proto__": 5}}'), '/q')).toThrow(/tables\.__proto__: /);
  });
});
