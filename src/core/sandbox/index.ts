// The isolated VM templates run in: QuickJS compiled to wasm, one fresh instance per render.
// Nothing of the host is reachable from inside: the VM's global object holds the JavaScript
// built-ins of its own realm and nunjucks, and its only way out is one function that answers
// pond-read requests with JSON. Loaded on the first template render (template-render.ts imports
// this module dynamically), never with the first screen.
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { loadVmEngine } from './engine.ts';
import { VM_GUARDS } from './guards.ts';
import { VM_SCRIPT } from './vm-script.ts';

/** The VM's C stack for JavaScript: deep enough for ~200 nested macro calls, and small enough
 * that QuickJS reports the overflow before the host's own stack runs out in most cases. */
export const VM_STACK_BYTES = 256 * 1024;
const PAGE = 64 * 1024;
/** The longest arguments (as JSON) a template may pass to a pond read. */
export const MAX_HOST_ARG_CHARS = 1024 * 1024;
/** Wasm memory beyond the JavaScript heap limit: QuickJS's own tables, the 5 MiB C stack, slack. */
const WASM_OVERHEAD = 24 * 1024 * 1024;

/** One request from the template to the host: a pond read, a path to resolve, an include. */
export type HostCall = (name: string, args: unknown[]) => HostAnswer;

/**
 * The host's answer. `value` is JSON data; `pending` means "asked for, loading" (includes only;
 * the other reads get a placeholder `value`); `missing` an include that does not exist.
 */
export type HostAnswer = { value: unknown; path?: string } | { error: string } | { pending: true; path: string } | { missing: true };

/** How one pass ended. */
export type PassOutcome = { output: string } | { limit: 'ETIMEOUT' | 'ETOOBIG'; message: string } | { error: string; template?: string };

/** What a render asks of its VM. */
export interface VmRequest {
  source: string;
  name: string;
  autoescape: boolean;
  /** The template's variables as JSON (the host checked they serialize). */
  variablesJson: string;
  node: { path: string; name: string };
  maxRange: number;
  /** performance.now() after which the VM is interrupted (read at each check: the host may move it). */
  deadline: () => number;
  memoryBytes: number;
}

/** A VM holding one render's template; passes run in the same VM, renders never share one. */
export interface TemplateVm {
  /** Run one pass; pond reads go to `host`. */
  pass(host: HostCall): PassOutcome;
}

/** A VM that has loaded nunjucks and nothing else: no template has run in it. */
interface BlankVm {
  ctx: QuickJSContext;
  runtime: QuickJSRuntime;
  memory: WebAssembly.Memory;
  maxPages: number;
  /** What the interrupt handler checks; set when the VM is taken for a render. */
  clock: { deadline: () => number; interrupted: boolean };
  /** Set when loading nunjucks failed (then the VM is not used). */
  failed?: PassOutcome;
}

const pagesFor = (memoryBytes: number) => Math.min(32768, Math.ceil((memoryBytes + WASM_OVERHEAD) / PAGE));

/** A new wasm instance and memory with QuickJS, its limits, the guards and nunjucks. */
async function blankVm(maxPages: number): Promise<BlankVm> {
  const engine = await loadVmEngine();
  const memory = new WebAssembly.Memory({ initial: Math.min(maxPages, 256), maximum: maxPages });
  const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmModule: engine.wasm, wasmMemory: memory }));
  const runtime = quickjs.newRuntime();
  runtime.setMaxStackSize(VM_STACK_BYTES);
  // Loading nunjucks runs no template code; the bound only guards against an engine gone wrong.
  const loadBy = performance.now() + 30_000;
  const clock = { deadline: () => loadBy, interrupted: false };
  runtime.setInterruptHandler(() => (clock.interrupted ||= performance.now() > clock.deadline()));
  const ctx = runtime.newContext();
  const vm: BlankVm = { ctx, runtime, memory, maxPages, clock };
  try {
    for (const [code, file] of [
      [VM_GUARDS, 'guards.js'],
      [engine.nunjucksSource, 'nunjucks.js'],
    ]) {
      vm.failed ??= settle(ctx, ctx.evalCode(code, file), () => undefined);
    }
  } catch (e) {
    vm.failed = hostFailure(e);
  }
  return vm;
}

/**
 * One blank VM made ahead, while the worker is idle after a render: loading nunjucks is most of a
 * render's cost, and a VM no template has touched is as fresh as a new one.
 */
let spare: Promise<BlankVm | undefined> | undefined;
const SPARE_PAGES = pagesFor(256 * 1024 * 1024);

async function takeBlankVm(maxPages: number): Promise<BlankVm> {
  const ready = spare;
  spare = undefined;
  const timer = setTimeout(() => {
    spare ??= blankVm(SPARE_PAGES).catch(() => undefined);
  }, 0) as unknown as { unref?: () => void };
  // In Node the spare must not keep a finished process (the CLI) alive.
  timer.unref?.();
  const vm = ready ? await ready : undefined;
  return vm && !vm.failed && vm.maxPages >= maxPages ? vm : blankVm(maxPages);
}

