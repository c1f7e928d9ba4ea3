/**
 * Hostile templates: what a stranger's pond can put in a `template` node, written as an attacker
 * would. Every nunjucks tag, filter and global is an attack surface: escapes towards the host's
 * JavaScript, single calls that run for minutes or allocate without bound, recursion through
 * macros and includes, and source nested deep enough to exhaust a parser. Shared by the Node
 * corpus (test/unit/hostile/templates.test.ts) and the Chromium one (test/browser/hostile-templates.test.ts).
 *
 * A case passes when the render ends within its deadline plus a small slack, with a PondError of
 * an expected code or with harmless output, and the host is untouched (checked by the runner).
 */
import fc from 'fast-check';

/** What a render may end with. 'ok' is any output that `output` (when given) accepts. */
export type Outcome = 'ok' | 'EFACTORY' | 'ETIMEOUT' | 'ETOOBIG';

export interface HostileCase {
  name: string;
  template: string;
  /** Outcomes that are acceptable (several when memory or time may run out first). */
  expect: Outcome[];
  /** For 'ok': what the output must satisfy (e.g. no host object in reach). */
  output?: (text: string) => boolean;
  /** Other template files of the pond (path → source), for include/import/extends cases. */
  files?: Record<string, string>;
  /** In the fast sample run by `npm test`. */
  fast?: boolean;
  /**
   * How far past the deadline it may stop, when more than HOSTILE_SLACK_MS: one native call linear
   * in an input as big as the memory limit allows runs to its end (docs/factories.md).
   */
  slackMs?: number;
}

/** The template limit the corpus renders under (ms). Short: the corpus is about bounds, not speed. */
export const HOSTILE_TIMEOUT_MS = 1000;
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
/**
 * How far past its deadline a template may be stopped (the `overMs` of its ETIMEOUT). The target
 * is 100 ms; the default leaves room for a machine shared with other work.
 */
export const HOSTILE_SLACK_MS = Number(env.HOSTILE_SLACK_MS) || 400;
/**
 * The allowance of a case whose last step is one native call linear in a memory-limit-sized input,
 * or the unwinding of an include recursion at the stack limit (nunjucks wraps the error at every
 * level, and each wrap near the limit builds a backtrace natively): known to stop late, see
 * docs/factories.md.
 */
const NATIVE_LINEAR_MS = 1200;
/**
 * The most a whole hostile render may take past its deadline: it also starts a VM, may hit one
 * native call that is linear in a memory-limit-sized input (a split of 60 MB, a for-in over
 * millions of keys), and a VM that died of its memory limit leaves garbage for the host's GC.
 */
export const HOSTILE_TOTAL_SLACK_MS = Number(env.HOSTILE_TOTAL_SLACK_MS) || 1500;

/** Host objects a template must never reach, by name. */
export const HOST_NAMES = [
  'process',
  'require',
  'module',
  'fetch',
  'indexedDB',
  'navigator',
  'importScripts',
  'postMessage',
  'XMLHttpRequest',
  'WebAssembly',
  'Deno',
  'Bun',
  'caches',
  'self',
  'window',
  'document',
  '__host',
  '__request',
  'structuredClone',
  'setTimeout',
];

const fn = (body: string) => `range.constructor(${JSON.stringify(body)})()`;
const allUndefined = (text: string) => text.split(',').every((t) => t === 'undefined');
const harmless = () => true;

