// A template from a stranger's pond must not run JavaScript: nunjucks is not a sandbox, and its
// member lookup would hand a template the Function constructor (`range.constructor("…")()`), which
// in the pond worker reaches every pond in the browser and the network. Each payload below is a
// known way to climb from template values to code; each must fail with EFACTORY naming the node,
// and ordinary templates (macros, call blocks, loops, string and list methods) must still render.
import { describe, it, expect } from 'vitest';
import { openDynamic, dec } from '../dynamic/fixtures.ts';

const ESCAPES: Record<string, string> = {
  'a global\'s constructor': '{{ range.constructor("return 6*7")() }}',
  'cycler\'s constructor': '{{ cycler.constructor("return 6*7")() }}',
  'joiner\'s constructor': '{{ joiner().constructor("return 6*7")() }}',
  'a pond function\'s constructor': '{{ table.constructor("return 6*7")() }}',
  'a string\'s constructor chain': '{{ "".constructor.constructor("return 6*7")() }}',
  'a list\'s constructor chain': '{{ [].constructor.constructor("return 6*7")() }}',
  'a computed key': '{% set k = "constr" ~ "uctor" %}{{ range[k]("return 6*7")() }}',
  'subscript syntax': '{{ range["constructor"]("return 6*7")() }}',
  '__proto__': '{{ ({}).__proto__.constructor.constructor("return 6*7")() }}',
  'a bare constructor name': '{{ constructor.constructor("return 6*7")() }}',
  'a macro\'s constructor': '{% macro m() %}x{% endmacro %}{{ m.constructor("return 6*7")() }}',
  'loop object': '{% for i in [1] %}{{ loop.constructor.constructor("return 6*7")() }}{% endfor %}',
  'a method of a function': '{{ range.call.constructor("return 6*7")() }}',
  'a function as a value': '{% set f = range %}{{ f.bind }}',
  'a prototype': '{{ range.prototype }}',
  'a variable\'s constructor': '{{ data.constructor.keys(data) }}',
};

describe('template sandbox', () => {
  for (const [name, template] of Object.entries(ESCAPES)) {
    it(`refuses ${name}`, async () => {
      const { pond } = await openDynamic();
      await pond.transact((tx) => tx.mknod('/evil', 'template', { template, variables: { data: { a: 1 } } }));
      const e = await pond.readFile('/evil').then((b) => new Error(`rendered: ${dec(b)}`), (err: unknown) => err);
      expect(e).toMatchObject({ code: 'EFACTORY', data: { path: '/evil' } });
      expect((e as Error).message).toMatch(/templates may not use/);
      expect((e as Error).message).not.toMatch(/42/);
    });
  }

  it('ordinary templates still work: macros, call blocks, loops, string and list methods, globals', async () => {
    const { pond } = await openDynamic();
    const template = [
      '{% macro box(x) %}[{{ x }}{{ caller() if caller }}]{% endmacro %}',
      '{% call box("a") %}!{% endcall %}',
      '{% for i in range(3) %}{{ loop.index }}{{ "," if not loop.last }}{% endfor %}',
      '{{ "abc".toUpperCase() }} {{ "a-b".split("-") | join("+") }} {{ [3, 1, 2] | sort | join("") }}',
      '{% set c = cycler("x", "y") %}{{ c.next() }}{{ c.next() }}',
      '{{ data.a }} {{ data["b"] }} {{ items.length }} {{ node.name }}',
    ].join('|');
    await pond.transact((tx) => tx.mknod('/ok', 'template', { template, variables: { data: { a: 1, b: 2 }, items: [1, 2] } }));
    expect(dec(await pond.readFile('/ok'))).toBe('|[a!]|1,2,3|ABC a+b 123|xy|1 2 2 ok');
  });
});
