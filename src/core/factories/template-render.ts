import type * as arrow from 'apache-arrow';
import type NunjucksModule from 'nunjucks';
import type { FactoryContext } from '../dynamic/factory.ts';
import { dirname, normalizePath } from '../tinyfs/path.ts';
import { isPondError, pondError, type PondError } from '../errors.ts';

/** Render passes before giving up on a template whose data needs keep growing. */
export const MAX_RENDER_PASSES = 10;

/** How long a render may take (all passes together) unless the config says otherwise. */
export const DEFAULT_TEMPLATE_TIMEOUT_MS = 10_000;
/** The most output a render may produce unless the config says otherwise. */
export const DEFAULT_TEMPLATE_MAX_BYTES = 64 * 1024 * 1024;
/** The longest list `range()` builds: a bigger one is a runaway loop, and would exhaust memory first. */
export const MAX_RANGE = 10_000_000;

/** What one render needs. */
export interface RenderRequest {
  source: string;
  /** The template's pond path: errors name it and relative includes resolve against its directory. */
  name: string;
  variables: Record<string, unknown>;
  autoescape: boolean;
  /** Stop with ETIMEOUT after this long (default DEFAULT_TEMPLATE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Fail with ETOOBIG when the output is bigger (default DEFAULT_TEMPLATE_MAX_BYTES). */
  maxBytes?: number;
}

/**
 * The budget of the render running now. Nunjucks renders synchronously, so nothing else can run
 * during a render; the check lives where every loop iteration and variable assignment passes
 * (Frame.set) and in range(), so a runaway loop stops at its deadline instead of freezing the worker.
 */
let budget: { deadline: number; path: string; timeoutMs: number; ticks: number } | null = null;

function checkBudget(force = false): void {
  if (budget && ((++budget.ticks & 0x3ff) === 0 || force) && performance.now() > budget.deadline) {
    const { path, timeoutMs } = budget;
    throw pondError('ETIMEOUT', path, `the template ran past its ${timeoutMs} ms limit (a loop too long?); raise timeout_ms in its config if it needs more`);
  }
}

/**
 * Names a template may never look up. Nunjucks is not a sandbox: its member lookup hands back any
 * property, so `range.constructor("…")()` would be the Function constructor running code of a
 * stranger's pond in the worker, with every pond and the network in reach.
 */
const FORBIDDEN_NAMES = new Set(['constructor', 'prototype']);

/** Values no template may hold or call, however it reached them. */
const FORBIDDEN_VALUES = new Set<unknown>([
  Function,
  Object,
  Reflect,
  Proxy,
  globalThis,
  eval,
  Object.getPrototypeOf(async function () {}).constructor,
  Object.getPrototypeOf(function* () {}).constructor,
  Object.getPrototypeOf(async function* () {}).constructor,
]);

function forbiddenName(name: unknown): boolean {
  const key = String(name);
  return FORBIDDEN_NAMES.has(key) || key.startsWith('__');
}

/** The error a template gets for reaching outside its data; nunjucks adds the line. */
function refused(what: string): Error {
  return new Error(`templates may not use ${what}`);
}

function guardValue<T>(value: T, name: string): T {
  if (FORBIDDEN_VALUES.has(value)) throw refused(`\`${name}\``);
  return value;
}

interface NunjucksRuntime {
  Frame: { prototype: { set: (...a: unknown[]) => unknown } };
  memberLookup: (obj: unknown, key: unknown) => unknown;
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
  callWrap: (fn: unknown, name: string, context: unknown, args: unknown[]) => unknown;
}

let runtimePatched = false;

/**
 * Harden nunjucks' runtime (once per instance; compiled templates call it through this object):
 * Frame.set checks the time budget, and every name, member and call a template uses is checked
 * against the forbidden names and values above. Members of functions are refused as a whole:
 * data reaches templates as plain values, and a function is only ever for calling.
 */
