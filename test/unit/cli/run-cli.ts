/**
 * Running the built `pond` CLI as a subprocess on temporary ponds, for the CLI test files: the
 * bundle (dist-cli/pond.mjs, rebuilt through the bin launcher when stale), its output and exit code.
 */
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import * as arrow from 'apache-arrow';
import { tableToParquet } from '../../../src/core/index.ts';
import { main } from '../../../src/cli/main.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/pond.mjs');
export const BUNDLE = join(ROOT, 'dist-cli/pond.mjs');

export interface Run {
  code: number;
  stdout: Buffer;
  out: string;
  err: string;
}

/** Run the CLI (the bundle unless `bin`) in `cwd` with `args`; POND is unset unless `env` sets it. */
export function runPond(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; bin?: boolean }): Run {
  const env: Record<string, string | undefined> = { ...process.env, POND: undefined, ...options.env };
  const r = spawnSync(process.execPath, [options.bin ? BIN : BUNDLE, ...args], { env, cwd: options.cwd, maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

/** Build (or confirm) the bundle through the launcher, as `npx pond` would. */
export function ensureBuilt(cwd: string): void {
  const r = runPond(['--help'], { cwd, bin: true });
  expect(r.code, r.err).toBe(0);
}

/** A CLI bound to one pond directory (POND) and working directory. */
export function pondAt(dir: string, cwd: string) {
  const run = (args: string[], env: Record<string, string | undefined> = {}): Run => runPond(args, { cwd, env: { POND: dir, ...env } });
  /** Run and expect success; returns stdout as text. */
  const ok = (args: string[], env: Record<string, string | undefined> = {}): string => {
    const r = run(args, env);
    expect(r.code, `pond ${args.join(' ')}: ${r.err}`).toBe(0);
    return r.out;
  };
  return { dir, run, ok };
}

/** Assert the one-line error format and exit code. */
export function expectError(r: Run, code: string, exit = 1): void {
  expect(r.code, r.err).toBe(exit);
  expect(r.err).toMatch(new RegExp(`^pond: ${code}: [^\\n]+\\n$`));
  expect(r.err).not.toMatch(/\n\s+at /);
}

/** Parquet bytes of a series-shaped table: `timestamp` (ms, UTC) every `stepMs` from `startMs`, and `value` = i * 1.5. */
export async function seriesParquet(startMs: number, rows: number, stepMs: number): Promise<Uint8Array> {
  const times = BigInt64Array.from({ length: rows }, (_x, i) => BigInt(startMs + i * stepMs));
  const timestamp = new arrow.Vector([arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: rows, nullCount: 0, data: times })]);
  const value = arrow.vectorFromArray(Float64Array.from({ length: rows }, (_x, i) => i * 1.5));
  return tableToParquet(new arrow.Table({ timestamp, value }));
}

/** A CLI bound to one pond directory whose runs resolve when done: `pondAt`'s, or `pondInProcess`'s. */
export interface PondRunner {
  dir: string;
  run(args: string[], env?: Record<string, string | undefined>): Promise<Run>;
  /** Run and expect success; resolves to stdout as text. */
  ok(args: string[], env?: Record<string, string | undefined>): Promise<string>;
}

/**
 * The same commands run in this process: `main()` with its output captured, the code path of the
 * bundle but without a Node start per command. For long scenario scripts (over a hundred commands,
 * minutes as subprocesses); the subprocess tests keep covering exit codes and the launcher.
 */
export function pondInProcess(dir: string): PondRunner {
  const run = async (args: string[], env: Record<string, string | undefined> = {}): Promise<Run> => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (c: Buffer) => out.push(c));
    stderr.on('data', (c: Buffer) => err.push(c));
    const code = await main(args, { ...process.env, NO_COLOR: '1', POND: dir, ...env }, { stdout, stderr, tty: false, color: false });
    const stdoutBytes = Buffer.concat(out);
    return { code, stdout: stdoutBytes, out: stdoutBytes.toString('utf8'), err: Buffer.concat(err).toString('utf8') };
  };
  const ok = async (args: string[], env: Record<string, string | undefined> = {}): Promise<string> => {
    const r = await run(args, env);
    expect(r.code, `pond ${args.join(' ')}: ${r.err}`).toBe(0);
    return r.out;
  };
  return { dir, run, ok };
}

/** `pondAt` behind the PondRunner interface. */
export function pondSubprocess(dir: string, cwd: string): PondRunner {
  const p = pondAt(dir, cwd);
  return { dir, run: (args, env) => Promise.resolve(p.run(args, env)), ok: (args, env) => Promise.resolve(p.ok(args, env)) };
}
