import { describe, it, expect } from 'vitest';
import { openDynamic, enc, dec, parquet, ints, strs } from '../dynamic/fixtures.ts';

async function pondWithData() {
  const { pond, resolver } = await openDynamic();
  await pond.transact(async (tx) => {
    await tx.mkdir('/sites/north', { parents: true });
    await tx.mkdir('/sites/south', { parents: true });
    await tx.writeFile('/sites/north/temps.parquet', await parquet({ day: ints([1, 2]), temp: ints([10, 12]) }), { type: 'file:table' });
    await tx.writeFile('/sites/south/temps.parquet', await parquet({ day: ints([1]), temp: ints([25]) }), { type: 'file:table' });
    await tx.mkdir('/templates');
    await tx.writeFile('/templates/base.njk', enc('<{% block body %}{% endblock %}>'));
    await tx.writeFile('/templates/macros.njk', enc('{% macro row(r) %}{{ r.day }}={{ r.temp }}{% endmacro %}'));
    await tx.writeFile('/templates/site.njk', enc('{% for r in table(m.path) %}{{ m.captures[0] }}:{{ r.day }}={{ r.temp }};{% endfor %}'));
  });
  return { pond, resolver };
}

const render = async (pond: Awaited<ReturnType<typeof pondWithData>>['pond'], path: string) => dec(await pond.readFile(path));

