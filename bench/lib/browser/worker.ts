/// <reference lib="webworker" />
/**
 * A dedicated module worker that runs one suite of one browser bench file (spawned by page.ts,
 * one worker per suite so each starts with a fresh heap). OPFS sync access handles exist only here.
 */
import '../../../workers/wasm-assets.ts';
import { registeredSuites } from '../suite.ts';
import { runSuite } from '../runner.ts';
import { setMemoryBackend } from '../memory.ts';
import { benchModules } from './files.ts';
import { hostMemoryBackend } from './host-memory.ts';
import type { FromWorker, HostReply, OwnHostRequest, ToWorker } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => scope.postMessage(m);

let nextId = 1;
const pending = new Map<number, { resolve(v: HostReply): void; reject(e: Error): void }>();
function ask(req: OwnHostRequest): Promise<HostReply> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    post({ type: 'host', id, req });
  });
}
setMemoryBackend(hostMemoryBackend(ask));

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'host-reply') {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.value ?? null);
    return;
  }
  try {
    const load = benchModules[m.key];
    if (!load) throw new Error(`no bench module ${m.key}`);
    await load();
    const decl = registeredSuites().find((d) => d.name === m.suite);
    if (!decl) throw new Error(`suite "${m.suite}" is not declared by ${m.file}`);
    const log = (line: string) => void ask({ op: 'log', line });
    post({ type: 'result', result: await runSuite(decl, { side: 'worker', file: m.file, log }, m.run) });
  } catch (e) {
    post({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
};