function patchRuntime(nunjucks: typeof NunjucksModule): void {
  if (runtimePatched) return;
  const runtime = (nunjucks as unknown as { runtime: NunjucksRuntime }).runtime;
  const set = runtime.Frame.prototype.set;
  runtime.Frame.prototype.set = function (this: unknown, ...args: unknown[]) {
    checkBudget();
    return set.apply(this, args);
  };
  const memberLookup = runtime.memberLookup;
  runtime.memberLookup = (obj, key) => {
    if (obj === undefined || obj === null) return undefined;
    if (forbiddenName(key)) throw refused(`\`.${String(key)}\``);
    if (typeof obj === 'function') throw refused(`members of a function (\`.${String(key)}\`)`);
    guardValue(obj, String(key));
    return guardValue(memberLookup(obj, key), String(key));
  };
  const lookup = runtime.contextOrFrameLookup;
  runtime.contextOrFrameLookup = (context, frame, name) => {
    // A plain object's inherited names (`constructor`, `__proto__`) would resolve on the context.
    if (forbiddenName(name)) throw refused(`\`${name}\``);
    return guardValue(lookup(context, frame, name), name);
  };
  const callWrap = runtime.callWrap;
  runtime.callWrap = (fn, name, context, args) => callWrap(guardValue(fn, name), name, context, args);
  runtimePatched = true;
}

type Slot = { value: unknown } | { error: unknown };

/**
 * Render a nunjucks template that reads the pond. Nunjucks renders synchronously, so pond data is
 * fetched between passes: a pass that asks for something not loaded yet (a table, a query, a glob,
 * an included template) gets a placeholder (empty list / text) and the request is noted; the
 * requests are loaded, and the template renders again until a pass asks for nothing new. That
 * pass saw only real data, and its output is the result. Every load goes through `ctx`, so it is
 * a recorded input of the node.
 */
export async function renderTemplate(ctx: FactoryContext, req: RenderRequest): Promise<string> {
  const nunjucks = await loadNunjucks();
  patchRuntime(nunjucks);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TEMPLATE_TIMEOUT_MS;
  const maxBytes = req.maxBytes ?? DEFAULT_TEMPLATE_MAX_BYTES;
  const deadline = performance.now() + timeoutMs;
  const loaded = new Map<string, Slot>();
  for (let pass = 1; pass <= MAX_RENDER_PASSES; pass++) {
    const wanted = new Map<string, () => Promise<unknown>>();
    const fetch = (key: string, load: () => Promise<unknown>, placeholder: unknown): unknown => {
      const slot = loaded.get(key);
      if (!slot) {
        wanted.set(key, load);
        return placeholder;
      }
      if ('error' in slot) throw slot.error;
      return slot.value;
    };
    const pass_: PassState = {};
    const env = makeEnvironment(nunjucks, ctx, req, deadline, fetch, pass_);
    let output: string | undefined;
    let failure: unknown;
    try {
      // A leading comment with a newline shifts every line by one, so nunjucks' zero-based runtime
      // line numbers come out one-based (and non-zero: it omits a location on line 0).
      budget = { deadline, path: ctx.path, timeoutMs, ticks: 0 };
      const tmpl = new nunjucks.Template(SHIFT + req.source, env, req.name, true);
      output = tmpl.render({ ...req.variables, node: { path: ctx.path, name: ctx.path.slice(ctx.path.lastIndexOf('/') + 1) } });
    } catch (e) {
      failure = e;
    } finally {
      budget = null;
    }
    const limit = limitError(failure, ctx.path);
    if (limit) throw limit;
    if (typeof output === 'string' && output.length > maxBytes) {
      throw pondError('ETOOBIG', ctx.path, `the template's output is over its ${maxBytes} byte limit; raise max_bytes in its config if it is meant to be this big`);
    }
    if (wanted.size === 0) {
      if (failure !== undefined) throw pass_.fatal ?? renderError(ctx.path, req.name, failure);
      if (typeof output !== 'string') throw pondError('EFACTORY', ctx.path, `template ${req.name} did not render`);
      return output;
    }
    if (performance.now() > deadline) {
      throw pondError('ETIMEOUT', ctx.path, `the template ran past its ${timeoutMs} ms limit while loading pond data`);
    }
    await Promise.all([...wanted].map(async ([key, load]) => {
      try {
        loaded.set(key, { value: await load() });
      } catch (error) {
        loaded.set(key, { error });
      }
    }));
  }
  throw pondError('EFACTORY', ctx.path, `template kept asking for more pond data after ${MAX_RENDER_PASSES} passes`);
}

