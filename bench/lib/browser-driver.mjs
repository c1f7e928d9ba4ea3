// Browser side of `npm run bench`: build bench/lib/browser/index.html with the repo's vite config
// (minified, like the shipped site), serve it with `vite preview`, open it in headless Chromium
// through Playwright and call window.__bench.run(). Also answers the page's memory requests over
// CDP (Runtime.getHeapUsage), for the page and for each bench worker (found by its name).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS as SHARED_CHROMIUM_ARGS, chromiumPath, chromiumProblem } from '../../scripts/require-chromium.mjs';

/** The shared flags, plus real performance.memory numbers (fallback) and gc() in the page and in workers. */
const CHROMIUM_ARGS = [...SHARED_CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'];
/** DuckDB's blocking build uses direct eval (known, harmless here); plugin timings are noise. */
const QUIET_CHECKS = { eval: false, pluginTimings: false };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ root: string, filters: string[], quick: boolean, timeoutMs: number, log: (line: string) => void }} o
 * @returns {Promise<{ suites: object[], chromium?: string, skipped?: string }>}
 */
export async function runBrowserBenches({ root, filters, quick, timeoutMs, log }) {
  const problem = chromiumProblem();
  if (problem) return { suites: [], skipped: problem };

  const { build, preview, createLogger } = await import('vite');
  // vite.config.ts brings its own info-level logger, which would print build lines to stdout
  // (stdout is for tables); this one prints warnings and errors only, to stderr.
  const customLogger = createLogger('warn', { allowClearScreen: false });
  const { chromium } = await import('playwright');
  const outDir = await mkdtemp(join(tmpdir(), 'duckpond-bench-dist-'));
  const profile = await mkdtemp(join(tmpdir(), 'duckpond-bench-chromium-'));
  let server;
  let context;
  try {
    const t0 = performance.now();
    await build({
      root,
      logLevel: 'warn',
      customLogger,
      build: {
        outDir,
        emptyOutDir: true,
        copyPublicDir: false,
        reportCompressedSize: false,
        rolldownOptions: {
          input: { bench: join(root, 'bench/lib/browser/index.html') },
          checks: QUIET_CHECKS,
        },
      },
      worker: { rolldownOptions: { checks: QUIET_CHECKS } },
    });
    log(`browser: bench page built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    server = await preview({
      root,
      logLevel: 'warn',
      customLogger,
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('vite preview did not bind a TCP port');
    const url = `http://127.0.0.1:${address.port}/bench/lib/browser/index.html`;

    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
    });
    // A page with its own CDP session and host; replaced whole after a hang or a crash.
    const openPage = async () => {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') log(`[browser ${m.type()}] ${m.text()}`);
      });
      page.on('pageerror', (e) => log(`[browser pageerror] ${e.stack ?? e.message}`));
      const cdp = await context.newCDPSession(page);
      const host = new CdpHost(cdp, log);
      await page.exposeFunction('__benchHost', (req) => host.handle(req));
      await page.goto(url);
      await page.waitForFunction(() => window.__benchReady === true, null, { timeout: 30_000 });
      return { page, cdp, host };
    };
    for (const p of context.pages()) await p.close(); // the persistent context's blank tab
    let tab = await openPage();
    const { product } = await tab.cdp.send('Browser.getVersion');
    log(`browser: ${product}, ${url}`);

    // One evaluate per bench file, each with its own time limit. Results arrive one suite at a
    // time (suite-done), so a hang or a crash loses only the suite it happened in.
    const suites = [];
    for (const key of await tab.page.evaluate(() => window.__bench.files())) {
      const { page, host } = tab;
      let timer;
      const timeout = new Promise((resolveTimeout) => {
        timer = setTimeout(resolveTimeout, timeoutMs, 'timeout');
      });
      const run = page.evaluate((o) => window.__bench.run(o).then(() => 'done'), { filters, quick, files: [key] }).catch((e) => e);
      const outcome = await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
      suites.push(...host.results.splice(0));
      if (outcome === 'done') continue;
      const c = host.current;
      const file = `bench/browser/${key.slice(key.lastIndexOf('/') + 1)}`;
      const error =
        outcome === 'timeout' ? `did not finish within ${timeoutMs / 1000} s (BENCH_TIMEOUT_MS)` : `the page failed: ${outcome?.message ?? outcome}`;
      suites.push({ name: c?.name ?? file, file, side: c?.side ?? 'page', rounds: 0, warmup: 0, elapsedMs: 0, cases: [], metrics: [], error });
      log(`browser: ${c ? `suite "${c.name}" [${c.side}]` : file}: ${error}; opening a fresh page`);
      host.close();
      await page.close().catch(() => {});
      tab = await openPage();
    }
    tab.host.close();
    return { suites, chromium: product };
  } finally {
    await context?.close().catch(() => {});
    await server?.close().catch(() => {});
    await rm(outDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

/** Reading semantics shared with bench/lib/memory.ts: JS heap + ArrayBuffer backing stores. */
const SOURCE = 'cdp:Runtime.getHeapUsage (usedSize + backingStorageSize)';
function reading(r) {
  const heapBytes = r.usedSize;
  const bufferBytes = r.backingStorageSize ?? 0;
  return { bytes: heapBytes + bufferBytes, heapBytes, bufferBytes, source: SOURCE };
}

/**
 * Serves the page's host requests. Workers are reached through non-flat CDP sessions
 * (Target.attachToTarget + sendMessageToTarget) because Playwright's CDPSession cannot address a
 * child session; the inspector answers even while the worker runs a synchronous loop.
 */
class CdpHost {
  constructor(cdp, log) {
    this.cdp = cdp;
    this.log = log;
    this.workers = new Map(); // worker name -> Promise<session>
    this.pendingById = new Map();
    this.nextMessageId = 1;
    this.probes = new Map();
    this.nextProbeId = 1;
    /** The suite running now ({ name, side, file }), and the results of the current file. */
    this.current = undefined;
    this.results = [];
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      const msg = JSON.parse(e.message);
      const p = msg.id !== undefined && this.pendingById.get(msg.id);
      if (!p) return;
      this.pendingById.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else p.resolve(msg.result);
    });
    cdp.on('Target.detachedFromTarget', (e) => {
      for (const [name, s] of this.workers)
        s.then(
          (x) => x.sessionId === e.sessionId && this.workers.delete(name),
          () => {},
        );
    });
  }

  async handle(req) {
    switch (req.op) {
      case 'log':
        this.log(req.line);
        return null;
      case 'suite-start':
        this.current = req;
        return null;
      case 'suite-done':
        this.current = undefined;
        this.results.push(req.result);
        return null;
      case 'read':
        return reading(await (await this.session(req.target)).send('Runtime.getHeapUsage'));
      case 'probe-start':
        return this.startProbe(await this.session(req.target), req.intervalMs);
      case 'probe-stop':
        return this.stopProbe(req.id);
      default:
        throw new Error(`unknown host request ${JSON.stringify(req)}`);
    }
  }

  /** A `{ send(method, params) }` for the page or a named worker. */
  session(target) {
    if (target === 'page') return { send: (m, p) => this.cdp.send(m, p) };
    let s = this.workers.get(target.worker);
    if (!s) {
      s = this.attachWorker(target.worker);
      this.workers.set(target.worker, s);
      s.catch(() => this.workers.delete(target.worker));
    }
    return s;
  }

  async attachWorker(name) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { targetInfos } = await this.cdp.send('Target.getTargets');
      const t = targetInfos.find((x) => x.type === 'worker' && x.title === name);
      if (t) {
        const { sessionId } = await this.cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
        return {
          sessionId,
          send: (method, params = {}) =>
            new Promise((resolve, reject) => {
              const id = this.nextMessageId++;
              this.pendingById.set(id, { resolve, reject });
              this.cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch((e) => {
                this.pendingById.delete(id);
                reject(e);
              });
            }),
        };
      }
      await sleep(20);
    }
    throw new Error(`no CDP target for worker "${name}"`);
  }

  startProbe(session, intervalMs) {
    const id = this.nextProbeId++;
    const p = { stopped: false, peakBytes: -Infinity, samples: 0 };
    p.done = (async () => {
      while (!p.stopped) {
        try {
          const r = reading(await session.send('Runtime.getHeapUsage'));
          p.samples++;
          if (r.bytes > p.peakBytes) p.peakBytes = r.bytes;
        } catch {
          return; // the target went away
        }
        await sleep(intervalMs);
      }
    })();
    this.probes.set(id, p);
    return id;
  }

  async stopProbe(id) {
    const p = this.probes.get(id);
    if (!p) throw new Error(`no memory probe ${id}`);
    this.probes.delete(id);
    p.stopped = true;
    await p.done;
    return { peakBytes: p.peakBytes === -Infinity ? NaN : p.peakBytes, samples: p.samples };
  }

  close() {
    for (const p of this.probes.values()) p.stopped = true;
    this.probes.clear();
  }
}