/** Start a VM for one render: a wasm instance and memory of its own, limits set, nunjucks loaded. */
export async function openTemplateVm(req: VmRequest): Promise<TemplateVm | PassOutcome> {
  const blank = await takeBlankVm(pagesFor(req.memoryBytes));
  if (blank.failed) return blank.failed;
  const { ctx, runtime, clock } = blank;
  runtime.setMemoryLimit(req.memoryBytes);
  clock.deadline = req.deadline;
  clock.interrupted = false;
  let host: HostCall = () => ({ error: 'no pass is running' });
  let broken: PassOutcome | undefined;

  /** Run `step`; a failure of the engine itself (not of the template) breaks the VM for good. */
  const guarded = (step: () => PassOutcome | undefined): PassOutcome | undefined => {
    if (broken) return broken;
    try {
      const out = step();
      return clock.interrupted ? TIMEOUT : out;
    } catch (e) {
      // The host's own stack ran out inside the wasm (QuickJS' parser recurses without checking),
      // or the engine trapped: its memory is in an unknown state, so it is never used again.
      broken = clock.interrupted ? TIMEOUT : hostFailure(e);
      return broken;
    }
  };

  const setup = guarded(() => {
    const bridge = ctx.newFunction('__host', (nameHandle, argsHandle) => {
      const name = ctx.getString(nameHandle);
      let answer: string;
      try {
        answer = JSON.stringify(host(name, JSON.parse(ctx.getString(argsHandle)) as unknown[]));
      } catch (e) {
        answer = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
      }
      return ctx.newString(answer);
    });
    ctx.setProp(ctx.global, '__host', bridge);
    bridge.dispose();
    const request = ctx.newString(
      JSON.stringify({
        source: req.source,
        name: req.name,
        autoescape: req.autoescape,
        variables: req.variablesJson,
        node: req.node,
        maxRange: req.maxRange,
        maxArgChars: MAX_HOST_ARG_CHARS,
      }),
    );
    ctx.setProp(ctx.global, '__request', request);
    request.dispose();
    return settle(ctx, ctx.evalCode(VM_SCRIPT, 'render.js'), () => undefined);
  });
  if (setup) return setup;

  return {
    pass(next) {
      host = next;
      const outcome = guarded(() => {
        const render = ctx.getProp(ctx.global, '__render');
        const result = ctx.callFunction(render, ctx.undefined);
        render.dispose();
        return settle(ctx, result, (value) => {
          if (ctx.typeof(value) === 'string') return { output: ctx.getString(value) };
          const failure = ctx.getProp(ctx.global, '__failure');
          const text = ctx.typeof(failure) === 'string' ? ctx.getString(failure) : '{"message":"the template did not render"}';
          failure.dispose();
          return fromFailure(JSON.parse(text) as VmFailure);
        });
      });
      host = () => ({ error: 'no pass is running' });
      return outcome ?? { error: 'the template did not render' };
    },
  };
}

interface VmFailure {
  message: string;
  fatal: { message: string; template: string } | null;
  limit: { code: 'ETOOBIG'; message: string } | null;
}

type Evaluated = { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined };

/** Turn an evaluation's result into an outcome (an exception escaping the VM's own catch included). */
function settle(ctx: QuickJSContext, result: Evaluated, onValue: (value: QuickJSHandle) => PassOutcome | undefined): PassOutcome | undefined {
  if (result.error) {
    const dumped = ctx.dump(result.error) as { message?: unknown } | unknown;
    result.error.dispose();
    const message = typeof dumped === 'object' && dumped !== null && 'message' in dumped ? String(dumped.message) : String(dumped);
    return fromFailure({ message, fatal: null, limit: null });
  }
  try {
    return onValue(result.value);
  } finally {
    result.value.dispose();
  }
}

function fromFailure(f: VmFailure): PassOutcome {
  if (f.limit) return { limit: f.limit.code, message: f.limit.message };
  if (/\bout of memory\b/.test(f.message)) return { limit: 'ETOOBIG', message: 'the template used more memory than its limit allows' };
  if (/\bstack overflow\b/.test(f.message)) return { limit: 'ETOOBIG', message: 'the template recursed too deeply (a macro calling itself without end?)' };
  if (f.fatal) return { error: f.fatal.message, template: f.fatal.template };
  return { error: f.message };
}

const TIMEOUT: PassOutcome = { limit: 'ETIMEOUT', message: 'the template ran past its deadline' };

function hostFailure(e: unknown): PassOutcome {
  if (e instanceof RangeError) return { limit: 'ETOOBIG', message: 'the template recursed too deeply (a macro calling itself without end?)' };
  return { error: `the template engine failed: ${e instanceof Error ? e.message : String(e)}` };
}