const SHIFT = '{#\n#}';

/** A limit error thrown inside the render (nunjucks wraps errors, keeping the original as `cause`-like fields). */
function limitError(e: unknown, path: string): PondError | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    if (isPondError(cur) && (cur.code === 'ETIMEOUT' || cur.code === 'ETOOBIG') && cur.data.path === path) return cur;
    const c = cur as { cause?: unknown; original?: unknown };
    cur = c.cause ?? c.original;
  }
  // Nunjucks may copy only the message into its own Error.
  const m = e instanceof Error ? /(ETIMEOUT|ETOOBIG): [^\n]*?: (.*)/.exec(e.message) : null;
  if (m) return pondError(m[1] as 'ETIMEOUT' | 'ETOOBIG', path, m[2]);
  // Unbounded recursion (a macro calling itself) ends as a stack overflow.
  if (e instanceof Error && /Maximum call stack size exceeded|too much recursion/.test(e.message)) {
    return pondError('ETOOBIG', path, 'the template recursed too deeply (a macro calling itself without end?)');
  }
  return undefined;
}

type Fetch = (key: string, load: () => Promise<unknown>, placeholder: unknown) => unknown;

/** What one pass learned besides its output: the first included template that does not compile. */
interface PassState {
  fatal?: PondError;
}

function makeEnvironment(nunjucks: typeof NunjucksModule, ctx: FactoryContext, req: RenderRequest, deadline: number, fetch: Fetch, pass: PassState): NunjucksModule.Environment {
  const resolveName = (from: string, to: string) => normalizePath(to, dirname(from));
  let env: NunjucksModule.Environment;
  const loader = {
    isRelative: (name: string) => !name.startsWith('/'),
    resolve: resolveName,
    getSource(name: string): NunjucksModule.LoaderSource | null {
      const abs = normalizePath(name, dirname(req.name));
      let src: string | undefined;
      try {
        src = fetch(`template\0${abs}`, () => ctx.readText(abs), undefined) as string | undefined;
      } catch (e) {
        // Absent: nunjucks reports "template not found" (or skips it for `ignore missing`).
        if (isPondError(e, 'ENOENT')) return null;
        throw e;
      }
      // Not loaded yet: an empty template this pass, the real one next pass.
      if (src === undefined) return { src: SHIFT, path: abs, noCache: true };
      // Nunjucks reports an included template's syntax error asynchronously, after a synchronous
      // render has returned; compiling here turns it into an ordinary error of this render.
      try {
        new nunjucks.Template(SHIFT + src, env, abs, true);
      } catch (e) {
        pass.fatal ??= renderError(ctx.path, abs, e);
        throw pass.fatal;
      }
      return { src: SHIFT + src, path: abs, noCache: true };
    },
  };
  env = new nunjucks.Environment(loader as NunjucksModule.ILoader, { autoescape: req.autoescape, throwOnUndefined: false });
  const text = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v === '') throw new Error(`${what} needs a non-empty string`);
    return v;
  };
  env.addGlobal('table', (path: unknown) => {
    const abs = ctx.resolvePath(text(path, 'table(path)'));
    return fetch(`table\0${abs}`, async () => toRows(await ctx.readTable(abs)), []);
  });
  env.addGlobal('query', (sql: unknown, tables: unknown = {}) => {
    const t = (tables ?? {}) as Record<string, string>;
    // The query shares the template's time budget: SQL inside a template stops at the same deadline.
    const timeoutMs = Math.max(1, Math.ceil(deadline - performance.now()));
    return fetch(`query\0${JSON.stringify([sql, t])}`, async () => toRows(await ctx.query(text(sql, 'query(sql, tables)'), { tables: t, timeoutMs })), []);
  });
  env.addGlobal('glob', (pattern: unknown) => fetch(`glob\0${String(pattern)}`, () => ctx.glob(text(pattern, 'glob(pattern)')), []));
  env.addGlobal('read', (path: unknown) => {
    const abs = ctx.resolvePath(text(path, 'read(path)'));
    return fetch(`read\0${abs}`, () => ctx.readText(abs), '');
  });
  // nunjucks' range() builds the whole list at once: a runaway range would exhaust memory before
  // any loop check ran, so it is bounded here.
  env.addGlobal('range', (start: unknown, stop?: unknown, step: unknown = 1) => {
    const [from, to] = stop === undefined ? [0, Number(start)] : [Number(start), Number(stop)];
    const by = Number(step) || 1;
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw pondError('ETOOBIG', ctx.path, 'range() needs finite bounds');
    const n = Math.max(0, Math.ceil((to - from) / by));
    if (n > MAX_RANGE) throw pondError('ETOOBIG', ctx.path, `range() of ${n} numbers is over the ${MAX_RANGE} limit`);
    const out: number[] = [];
    for (let i = 0, v = from; i < n; i++, v += by) {
      if ((i & 0xffff) === 0) checkBudget(true);
      out.push(v);
    }
    return out;
  });
  env.addFilter('json', (v: unknown, indent?: number) => JSON.stringify(plain(v), null, indent));
  env.addFilter('csv', (v: unknown) => (Array.isArray(v) ? v.map(csvCell).join(',') : csvCell(v)));
  env.addFilter('isodate', (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? new Date(Number(v)).toISOString() : v));
  return env;
}