describe('template', () => {
  it('renders variables inline', async () => {
    const { pond } = await pondWithData();
    await pond.transact((tx) =>
      tx.mknod('/hello.md', 'template', {
        template: '# {{ title }}\n{% for x in items %}- {{ x }}\n{% endfor %}',
        variables: { title: 'Hi', items: ['a', 'b'] },
        output_format: 'markdown',
      }),
    );
    expect(await render(pond, '/hello.md')).toBe('# Hi\n- a\n- b\n');
    expect((await pond.stat('/hello.md')).type).toBe('file:data');
  });

  it('reads pond data: a glob with captures, each match as rows, through includes', async () => {
    const { pond } = await pondWithData();
    await pond.transact((tx) =>
      tx.mknod('/report.txt', 'template', {
        template:
          '{% for m in glob("/sites/*/temps.parquet") %}{% include "templates/site.njk" %}{% endfor %} n={{ table("/sites/north/temps.parquet") | length }}',
      }),
    );
    expect(await render(pond, '/report.txt')).toBe('north:1=10;north:2=12;south:1=25; n=2');
  });

  it('template_file with extends and import resolved inside the pond (relative and absolute)', async () => {
    const { pond } = await pondWithData();
    await pond.transact(async (tx) => {
      await tx.writeFile(
        '/templates/page.njk',
        enc(
          '{% extends "base.njk" %}{% import "/templates/macros.njk" as m %}{% block body %}{% for r in table("../sites/north/temps.parquet") %}{{ m.row(r) }} {% endfor %}{{ who }}{% endblock %}',
        ),
      );
      await tx.mknod('/templates/page.html', 'template', { template_file: 'page.njk', variables: { who: '<me>' }, output_format: 'html' });
    });
    // html autoescapes values, not the template's own markup.
    expect(await render(pond, '/templates/page.html')).toBe('<1=10 2=12 &lt;me&gt;>');
  });

  it('runs a SQL query over pond tables', async () => {
    const { pond } = await pondWithData();
    await pond.transact((tx) =>
      tx.mknod('/max.txt', 'template', {
        template: '{% for r in query("SELECT max(temp) AS hi, count(*) AS n FROM t", { t: "/sites/*/temps.parquet" }) %}{{ r.hi }}/{{ r.n }}{% endfor %}',
      }),
    );
    expect(await render(pond, '/max.txt')).toBe('25/3');
  });

  it('json output must parse; csv and json filters escape', async () => {
    const { pond } = await pondWithData();
    await pond.transact(async (tx) => {
      await tx.mknod('/ok.json', 'template', { template: '{{ table("/sites/south/temps.parquet") | json }}', output_format: 'json' });
      await tx.mknod('/bad.json', 'template', { template: '{ nope', output_format: 'json' });
      await tx.writeFile('/names.parquet', await parquet({ name: strs(['a,b', 'say "hi"']) }), { type: 'file:table' });
      await tx.mknod('/out.csv', 'template', {
        template: 'name\n{% for r in table("/names.parquet") %}{{ r.name | csv }}\n{% endfor %}',
        output_format: 'csv',
      });
    });
    expect(JSON.parse(await render(pond, '/ok.json'))).toEqual([{ day: 1, temp: 25 }]);
    await expect(pond.readFile('/bad.json')).rejects.toMatchObject({ code: 'EFACTORY', message: expect.stringContaining('does not parse') });
    expect(await render(pond, '/out.csv')).toBe('name\n"a,b"\n"say ""hi"""\n');
  });

  it('a render error is EFACTORY naming the node and the template line', async () => {
    const { pond } = await pondWithData();
    await pond.transact(async (tx) => {
      await tx.mknod('/syntax', 'template', { template: 'line one\nline two {% if %}\n' });
      await tx.mknod('/runtime', 'template', { template: 'one\ntwo\n{{ read("/no/such/file") }}\n' });
      await tx.mknod('/first', 'template', { template: '{{ nope() }}' });
      await tx.writeFile('/templates/broken.njk', enc('ok\n{% for %}'));
      await tx.mknod('/inc', 'template', { template: '{% include "/templates/broken.njk" %}' });
    });
    const syntax = await pond.readFile('/syntax').catch((e) => e);
    expect(syntax).toMatchObject({ code: 'EFACTORY', data: { path: '/syntax', line: 2 } });
    expect(syntax.message).toMatch(/^EFACTORY: \/syntax: template error at line 2: /);
    const runtime = await pond.readFile('/runtime').catch((e) => e);
    expect(runtime).toMatchObject({ code: 'EFACTORY', data: { path: '/runtime', line: 3 } });
    expect(runtime.message).toMatch(/line 3: .*\/no\/such\/file/);
    expect(await pond.readFile('/first').catch((e) => e)).toMatchObject({ data: { line: 1 } });
    const inc = await pond.readFile('/inc').catch((e) => e);
    expect(inc.message).toMatch(/\/inc: template error at line 2 of \/templates\/broken\.njk/);
  });

  it('a missing template_file or include is an error naming it', async () => {
    const { pond } = await pondWithData();
    await pond.transact(async (tx) => {
      await tx.mknod('/a', 'template', { template_file: '/templates/gone.njk' });
      await tx.mknod('/b', 'template', { template: '{% include "/templates/gone.njk" %}' });
      await tx.mknod('/c', 'template', { template: '[{% include "/templates/gone.njk" ignore missing %}]' });
    });
    expect((await pond.readFile('/a').catch((e) => e)).message).toMatch(/EFACTORY: \/a: .*\/templates\/gone\.njk/);
    expect((await pond.readFile('/b').catch((e) => e)).message).toMatch(/EFACTORY: \/b: .*\/templates\/gone\.njk/);
    expect(await render(pond, '/c')).toBe('[]');
  });

  it('re-renders when a template file or the data changes, and only then', async () => {
    const { pond, resolver } = await pondWithData();
    await pond.transact(async (tx) => {
      await tx.writeFile('/templates/count.njk', enc('v1 {{ table("/sites/south/temps.parquet") | length }}'));
      await tx.mknod('/count.txt', 'template', { template_file: '/templates/count.njk' });
    });
    expect(await render(pond, '/count.txt')).toBe('v1 1');
    await pond.transact((tx) => tx.writeFile('/templates/other.njk', enc('x')));
    expect(await render(pond, '/count.txt')).toBe('v1 1');
    expect(resolver.computeCount).toBe(1);
    await pond.transact((tx) => tx.writeFile('/templates/count.njk', enc('v2 {{ table("/sites/south/temps.parquet") | length }}')));
    expect(await render(pond, '/count.txt')).toBe('v2 1');
    await pond.transact(async (tx) => tx.writeFile('/sites/south/temps.parquet', await parquet({ day: ints([1, 2, 3]), temp: ints([1, 2, 3]) })));
    expect(await render(pond, '/count.txt')).toBe('v2 3');
    expect(resolver.computeCount).toBe(3);
  });

  it('config: exactly one of template and template_file', async () => {
    const { pond } = await pondWithData();
    const both = await pond.transact((tx) => tx.mknod('/x', 'template', { template: 'a', template_file: '/b' })).catch((e) => e);
    expect(both.message).toMatch(/ECONFIG: \/x: invalid template config: template: give exactly one of template and template_file/);
    const none = await pond.transact((tx) => tx.mknod('/x', 'template', { variables: {} })).catch((e) => e);
    expect(none.code).toBe('ECONFIG');
    const fmt = await pond.transact((tx) => tx.mknod('/x', 'template', { template: 'a', output_format: 'pdf' })).catch((e) => e);
    expect(fmt.message).toMatch(/output_format: /);
  });
});
