import type * as arrow from 'apache-arrow';
import type { FactoryContext } from '../dynamic/factory.ts';
import { dirname, normalizePath } from '../tinyfs/path.ts';
import { isPondError, pondError, type PondError } from '../errors.ts';
import type { HostAnswer, HostCall, PassOutcome } from '../sandbox/index.ts';

/** Render passes before giving up on a template whose data needs keep growing. */
export const MAX_RENDER_PASSES = 10;

/** How long a render may take (all passes together) unless the config says otherwise. */
export const DEFAULT_TEMPLATE_TIMEOUT_MS = 10_000;
/** The most output a render may produce unless the config says otherwise. */
export const DEFAULT_TEMPLATE_MAX_BYTES = 64 * 1024 * 1024;
/** The longest list `range()` builds: a bigger one is a runaway loop, and would exhaust memory first. */
export const MAX_RANGE = 10_000_000;
/** The most different pond reads (tables, queries, globs, files, includes) one render may make. */
export const MAX_POND_READS = 10_000;

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
 * How much memory a render's VM may use: room for the largest output it may produce (strings are
 * one or two bytes a character, and nunjucks copies as it appends) and for the pond data it reads.
 */
export function templateMemoryLimit(maxBytes: number): number {
  return Math.min(1536 * 1024 * 1024, Math.max(256 * 1024 * 1024, 3 * maxBytes + 64 * 1024 * 1024));
}

type Slot = { value: unknown } | { error: unknown };

/**
 * Render a nunjucks template that reads the pond, inside an isolated VM (src/core/sandbox): the
 * template sees its variables and the pond-read functions, nothing of the worker. Nunjucks renders
 * synchronously, so pond data is fetched between passes: a pass that asks for something not
 * loaded yet (a table, a query, a glob, an included template) gets a placeholder (empty list /
 * text) and the request is noted; the requests are loaded, and the template renders again until a
 * pass asks for nothing new. That pass saw only real data, and its output is the result. Every
 * load goes through `ctx`, so it is a recorded input of the node.
 */
export async function renderTemplate(ctx: FactoryContext, req: RenderRequest): Promise<string> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TEMPLATE_TIMEOUT_MS;
  const maxBytes = req.maxBytes ?? DEFAULT_TEMPLATE_MAX_BYTES;
  // The template's clock starts once its VM is ready: loading the engine is not the template's time.
  let deadline = performance.now() + timeoutMs;
  // `overMs`: how far past its deadline the template was stopped (the interrupt's reaction time).
  const overTime = (what: string) =>
    pondError('ETIMEOUT', ctx.path, `the template ran past its ${timeoutMs} ms limit${what}; raise timeout_ms in its config if it needs more`, {
      timeoutMs,
      overMs: Math.max(0, Math.round(performance.now() - deadline)),
    });
  const { openTemplateVm } = await import('../sandbox/index.ts');
  const opened = await openTemplateVm({
    source: req.source,
    name: req.name,
    autoescape: req.autoescape,
    variablesJson: JSON.stringify(plain(req.variables)),
    node: { path: ctx.path, name: ctx.path.slice(ctx.path.lastIndexOf('/') + 1) },
    maxRange: MAX_RANGE,
    deadline: () => deadline,
    memoryBytes: templateMemoryLimit(maxBytes),
  });
  const failed = (outcome: PassOutcome, thrown: unknown[]): PondError => {
    // A pond read that failed on a limit of this node (a query past the template's deadline).
    for (const e of thrown) if (isPondError(e) && (e.code === 'ETIMEOUT' || e.code === 'ETOOBIG') && e.data.path === ctx.path) return e;
    if ('limit' in outcome) {
      return outcome.limit === 'ETIMEOUT' ? overTime(' (a loop or a filter too long?)') : pondError('ETOOBIG', ctx.path, outcome.message);
    }
    if ('error' in outcome) return renderError(ctx.path, outcome.template ?? req.name, outcome.error);
    return pondError('EFACTORY', ctx.path, `template ${req.name} did not render`);
  };
  if (!('pass' in opened)) throw failed(opened, []);
  const vm = opened;
  deadline = performance.now() + timeoutMs;
  const loaded = new Map<string, Slot>();
  for (let pass = 1; pass <= MAX_RENDER_PASSES; pass++) {
    const wanted = new Map<string, () => Promise<unknown>>();
    const thrown: unknown[] = [];
    const fetch = (key: string, load: () => Promise<unknown>, placeholder: unknown): HostAnswer => {
      const slot = loaded.get(key);
      if (!slot) {
        wanted.set(key, load);
        return { value: placeholder };
      }
      if ('error' in slot) {
        thrown.push(slot.error);
        return { error: slot.error instanceof Error ? slot.error.message : String(slot.error) };
      }
      return { value: slot.value };
    };
    const outcome = vm.pass(hostCalls(ctx, req, deadline, loaded, fetch));
    if ('output' in outcome && outcome.output.length > maxBytes) {
      throw pondError(
        'ETOOBIG',
        ctx.path,
        `the template's output is over its ${maxBytes} byte limit; raise max_bytes in its config if it is meant to be this big`,
      );
    }
    if ('limit' in outcome || wanted.size === 0) {
      if ('output' in outcome) return outcome.output;
      throw failed(outcome, thrown);
    }
    if (loaded.size + wanted.size > MAX_POND_READS) {
      throw pondError('ETOOBIG', ctx.path, `the template asked for more than ${MAX_POND_READS} different pond reads (tables, queries, globs, files, includes)`);
    }
    const loads = Promise.all(
      [...wanted].map(async ([key, load]) => {
        try {
          loaded.set(key, { value: await load() });
        } catch (error) {
          loaded.set(key, { error });
        }
      }),
    );
    // Loading shares the template's deadline too: a slow read does not hold the render past it.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - performance.now()));
    });
    const done = await Promise.race([loads, late]).finally(() => clearTimeout(timer));
    if (done === 'late') throw overTime(' while loading pond data');
  }
  throw pondError('EFACTORY', ctx.path, `template kept asking for more pond data after ${MAX_RENDER_PASSES} passes`);
}