/** Rows of a table as plain objects (bigints become numbers when exact, else strings). */
export function toRows(table: arrow.Table): Record<string, unknown>[] {
  return table.toArray().map((r: { toJSON(): Record<string, unknown> }) => plain(r.toJSON()) as Record<string, unknown>);
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, plain);
  // Arrow rows, lists and maps all turn into plain JSON values through toJSON.
  const o = v as { toJSON?: () => unknown };
  if (typeof o.toJSON === 'function') return plain(o.toJSON());
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(plain(v)) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** EFACTORY naming the node, the template and the line of a nunjucks error. */
function renderError(node: string, name: string, e: unknown): PondError {
  const message = e instanceof Error ? e.message : String(e);
  const loc = /\(([^()]*)\) \[Line (\d+), Column (\d+)\]/.exec(message);
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l && !/^\([^()]*\)( \[Line \d+, Column \d+\])?$/.test(l) && !l.startsWith('Template render error'));
  const reason = (lines[lines.length - 1] ?? message).replace(/^(PondError|Error): /, '');
  if (!loc) return pondError('EFACTORY', node, `template error in ${name}: ${reason}`, { template: name }, e);
  // Runtime errors are reported at the shifted line (already one-based); parse errors one line late.
  const runtime = /^\w*Error: /.test(lines[lines.length - 1] ?? '');
  const line = Number(loc[2]) - (runtime ? 0 : 1);
  const template = loc[1] || name;
  const where = template === node ? '' : ` of ${template}`;
  return pondError('EFACTORY', node, `template error at line ${line}${where}: ${reason}`, { template, line }, e);
}

let nunjucksModule: Promise<typeof NunjucksModule> | undefined;

/** Nunjucks loads on the first template render, not with the pond. */
function loadNunjucks(): Promise<typeof NunjucksModule> {
  nunjucksModule ??= import('nunjucks').then((m) => ((m as { default?: typeof NunjucksModule }).default ?? m) as typeof NunjucksModule);
  return nunjucksModule;
}
