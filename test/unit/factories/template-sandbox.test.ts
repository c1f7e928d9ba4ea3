// A template from a stranger's pond runs inside its own VM (QuickJS compiled to wasm): nunjucks'
// member lookup still hands a template the Function constructor (`range.constructor("…")()`), but
// that is the VM's own Function, in a realm holding nothing of the worker. Each payload below is a
// known way to climb from template values to code; it may run, but only inside the VM: no host
// object is in reach, no host state changes, and nothing it does outlives its render. Ordinary
// templates (macros, call blocks, loops, string and list methods) render as before.
import { describe, it, expect, afterEach } from 'vitest';
import { openDynamic, dec } from '../dynamic/fixtures.ts';

const HOST = ['process', 'require', 'module', 'fetch', 'indexedDB', 'navigator', 'importScripts', 'postMessage', 'XMLHttpRequest', 'WebAssembly', 'setTimeout'];
const probe = `return [${HOST.map((n) => `typeof ${n}`).join(', ')}].join(",")`;

const ESCAPES: Record<string, string> = {
  "a global's constructor": `{{ range.constructor(${JSON.stringify(probe)})() }}`,
  "cycler's constructor": `{{ cycler.constructor(${JSON.stringify(probe)})() }}`,
  "joiner's constructor": `{{ joiner().constructor.constructor(${JSON.stringify(probe)})() }}`,
  "a pond function's constructor": `{{ table.constructor(${JSON.stringify(probe)})() }}`,
  "a string's constructor chain": `{{ "".constructor.constructor(${JSON.stringify(probe)})() }}`,
  'a computed key': `{% set k = "constr" ~ "uctor" %}{{ range[k](${JSON.stringify(probe)})() }}`,
  "a macro's constructor": `{% macro m() %}x{% endmacro %}{{ m.constructor(${JSON.stringify(probe)})() }}`,
  'the loop object': `{% for i in [1] %}{{ loop.constructor.constructor(${JSON.stringify(probe)})() }}{% endfor %}`,
  'set names that reshape scope': `{% set constructor = range.constructor %}{% set __proto__ = {} %}{{ constructor(${JSON.stringify(probe)})() }}`,
  'what an allowed call returns': `{% set F = cycler(1).next.constructor %}{{ F(${JSON.stringify(probe)})() }}`,
  'the global object of the VM': `{% set g = range.constructor("return this")() %}{{ [${HOST.map((n) => `g.${n}`).join(', ')}] | join(",") }}`,
};

const g = globalThis as { __duckpondSentinel?: string };

describe('template sandbox', () => {
  afterEach(() => {
    delete g.__duckpondSentinel;
  });

  for (const [name, template] of Object.entries(ESCAPES)) {
    it(`${name} reaches only the VM's own realm`, async () => {
      const { pond } = await openDynamic();
      await pond.transact((tx) => tx.mknod('/evil', 'template', { template }));
      const out = dec(await pond.readFile('/evil'));
      // Every host name is absent (undefined, or empty where nunjucks prints a missing member).
      expect(out.split(',')).toHaveLength(HOST.length);
      for (const v of out.split(',')) expect(['undefined', '']).toContain(v);
    });
  }

  it('code run inside the VM changes nothing of the host, and nothing of the next render', async () => {
    g.__duckpondSentinel = 'untouched';
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mknod('/evil', 'template', {
        template:
          "{{ range.constructor(\"globalThis.__duckpondSentinel = 'pwned'; Array.prototype.join = function () { return 'pwned' }; Object.prototype.polluted = 1; return 'ran'\")() }}",
      });
      await tx.mknod('/next', 'template', { template: '{{ [1, 2] | join("+") }}|{{ ({}).polluted }}|{{ "a-b".split("-") | join(",") }}' });
    });
    expect(dec(await pond.readFile('/evil'))).toBe('ran');
    expect(g.__duckpondSentinel).toBe('untouched');
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect([1, 2].join('+')).toBe('1+2');
    expect(dec(await pond.readFile('/next'))).toBe('1+2||a,b');
  });

  it('host modules and files are out of reach: the attempt is an EFACTORY naming the node', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) =>
      tx.mknod('/evil', 'template', { template: "a\n{{ range.constructor(\"return require('fs').readFileSync('/etc/passwd', 'utf8')\")() }}" }),
    );
    const e = await pond.readFile('/evil').then(
      (b) => new Error(`rendered: ${dec(b)}`),
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ code: 'EFACTORY', data: { path: '/evil', line: 2 } });
    expect((e as Error).message).toMatch(/require/);
    expect((e as Error).message).not.toMatch(/root:/);
  });

  it('ordinary templates still work: macros, call blocks, loops, string and list methods, globals', async () => {
    const { pond } = await openDynamic();
    const template = [
      '{% macro box(x) %}[{{ x }}{{ caller() if caller }}]{% endmacro %}',
      '{% call box("a") %}!{% endcall %}',
      '{% for i in range(3) %}{{ loop.index }}{{ "," if not loop.last }}{% endfor %}',
      '{{ "abc".toUpperCase() }} {{ "a-b".split("-") | join("+") }} {{ [3, 1, 2] | sort | join("") }}',
      '{% set c = cycler("x", "y") %}{{ c.next() }}{{ c.next() }}',
      '{{ data.a }} {{ data["b"] }} {{ items.length }} {{ node.name }}',
      '{{ "x-y-z".indexOf("z") }} {{ "abcabc".lastIndexOf("b") }} {{ "aXbXc".replace("X", "$&$&") }} {{ "aXbXc".replaceAll("X", "-") }} {{ [10, 9, 1].sort() | join(",") }}',
    ].join('|');
    await pond.transact((tx) => tx.mknod('/ok', 'template', { template, variables: { data: { a: 1, b: 2 }, items: [1, 2] } }));
    expect(dec(await pond.readFile('/ok'))).toBe('|[a!]|1,2,3|ABC a+b 123|xy|1 2 2 ok|4 4 aXXbXc a-b-c 1,10,9');
  });

  it('the guarded searches give native results above their size threshold', async () => {
    const { pond } = await openDynamic();
    const template =
      '{% set h = "ab".repeat(50000) + "needle-0123456789" + "ab".repeat(10) %}{% set n = "needle-0123456789" %}' +
      '{{ h.indexOf(n) }} {{ h.lastIndexOf(n) }} {{ h.includes(n) }} {{ h.split(n) | length }} {{ h.replace(n, "[$&]").length }} {{ h.replaceAll(n, "").length }} {{ h.indexOf(n + "x") }}';
    await pond.transact((tx) => tx.mknod('/big', 'template', { template }));
    const h = 'ab'.repeat(50000) + 'needle-0123456789' + 'ab'.repeat(10);
    const n = 'needle-0123456789';
    expect(dec(await pond.readFile('/big'))).toBe(
      [h.indexOf(n), h.lastIndexOf(n), h.includes(n), h.split(n).length, h.replace(n, '[$&]').length, h.replaceAll(n, '').length, -1].join(' '),
    );
  });
});
