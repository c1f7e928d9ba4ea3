/**
 * The CLI's terminal behaviour, run in-process with a fake terminal: `cat --format auto` prints a
 * table on a TTY, colour appears only on a TTY and never with NO_COLOR; and the pure helpers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { processOutput, type Output } from '../../../src/cli/output.ts';
import { listPattern } from '../../../src/cli/commands/list.ts';
import { expandEnv } from '../../../src/cli/commands/mknod.ts';
import { openPond, tableToParquet } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import * as arrow from 'apache-arrow';

function capture(tty: boolean, color: boolean): { out: Output; text: () => string; err: () => string } {
  const chunks: Buffer[] = [];
  const errs: Buffer[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  stdout.on('data', (c: Buffer) => chunks.push(c));
  stderr.on('data', (c: Buffer) => errs.push(c));
  return { out: { stdout, stderr, tty, color }, text: () => Buffer.concat(chunks).toString(), err: () => Buffer.concat(errs).toString() };
}

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pond-cli-tty-'));
  const p = await openPond(new NodeFsStore(dir), { create: true });
  const table = arrow.tableFromArrays({ id: Int32Array.from([1, 2]), name: ['a', 'b'] });
  await p.transact(async (tx) => {
    await tx.mkdir('/d');
    await tx.writeFile('/d/t.parquet', await tableToParquet(table), { type: 'file:table' });
  });
  await p.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pond CLI on a terminal', () => {
  it('cat --format auto prints a table on a TTY and Parquet when piped', async () => {
    const tty = capture(true, true);
    expect(await main(['cat', '/d/t.parquet', '--pond', dir], {}, tty.out)).toBe(0);
    expect(tty.text()).toMatch(/\| id +\| name +\|\n\| Int32 +\| [^|\n]*Utf8[^|\n]*\|/);
    expect(tty.text()).toContain('Summary: 2 total rows');
    const piped = capture(false, false);
    expect(await main(['cat', '/d/t.parquet', '--pond', dir], {}, piped.out)).toBe(0);
    expect(piped.text().startsWith('PAR1')).toBe(true);
  });

  it('colours directories only when colour is on', async () => {
    const on = capture(true, true);
    await main(['list', '--pond', dir], {}, on.out);
    expect(on.text()).toContain('\x1b[34m/d/\x1b[0m');
    const off = capture(true, false);
    await main(['list', '--pond', dir], {}, off.out);
    expect(off.text()).toBe('/d/\n/d/t.parquet\n');
    expect(processOutput({ NO_COLOR: '1' }).color).toBe(false);
  });

  it('turns patterns and env references into what Rust does', () => {
    expect(listPattern(undefined)).toBe('/**/*');
    expect(listPattern('/')).toBe('/*');
    expect(listPattern('/data/')).toBe('/data/*');
    expect(listPattern('data')).toBe('/data');
    expect(expandEnv('a: ${env:X}\nb: ${env:X}-${env:Y}', { X: '1', Y: 'two' }, 'f.yaml')).toBe('a: 1\nb: 1-two');
    expect(() => expandEnv('${env:NOPE}', {}, 'f.yaml')).toThrow(/NOPE/);
  });
});
