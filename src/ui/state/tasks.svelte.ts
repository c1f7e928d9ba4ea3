/** Long operations the user started (imports, exports, pond copies): progress and a Cancel button. */
import { proxy, type Remote } from 'comlink';
import type { PondApi, Progress, ProgressFn } from '../../../workers/api.ts';

let nextId = 1;

export class Task {
  readonly id = `op${nextId++}-${Date.now().toString(36)}`;
  progress = $state.raw<Progress | null>(null);
  cancelling = $state(false);
  /** A comlink-proxied callback to hand the worker (it releases the proxy when done). */
  readonly onProgress: ProgressFn;

  constructor(
    readonly label: string,
    private readonly api: Remote<PondApi>,
  ) {
    this.onProgress = proxy((p: Progress) => {
      this.progress = p;
    });
  }

  /** 0..1 when the total is known. */
  get fraction(): number | null {
    const p = this.progress;
    return p && p.total ? Math.min(1, p.done / p.total) : null;
  }

  cancel(): void {
    this.cancelling = true;
    void this.api.cancel(this.id);
  }
}

export class Tasks {
  running = $state.raw<Task[]>([]);

  constructor(private readonly api: Remote<PondApi>) {}

  /** Run `fn` as a visible task; it receives the task (opId and progress callback). */
  async run<T>(label: string, fn: (task: Task) => Promise<T>): Promise<T> {
    const task = new Task(label, this.api);
    this.running = [...this.running, task];
    try {
      return await fn(task);
    } finally {
      this.running = this.running.filter((t) => t !== task);
    }
  }
}

/** True for the error a cancelled operation rejects with. */
export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
