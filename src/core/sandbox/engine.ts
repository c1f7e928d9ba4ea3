import { pondError } from '../errors.ts';
import { isNodeRuntime, wasmAssets } from '../wasm-assets.ts';

/** What every template VM is made from: compiled once per process, instantiated per render. */
export interface VmEngine {
  /** QuickJS compiled to wasm (the release-sync variant of quickjs-emscripten). */
  wasm: WebAssembly.Module;
  /** Nunjucks' browser build (compiler included), evaluated inside each VM. */
  nunjucksSource: string;
}

let engine: Promise<VmEngine> | undefined;

/** Load the QuickJS wasm and nunjucks' source text (once; a failed load is retried next time). */
export function loadVmEngine(): Promise<VmEngine> {
  engine ??= (isNodeRuntime() ? loadNode() : loadBrowser()).catch((e: unknown) => {
    engine = undefined;
    throw e;
  });
  return engine;
}

async function loadNode(): Promise<VmEngine> {
  // Variable specifiers keep vite from pulling Node modules into the browser bundle.
  const moduleSpec = 'node:module';
  const fsSpec = 'node:fs/promises';
  const { createRequire } = (await import(/* @vite-ignore */ moduleSpec)) as typeof import('node:module');
  const { readFile } = (await import(/* @vite-ignore */ fsSpec)) as typeof import('node:fs/promises');
  const require = createRequire(import.meta.url);
  const [bytes, nunjucksSource] = await Promise.all([
    readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
    readFile(require.resolve('nunjucks/browser/nunjucks.min.js'), 'utf8'),
  ]);
  return { wasm: await WebAssembly.compile(bytes), nunjucksSource };
}

async function loadBrowser(): Promise<VmEngine> {
  const url = wasmAssets().quickjsWasmUrl;
  if (!url) throw pondError('EUNSUPPORTED', 'quickjs.wasm', 'no template VM wasm URL configured: call configureWasmAssets() (workers/wasm-assets.ts) first');
  const [wasm, source] = await Promise.all([
    fetch(url)
      .then((r) => {
        if (!r.ok) throw pondError('EIO', url, `could not load the template VM (${r.status})`);
        return r.arrayBuffer();
      })
      .then((b) => WebAssembly.compile(b)),
    import('nunjucks/browser/nunjucks.min.js?raw'),
  ]);
  return { wasm, nunjucksSource: (source as { default: string }).default };
}
