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
import { outputName, parseTemporal, partitionDir } from '../../../src/cli/commands/export.ts';
import { parseTime } from '../../../src/cli/commands/cat.ts';
import { pondLink } from '../../../src/cli/commands/publish.ts';
import { formatTable, tableCsv } from '../../../src/cli/table-text.ts';
import { parseResource } from '../../../src/cli/commands/apply.ts';
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

  it('export and publish show progress on a terminal and stay quiet when piped', async () => {
    for (const tty of [true, false]) {
      const term = capture(tty, false);
      const out = join(dir, `out-${tty}`);
      expect(await main(['export', '--pond', dir, '-p', '/d/*.parquet', '--dir', out], {}, term.out)).toBe(0);
      expect(await main(['publish', '--pond', dir, join(dir, `..`, `pub-${tty}-${process.pid}`)], {}, term.out)).toBe(0);
      rmSync(join(dir, '..', `pub-${tty}-${process.pid}`), { recursive: true, force: true });
      if (tty) {
        expect(term.err()).toContain('exporting /d/t.parquet (1/1)');
        expect(term.err()).toMatch(/publishing: \d+\/\d+ files/);
        expect(term.err()).toMatch(/published version \d+ to .*: \d+ files, \d+ bytes\n$/);
      } else expect(term.err()).toBe('');
      expect(term.text()).toBe(`?pond=pub-${tty}-${process.pid}/\n`);
    }
  });

  it('turns patterns and env references into what Rust does', () => {
    expect(listPattern(undefined)).toBe('/**/*');
    expect(listPattern('/')).toBe('/*');
    expect(listPattern('/data/')).toBe('/data/*');
    expect(listPattern('data')).toBe('/data');
    expect(expandEnv('a: ${env:X}\nb: ${env:X}-${env:Y}', { X: '1', Y: 'two' }, 'f.yaml')).toBe('a: 1\nb: 1-two');
    expect(() => expandEnv('${env:NOPE}', {}, 'f.yaml')).toThrow(/NOPE/);
  });

  it('checks apply documents as Rust does, naming the file and document', () => {
    const doc = (kind: string, spec?: unknown, path = '/a') => ({ version: 'v1', kind, metadata: { path }, ...(spec === undefined ? {} : { spec }) });
    expect(parseResource(doc('mkdir'), 'f.yaml[0]', {})).toEqual({ where: 'f.yaml[0]', path: '/a', kind: 'mkdir' });
    expect(parseResource(doc('copy', { source: 'host+table:///${env:D}/t.parquet' }), 'f[1]', { D: '/srv' })).toMatchObject({
      kind: 'copy',
      source: { path: '/srv/t.parquet', type: 'file:table' },
      overwrite: false,
    });
    const bad: [unknown, RegExp][] = [
      [{ ...doc('mkdir'), version: 'v2' }, /unsupported version "v2"/],
      [doc('mkdir', undefined, 'rel'), /metadata.path must be absolute/],
      [doc('rmdir'), /unknown kind "rmdir"/],
      [doc('mkdir', { x: 1 }), /mkdir does not accept a spec/],
      [{ ...doc('mkdir'), extra: 1 }, /unknown field 'extra'/],
      [doc('copy', { source: 'http://example.org/x' }), /copy source must be a host URL/],
      [doc('copy', { source: 'host+nope:///x' }), /copy source must be a host URL/],
      [doc('copy', { source: 'host:///x', overwrite: 'yes' }), /overwrite must be true or false/],
      [doc('mknod', { factory: 'sql_query', config: { tables: {} } }), /invalid config for factory 'sql_query'/],
      [doc('mknod', { factory: 'nosuch', config: {} }), /invalid config for factory 'nosuch'/],
    ];
    for (const [d, message] of bad) expect(() => parseResource(d, 'f.yaml[2]', {}), String(message)).toThrow(message);
    expect(() => parseResource(doc('mkdir', undefined, '/x'), 'f.yaml[2]', {})).not.toThrow();
    expect(() => parseResource({ ...doc('rmdir') }, 'f.yaml[2]', {})).toThrow(/^f\.yaml\[2\]: /);
  });

  it('prints decimals with their scale, negative ones too', () => {
    // -1.25, 0.05 and 3.00 as Decimal(10, 2): 128-bit two's complement, little-endian words.
    const words = Uint32Array.from([0xffffff83, 0xffffffff, 0xffffffff, 0xffffffff, 5, 0, 0, 0, 300, 0, 0, 0]);
    const d = new arrow.Vector([arrow.makeData({ type: new arrow.Decimal(2, 10, 128), length: 3, nullCount: 0, data: words })]);
    const table = new arrow.Table({ d });
    expect([...tableCsv(table)].join('')).toBe('d\n-1.25\n0.05\n3.00\n');
    expect(formatTable(table)).toMatch(/\| +-1\.25 \|\n\| +0\.05 \|\n\| +3\.00 \|/);
  });

  it('reads export levels, output names, partitions, times and links as Rust and the app do', () => {
    expect(parseTemporal('year, month')).toEqual(['year', 'month']);
    expect(parseTemporal('')).toEqual([]);
    expect(() => parseTemporal('month,year')).toThrow(/chronological/);
    expect(() => parseTemporal('year,week')).toThrow(/invalid temporal partition 'week'/);
    expect(outputName('/sensors/temp.series', [])).toBe('sensors/temp');
    expect(outputName('/top.parquet', [])).toBe('top');
    expect(outputName('/reduced/DO/res=1h.series', ['DO', 'res=1h'])).toBe('DO/res=1h');
    expect(partitionDir(Date.UTC(2025, 6, 4, 5, 6, 7), ['year', 'month', 'day', 'hour', 'minute', 'second'])).toBe(
      'year=2025/month=7/day=4/hour=5/minute=6/second=7',
    );
    expect(parseTime('time-start', '1704067200000')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime('time-start', '2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTime('time-start', '2024-01-01 12:30:00')).toBe(Date.UTC(2024, 0, 1, 12, 30));
    expect(parseTime('time-start', '2024-01-01T12:30:00+02:00')).toBe(Date.UTC(2024, 0, 1, 10, 30));
    expect(() => parseTime('time-end', 'soon')).toThrow(/--time-end/);
    expect(parseTime('time-start', '2024-01-01T12:30:00Z')).toBe(Date.UTC(2024, 0, 1, 12, 30));
    // Not ISO: refused, rather than read in the host's time zone.
    expect(() => parseTime('time-start', 'Jan 1 2024')).toThrow(/--time-start/);
    expect(pondLink('field notes/')).toBe('?pond=field+notes/');
    expect(pondLink('https://h.example/p/', 'https://app.example/')).toBe('https://app.example/?pond=https://h.example/p/');
  });
});