export const HOSTILE_TEMPLATES: HostileCase[] = [
  // ---- Escapes: the VM's own Function is reachable; what it reaches must be nothing of the host.
  {
    name: 'the VM Function constructor finds no host object',
    fast: true,
    expect: ['ok'],
    template: `{{ ${fn(`return [${HOST_NAMES.map((n) => `typeof ${n}`).join(', ')}].join()`)} }}`,
    output: allUndefined,
  },
  {
    name: 'globalThis holds only the VM realm',
    expect: ['ok'],
    template: `{{ ${fn('var g = Function("return this")(); return [typeof g.process, typeof g.require, typeof g.fetch, typeof g.indexedDB, typeof g.navigator].join()')} }}`,
    output: allUndefined,
  },
  {
    name: 'a string constructor chain',
    expect: ['ok'],
    template: '{{ "".constructor.constructor("return typeof process + \\",\\" + typeof require")() }}',
    output: allUndefined,
  },
  {
    name: 'set and macro names reshape scope: __proto__, constructor',
    expect: ['ok', 'EFACTORY'],
    template:
      '{% set __proto__ = {polluted: 1} %}{% set constructor = range.constructor %}{% macro prototype() %}x{% endmacro %}{{ constructor("return typeof process")() }}',
    output: (t) => t === 'undefined',
  },
  {
    name: "a macro's constructor, loop object, cycler, joiner",
    expect: ['ok'],
    template:
      '{% macro m() %}x{% endmacro %}{{ m.constructor("return typeof require")() }},{% for i in [1] %}{{ loop.constructor.constructor("return typeof fetch")() }}{% endfor %},{{ cycler.constructor("return typeof navigator")() }},{{ joiner().constructor.constructor("return typeof importScripts")() }}',
    output: allUndefined,
  },
  {
    name: "a caller's constructor",
    expect: ['ok'],
    template: '{% macro m() %}{{ caller.constructor("return typeof process")() }}{% endmacro %}{% call m() %}x{% endcall %}',
    output: (t) => t === 'undefined',
  },
  {
    name: 'host file read through require/process',
    fast: true,
    expect: ['EFACTORY'],
    template: `{{ ${fn('return require("fs").readFileSync("/etc/passwd", "utf8")')} }}`,
  },
  {
    name: 'host write through process.binding',
    expect: ['EFACTORY'],
    template: `{{ ${fn('return process.binding("fs")')} }}`,
  },
  {
    name: 'dynamic import of a host module',
    expect: ['ok', 'EFACTORY'],
    template: `{{ ${fn('return import("node:fs")')} }}`,
    output: (t) => !/readFile/.test(t),
  },
  {
    name: 'a host sentinel global is set from inside',
    fast: true,
    expect: ['ok'],
    template: `{{ ${fn('globalThis.__duckpondSentinel = "pwned"; return "done"')} }}`,
    output: (t) => t === 'done',
  },
  {
    name: 'the bridge to the host is not a global',
    expect: ['ok'],
    template: `{{ ${fn('return typeof __host + "," + typeof __request + "," + typeof __render')} }}`,
    output: (t) => t.startsWith('undefined,undefined'),
  },
  {
    name: 'pond reads stay inside the pond',
    expect: ['EFACTORY'],
    template: '{{ read("../../../../etc/passwd") }}',
  },
  {
    name: 'a table path that climbs out of the root',
    expect: ['EFACTORY'],
    template: '{{ table("/../../etc/passwd") | length }}',
  },
  // ---- One call that runs too long: the interrupt reaches inside it.
  { name: 'center(1e8)', fast: true, expect: ['ETIMEOUT', 'ETOOBIG'], template: '{{ "x" | center(100000000) }}' },
  { name: 'batch(3e8) with a fill value', fast: true, expect: ['ETOOBIG', 'ETIMEOUT'], template: '{{ [1] | batch(300000000, "x") | length }}' },
  {
    name: 'replace with a catastrophic regex',
    fast: true,
    expect: ['ETIMEOUT'],
    template: '{{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" | replace(r/(a+)+$/, "x") }}',
  },
  { name: 'a catastrophic regex test', expect: ['ETIMEOUT'], template: '{{ r/^(a|aa)+$/.test("a".repeat(100) + "b") }}' },
  {
    name: 'a quadratic substring search (indexOf)',
    fast: true,
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: '{% set h = "a".repeat(20000000) %}{{ h.indexOf("a".repeat(20000) + "b") }}',
  },
  {
    name: 'a quadratic lastIndexOf',
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: '{% set h = "a".repeat(20000000) %}{{ h.lastIndexOf("a".repeat(20000) + "b") }}',
  },
  { name: 'a quadratic includes', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{% set h = "a".repeat(20000000) %}{{ h.includes("a".repeat(20000) + "b") }}' },
  { name: 'a quadratic split', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{% set h = "a".repeat(20000000) %}{{ h.split("a".repeat(20000) + "b") | length }}' },
  {
    name: 'a quadratic replace filter',
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: '{% set h = "a".repeat(20000000) %}{{ h | replace("a".repeat(20000) + "b", "c") | length }}',
  },
  {
    name: 'a quadratic replaceAll',
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: '{% set h = "a".repeat(20000000) %}{{ h.replaceAll("a".repeat(20000) + "b", "c") | length }}',
  },
  { name: 'a huge split', slackMs: NATIVE_LINEAR_MS, expect: ['ETOOBIG', 'ETIMEOUT'], template: '{{ "a,".repeat(30000000).split(",") | length }}' },
  { name: 'a native sort of millions', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{{ range(10000000).sort() | first }}' },
  { name: 'sort filter', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{{ range(10000000) | sort | first }}' },
  { name: 'join', expect: ['ETIMEOUT', 'ETOOBIG', 'ok'], template: '{{ range(10000000) | join(",") | length }}' },
  { name: 'wordcount of a huge string', expect: ['ETIMEOUT', 'ETOOBIG', 'ok'], template: '{{ "a ".repeat(30000000) | wordcount }}' },
  {
    name: 'indent multiplies the output',
    expect: ['ETOOBIG', 'ETIMEOUT'],
    template: '{% set nl %}\n{% endset %}{{ nl.repeat(20000000) | indent(1000) | length }}',
  },
  { name: 'truncate of a huge string', expect: ['ok', 'ETOOBIG', 'ETIMEOUT'], template: '{{ "a".repeat(100000000) | truncate(5) }}' },
  // Out of memory inside nunjucks' own error handling can surface as an EFACTORY.
  { name: 'list of a huge string', expect: ['ETOOBIG', 'ETIMEOUT', 'EFACTORY'], template: '{{ "a".repeat(50000000) | list | length }}' },
  {
    name: 'dictsort of a huge object',
    slackMs: NATIVE_LINEAR_MS,
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: `{{ ${fn('var o = {}; for (var i = 0; i < 3e6; i++) o["k" + i] = i; return o')} | dictsort | length }}`,
  },
  { name: 'groupby', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{{ range(10000000) | groupby("x") | length }}' },
  { name: 'sum', expect: ['ETIMEOUT', 'ETOOBIG', 'ok'], template: '{{ range(10000000) | sum }}' },
  { name: 'random', expect: ['ETIMEOUT', 'ETOOBIG', 'ok'], template: '{{ range(10000000) | random }}' },
  { name: 'urlize of a huge string', expect: ['ETIMEOUT', 'ETOOBIG'], template: '{{ "www.a.com ".repeat(10000000) | urlize | length }}' },
  { name: 'forceescape of a huge string', expect: ['ETOOBIG', 'ETIMEOUT'], template: '{{ "<".repeat(60000000) | forceescape | length }}' },
  {
    name: 'int and float of huge numbers',
    expect: ['ok'],
    template: '{{ "9".repeat(100000) | int }} {{ "1e999" | float }} {{ 2 ** 100000 }}',
    output: (t) => !/undefined/.test(t),
  },
  { name: 'string "*" repetition is arithmetic', expect: ['ok'], template: '{{ "ab" * 100000000 }}', output: (t) => t === 'NaN' },
  { name: 'repeat past the longest string', fast: true, expect: ['ETOOBIG', 'EFACTORY'], template: '{{ "x".repeat(2000000000) | length }}' },
  { name: 'padStart past the longest string', expect: ['ETOOBIG', 'EFACTORY'], template: '{{ "x".padStart(1000000000) | length }}' },
  // QuickJS concatenates long strings as ropes: three 200 MB parts need not be copied.
  { name: 'repeat up to the memory limit', expect: ['ETOOBIG', 'ETIMEOUT', 'ok'], template: '{% set s = "x".repeat(200000000) %}{{ (s + s + s).length }}' },
  {
    name: 'a loop of big native calls',
    slackMs: NATIVE_LINEAR_MS,
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: `{{ ${fn('var s = "x".repeat(5e7); for (var i = 0; i < 1e4; i++) s.toUpperCase(); return 1')} }}`,
  },
  {
    name: 'a loop of sparse fills',
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: `{{ ${fn('for (var i = 0; i < 1e4; i++) new Array(1e5).fill(i); return 1')} }}`,
  },
  { name: 'a range too big to build', expect: ['ETOOBIG'], template: '{% for i in range(0, 1000000000000) %}.{% endfor %}' },
  {
    name: 'nested loops for hours',
    expect: ['ETIMEOUT'],
    template: '{% for a in range(0, 1000000) %}{% for b in range(0, 1000000) %}{{ a * b }}{% endfor %}{% endfor %}',
  },
  // ---- Escapes from the deadline and the memory limit inside the VM.
  { name: 'an endless loop in the VM', fast: true, expect: ['ETIMEOUT'], template: `{{ ${fn('for (;;) {}')} }}` },
  { name: 'a try/catch that swallows the interrupt', expect: ['ETIMEOUT'], template: `{{ ${fn('for (;;) { try { for (;;) {} } catch (e) {} }')} }}` },
  {
    name: 'a try/catch that swallows out-of-memory',
    expect: ['ETIMEOUT', 'ETOOBIG'],
    template: `{{ ${fn('var a = []; for (;;) { try { a.push("x".repeat(1e6) + a.length) } catch (e) { a = [] } }')} }}`,
  },
  {
    name: 'allocation without bound',
    fast: true,
    expect: ['ETOOBIG', 'ETIMEOUT'],
    template: `{{ ${fn('var a = []; for (;;) a.push(new Array(1e5).fill(a.length))')} }}`,
  },
  { name: 'a huge ArrayBuffer', expect: ['ETOOBIG', 'EFACTORY'], template: `{{ ${fn('return new ArrayBuffer(2147483647).byteLength')} }}` },
  { name: 'a promise job loop', expect: ['ok', 'ETIMEOUT'], template: `{{ ${fn('function f() { Promise.resolve().then(f) } f(); return "queued"')} }}` },
  // ---- Recursion: macros, callers, includes, the parsers.
  { name: 'a macro calling itself', fast: true, expect: ['ETOOBIG'], template: '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}' },
  {
    name: 'a caller calling its macro',
    expect: ['ETOOBIG', 'EFACTORY'],
    template: '{% macro m() %}{% call m() %}{{ caller() }}{% endcall %}{% endmacro %}{{ m() }}',
  },
  {
    name: 'a recursive loop',
    expect: ['ETOOBIG'],
    template: '{% set t = [[[[1]]]] %}{% macro walk(x) %}{% for y in [x] %}{{ walk(y) }}{% endfor %}{% endmacro %}{{ walk(t) }}',
  },
  {
    name: 'a template including itself',
    slackMs: NATIVE_LINEAR_MS,
    fast: true,
    expect: ['ETOOBIG', 'ETIMEOUT'],
    files: { '/t/self.njk': 'x{% include "self.njk" %}' },
    template: '{% include "/t/self.njk" %}',
  },
  {
    name: 'two templates including each other',
    slackMs: NATIVE_LINEAR_MS,
    expect: ['ETOOBIG', 'ETIMEOUT'],
    files: { '/t/a.njk': '{% include "b.njk" %}', '/t/b.njk': '{% include "a.njk" %}' },
    template: '{% include "/t/a.njk" %}',
  },
  {
    name: 'a template extending itself',
    slackMs: NATIVE_LINEAR_MS,
    expect: ['ETOOBIG', 'EFACTORY', 'ETIMEOUT'],
    files: { '/t/ext.njk': '{% extends "ext.njk" %}' },
    template: '{% include "/t/ext.njk" %}',
  },
  {
    name: 'a template importing itself',
    slackMs: NATIVE_LINEAR_MS,
    expect: ['ETOOBIG', 'EFACTORY', 'ETIMEOUT'],
    files: { '/t/imp.njk': '{% import "imp.njk" as m %}{{ m.x() }}' },
    template: '{% include "/t/imp.njk" %}',
  },
  {
    name: 'includes of thousands of names',
    expect: ['ETOOBIG', 'ETIMEOUT', 'EFACTORY'],
    template: '{% for i in range(100000) %}{% include "/t/n" + i + ".njk" ignore missing %}{% endfor %}',
  },
  {
    name: 'tables of thousands of paths',
    expect: ['ETOOBIG', 'ETIMEOUT', 'EFACTORY'],
    template: '{% for i in range(100000) %}{{ table("/t/n" + i) | length }}{% endfor %}',
  },
  { name: 'huge arguments to a pond read', expect: ['ETOOBIG', 'ETIMEOUT'], template: '{{ query("SELECT 1", { t: "x".repeat(50000000) }) | length }}' },
  {
    name: 'deeply nested ifs for the template parser',
    expect: ['ETOOBIG', 'EFACTORY'],
    template: `${'{% if 1 %}'.repeat(20000)}x${'{% endif %}'.repeat(20000)}`,
  },
  {
    name: 'deeply nested parentheses for the expression parser',
    fast: true,
    expect: ['ETOOBIG', 'EFACTORY'],
    template: `{{ ${'('.repeat(50000)}1${')'.repeat(50000)} }}`,
  },
  { name: 'deeply nested lists', expect: ['ETOOBIG', 'EFACTORY'], template: `{{ ${'['.repeat(50000)}${']'.repeat(50000)} | length }}` },
  {
    name: 'deeply nested JavaScript for the VM parser',
    fast: true,
    expect: ['ETOOBIG', 'EFACTORY', 'ETIMEOUT'],
    template: `{{ ${fn(`return ${'('.repeat(100000)}1${')'.repeat(100000)}`)} }}`,
  },
  {
    name: 'deeply nested JSON.parse',
    expect: ['ETOOBIG', 'EFACTORY'],
    template: `{{ ${fn('return JSON.parse("[".repeat(200000) + "]".repeat(200000))')} | length }}`,
  },
  {
    name: 'JSON.stringify of a deep chain',
    expect: ['ETOOBIG', 'EFACTORY'],
    template: `{{ ${fn('var a = [], c = a; for (var i = 0; i < 200000; i++) { var n = []; c.push(n); c = n } return JSON.stringify(a).length')} }}`,
  },
  {
    name: 'the json filter of a deep chain',
    expect: ['ETOOBIG', 'EFACTORY'],
    template: `{{ ${fn('var a = [], c = a; for (var i = 0; i < 200000; i++) { var n = []; c.push(n); c = n } return a')} | json | length }}`,
  },
  {
    name: 'String() of a DAG that doubles each level',
    expect: ['ETOOBIG', 'ETIMEOUT'],
    template: `{{ ${fn('var a = ["x"]; for (var i = 0; i < 40; i++) a = [a, a]; return String(a).length')} }}`,
  },
  {
    name: 'a deep regex',
    expect: ['ETOOBIG', 'EFACTORY', 'ok'],
    template: `{{ ${fn(`return new RegExp("${'(?:'.repeat(30000)}a${')'.repeat(30000)}").test("a")`)} }}`,
  },
  // ---- Prototype pollution of the VM (must not outlive the render; the runner renders next).
  {
    name: 'builtins replaced inside the VM',
    fast: true,
    expect: ['ok'],
    template: `{{ ${fn('Array.prototype.join = function () { return "pwned" }; Object.prototype.polluted = "yes"; String.prototype.toUpperCase = function () { return "pwned" }; return "set"')} }}`,
    output: (t) => t === 'set',
  },
  { name: 'harmless arithmetic edge cases', expect: ['ok'], template: '{{ 1 / 0 }} {{ -1 % 0 }} {{ 0.1 + 0.2 }}', output: harmless },
];

/** The fast sample run by `npm test`; `HOSTILE_FULL=1` runs every case. */
export function hostileCases(full: boolean): HostileCase[] {
  return full ? HOSTILE_TEMPLATES : HOSTILE_TEMPLATES.filter((c) => c.fast);
}

/** A normal template and its output: rendered after each hostile case, it must still work. */
export const NORMAL = {
  template: '{% macro b(x) %}[{{ x }}]{% endmacro %}{{ b("a") }}{{ [3, 1, 2] | sort | join(",") }}{{ "x" | upper }}{{ ({}).polluted }}',
  output: '[a]1,2,3X',
};

// ---- Generated templates: fragments of every tag, filter and global, with big and odd arguments.
const SIZES = ['0', '1', '-1', '3', '1000', '100000', '10000000', '300000000', '1e308', '"x"', 'none', '[]', '{}'];
const FILTERS = [
  'abs',
  'batch(N)',
  'capitalize',
  'center(N)',
  'default(N)',
  'dictsort',
  'dump',
  'escape',
  'first',
  'float',
  'forceescape',
  'groupby("a")',
  'indent(N)',
  'int',
  'join(",")',
  'last',
  'length',
  'list',
  'lower',
  'nl2br',
  'random',
  'reject("odd")',
  'rejectattr("a")',
  'replace("a", "bb")',
  'reverse',
  'round(N)',
  'safe',
  'select("odd")',
  'selectattr("a")',
  'slice(N)',
  'sort',
  'string',
  'striptags',
  'sum',
  'title',
  'trim',
  'truncate(N)',
  'upper',
  'urlencode',
  'urlize',
  'wordcount',
  'json',
  'csv',
  'isodate',
];
const VALUES = [
  '"ab"',
  '"a".repeat(N)',
  'range(N)',
  '[1, [2, [3]]]',
  '{a: 1}',
  'N',
  'loop',
  'caller',
  'range',
  'cycler(1, 2)',
  'joiner()',
  'table("/t/x")',
  'read("/t/x")',
  'glob("/**")',
  'node',
];

const size = fc.constantFrom(...SIZES);
const withSize = (s: string) => size.map((n) => s.replaceAll('N', n));
const expr: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...VALUES).chain(withSize), fc.array(fc.constantFrom(...FILTERS).chain(withSize), { maxLength: 4 }))
  .map(([v, fs]) => [v, ...fs].join(' | '));

const block: fc.Arbitrary<string> = fc.letrec<{ block: string }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    expr.map((e) => `{{ ${e} }}`),
    fc.constantFrom('text', '{# comment #}', '{% raw %}{{ x }}{% endraw %}', '{{ caller() if caller }}', '{% include "/t/self.njk" ignore missing %}'),
    fc.tuple(expr, tie('block')).map(([e, b]) => `{% for x in ${e} %}${b}{% endfor %}`),
    fc.tuple(expr, tie('block'), tie('block')).map(([e, a, b]) => `{% if ${e} %}${a}{% else %}${b}{% endif %}`),
    fc.tuple(expr, tie('block')).map(([e, b]) => `{% set v = ${e} %}${b}{{ v }}`),
    tie('block').map((b) => `{% macro m(a) %}${b}{% endmacro %}{{ m(1) }}{% call m(2) %}${b}{% endcall %}`),
    tie('block').map((b) => `{% filter upper %}${b}{% endfilter %}`),
  ),
})).block;

/** Random templates built from every tag, filter and global, with big, odd and hostile arguments. */
export const generatedTemplate: fc.Arbitrary<string> = fc.array(block, { minLength: 1, maxLength: 4 }).map((bs) => bs.join(''));