type Fetch = (key: string, load: () => Promise<unknown>, placeholder: unknown) => HostAnswer;

/** The pond reads a template may ask for, answered from what earlier passes loaded. */
function hostCalls(ctx: FactoryContext, req: RenderRequest, deadline: number, loaded: Map<string, Slot>, fetch: Fetch): HostCall {
  const text = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v === '') throw new Error(`${what} needs a non-empty string`);
    return v;
  };
  return (name, args) => {
    const [a, b] = args;
    switch (name) {
      case 'resolve':
        return { value: normalizePath(text(b, 'a template name'), dirname(text(a, 'a template name'))) };
      case 'template': {
        const abs = normalizePath(text(a, 'a template name'), dirname(req.name));
        const key = `template\0${abs}`;
        const slot = loaded.get(key);
        // Absent: nunjucks reports "template not found" (or skips it for `ignore missing`).
        if (slot && 'error' in slot && isPondError(slot.error, 'ENOENT')) return { missing: true };
        const answer = fetch(key, () => ctx.readText(abs), undefined);
        if (!('value' in answer)) return answer;
        return answer.value === undefined ? { pending: true, path: abs } : { value: answer.value, path: abs };
      }
      case 'table': {
        const abs = ctx.resolvePath(text(a, 'table(path)'));
        return fetch(`table\0${abs}`, async () => toRows(await ctx.readTable(abs)), []);
      }
      case 'query': {
        const sql = text(a, 'query(sql, tables)');
        const tables = (b ?? {}) as Record<string, string>;
        // The query shares the template's time budget: SQL inside a template stops at the same deadline.
        const timeoutMs = Math.max(1, Math.ceil(deadline - performance.now()));
        return fetch(`query\0${JSON.stringify([sql, tables])}`, async () => toRows(await ctx.query(sql, { tables, timeoutMs })), []);
      }
      case 'glob': {
        const pattern = text(a, 'glob(pattern)');
        return fetch(`glob\0${pattern}`, async () => plain(await ctx.glob(pattern)), []);
      }
      case 'read': {
        const abs = ctx.resolvePath(text(a, 'read(path)'));
        return fetch(`read\0${abs}`, () => ctx.readText(abs), '');
      }
      default:
        return { error: `no such function: ${name}` };
    }
  };
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

/** EFACTORY naming the node, the template and the line of a nunjucks error. */
function renderError(node: string, name: string, e: unknown): PondError {
  const message = e instanceof Error ? e.message : String(e);
  const loc = /\(([^()]*)\) \[Line (\d+), Column (\d+)\]/.exec(message);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\([^()]*\)( \[Line \d+, Column \d+\])?$/.test(l) && !l.startsWith('Template render error'));
  const reason = (lines[lines.length - 1] ?? message).replace(/^(PondError|Error): /, '');
  if (!loc) return pondError('EFACTORY', node, `template error in ${name}: ${reason}`, { template: name }, e);
  // Runtime errors are reported at the shifted line (already one-based); parse errors one line late.
  const runtime = /^\w*Error: /.test(lines[lines.length - 1] ?? '');
  const line = Number(loc[2]) - (runtime ? 0 : 1);
  const template = loc[1] || name;
  const where = template === node ? '' : ` of ${template}`;
  return pondError('EFACTORY', node, `template error at line ${line}${where}: ${reason}`, { template, line }, e);
}
