/**
 * Memory readings for benches, the same API in Node, the bench page and a bench worker.
 *
 * `bytes` is JS heap in use plus ArrayBuffer backing stores, because the data a pond moves lives
 * in Uint8Arrays, which a heap-only figure would miss:
 * - Node: process.memoryUsage() heapUsed + external (external includes arrayBuffers).
 * - Chromium (page and worker): CDP Runtime.getHeapUsage usedSize + backingStorageSize, read by
 *   the driver (bench/lib/browser-driver.mjs), which also samples in the background while the
 *   bench thread is busy (the inspector interrupts running JS). Fallback in a page opened by hand:
 *   performance.memory.usedJSHeapSize (which includes backing stores in Chromium); a worker opened
 *   by hand has no reading.
 *
 * @example
 * const probe = await startMemoryProbe();         // GC, then a start reading
 * for (const chunk of chunks) { await write(chunk); probe.sample(); }
 * const { peakDeltaBytes } = await probe.stop();  // the most the work added above the start
 */

export interface MemoryReading {
  /** heapBytes + bufferBytes. */
  bytes: number;
  /** JS heap in use. */
  heapBytes: number;
  /** ArrayBuffer backing stores (Node: all of `external`). */
  bufferBytes: number;
  source: string;
}

export interface PeakMemory {
  startBytes: number;
  peakBytes: number;
  endBytes: number;
  /** max(0, peakBytes − startBytes). */
  peakDeltaBytes: number;
  /** Readings taken, background and explicit. */
  samples: number;
  source: string;
}

export interface MemoryProbe {
  /** Take a reading now (Node; a no-op where the driver samples in the background). */
  sample(): void;
  /** Final reading; the peak over the probe's life. */
  stop(): Promise<PeakMemory>;
}

/** A background sampler owned by someone else (the browser driver). */
export interface BackgroundProbe {
  stop(): Promise<{ peakBytes: number; samples: number }>;
}

/** How this realm reads memory. Browser entries install one that asks the driver. */
export interface MemoryBackend {
  readonly source: string;
  read(): MemoryReading | null | Promise<MemoryReading | null>;
  /** Sample in the background at `intervalMs`; absent means: poll `read` with a timer. */
  probe?(intervalMs: number): Promise<BackgroundProbe>;
}

interface NodeLikeProcess {
  memoryUsage(): { heapUsed: number; external: number };
}

function nodeBackend(proc: NodeLikeProcess): MemoryBackend {
  const source = 'node:process.memoryUsage (heapUsed + external)';
  return {
    source,
    read() {
      const m = proc.memoryUsage();
      return { bytes: m.heapUsed + m.external, heapBytes: m.heapUsed, bufferBytes: m.external, source };
    },
  };
}

function performanceMemoryBackend(): MemoryBackend | null {
  const pm = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  if (!pm) return null;
  const source = 'performance.memory.usedJSHeapSize';
  return {
    source,
    read() {
      const used = (performance as Performance & { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
      return { bytes: used, heapBytes: used, bufferBytes: 0, source };
    },
  };
}

function defaultBackend(): MemoryBackend | null {
  const proc = (globalThis as { process?: Partial<NodeLikeProcess> }).process;
  if (proc && typeof proc.memoryUsage === 'function') return nodeBackend(proc as NodeLikeProcess);
  return performanceMemoryBackend();
}

let backend: MemoryBackend | null | undefined;

/** Replace how memory is read in this realm (the browser entries call this). */
export function setMemoryBackend(next: MemoryBackend | null): void {
  backend = next;
}

function current(): MemoryBackend | null {
  if (backend === undefined) backend = defaultBackend();
  return backend;
}

/** Where readings come from, or null when this realm cannot read memory. */
export function memorySource(): string | null {
  return current()?.source ?? null;
}

/**
 * Run a full garbage collection when the runtime exposes one (node --expose-gc; Chromium
 * --js-flags=--expose-gc, both set by bench/run.mjs). Returns false when it could not.
 */
export function gc(): boolean {
  const fn = (globalThis as { gc?: () => void }).gc;
  if (typeof fn !== 'function') return false;
  // Twice: V8 frees ArrayBuffer backing stores on a background sweeper and updates the accounting
  // only when that sweep is finalized, which the next GC forces. After one gc() a reading still
  // counts the buffers it freed (measured: a 12 MiB garbage buffer stayed in backingStorageSize).
  fn();
  fn();
  return true;
}

/** One reading now, or null when unavailable. */
export async function memoryNow(): Promise<MemoryReading | null> {
  return (await current()?.read()) ?? null;
}

export interface ProbeOptions {
  /** Background sampling period. Default 5 ms. */
  intervalMs?: number;
  /** GC before the start reading so it is a clean floor. Default true. */
  gc?: boolean;
}

/** Start tracking the peak. Without a memory source every figure is NaN and `source` says so. */
export async function startMemoryProbe(options: ProbeOptions = {}): Promise<MemoryProbe> {
  const intervalMs = options.intervalMs ?? 5;
  if (options.gc ?? true) gc();
  const b = current();
  if (!b) {
    const none: PeakMemory = { startBytes: NaN, peakBytes: NaN, endBytes: NaN, peakDeltaBytes: NaN, samples: 0, source: 'unavailable' };
    return { sample() {}, stop: async () => none };
  }
  const start = await b.read();
  let peak = start?.bytes ?? NaN;
  let samples = start ? 1 : 0;
  const take = (r: MemoryReading | null) => {
    if (!r) return;
    samples++;
    if (!(r.bytes <= peak)) peak = r.bytes; // also replaces NaN
  };
  let background: BackgroundProbe | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  if (b.probe) {
    background = await b.probe(intervalMs);
  } else {
    timer = setInterval(() => {
      const r = b.read();
      if (r && !(r instanceof Promise)) take(r);
    }, intervalMs);
  }
  return {
    sample() {
      if (background) return;
      const r = b.read();
      if (r && !(r instanceof Promise)) take(r);
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      if (background) {
        const bg = await background.stop();
        samples += bg.samples;
        if (Number.isFinite(bg.peakBytes) && !(bg.peakBytes <= peak)) peak = bg.peakBytes;
      }
      const end = await b.read();
      take(end);
      const startBytes = start?.bytes ?? NaN;
      return {
        startBytes,
        peakBytes: peak,
        endBytes: end?.bytes ?? NaN,
        peakDeltaBytes: Math.max(0, peak - startBytes),
        samples,
        source: b.source,
      };
    },
  };
}
