// The virtualized grid with a million rows: only what is in view is in the DOM, the scaled
// scrollbar reaches the last row, and the loader is asked for just the rows in view.
import { describe, it, expect, afterEach } from 'vitest';
import { mount, unmount, flushSync } from 'svelte';
import Grid from '../../src/ui/viewers/Grid.svelte';
import type { ColumnInfo } from '../../workers/api.ts';

const columns: ColumnInfo[] = [
  { name: 'id', type: 'Int32', kind: 'number' },
  { name: 'at', type: 'Timestamp<MICROSECOND, UTC>', kind: 'time' },
  { name: 'label', type: 'Utf8', kind: 'string' },
];
const ROWS = 1_000_000;

let host: HTMLElement;
let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app) unmount(app);
  host?.remove();
});

function render(ranges: [number, number][], sorted: string[] = []) {
  host = document.createElement('div');
  host.style.height = '400px';
  host.style.width = '800px';
  document.body.append(host);
  app = mount(Grid, {
    target: host,
    props: {
      label: 'test grid',
      columns,
      rowCount: ROWS,
      row: (i: number) => [i, Date.UTC(2024, 0, 1) + i * 60_000, i % 2 ? 'odd' : null],
      onrange: (a: number, b: number) => void ranges.push([a, b]),
      onsort: (c: string) => void sorted.push(c),
    },
  });
  flushSync();
  return host.querySelector<HTMLElement>('[role=grid]')!;
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe('Grid', () => {
  it('renders a million rows with a handful of DOM rows and reaches the last one', async () => {
    const ranges: [number, number][] = [];
    const grid = render(ranges);
    expect(grid.getAttribute('aria-rowcount')).toBe(String(ROWS + 1));
    const domRows = () => grid.querySelectorAll('[role=row]').length;
    expect(domRows()).toBeLessThan(60);
    expect(grid.querySelector('[aria-rowindex="2"] [role=gridcell]')!.textContent).toBe('0');
    expect(grid.querySelector('[aria-rowindex="2"] [role=gridcell]:nth-child(3)')!.textContent).toBe('2024-01-01 00:00:00');
    expect(grid.querySelector('[aria-rowindex="3"] [role=gridcell]:nth-child(4)')!.textContent).toBe('odd');
    expect(grid.querySelector('[aria-rowindex="2"] [role=gridcell]:nth-child(4)')!.classList.contains('null')).toBe(true);

    const started = performance.now();
    grid.scrollTop = grid.scrollHeight;
    grid.dispatchEvent(new Event('scroll'));
    flushSync();
    await nextFrame();
    const elapsed = performance.now() - started;
    const last = grid.querySelector(`[aria-rowindex="${ROWS + 1}"]`);
    expect(last, 'the last row is rendered at the bottom').not.toBeNull();
    expect(last!.querySelector('[role=rowheader]')!.textContent).toBe(String(ROWS));
    expect(domRows()).toBeLessThan(60);
    expect(elapsed).toBeLessThan(500);
    const [from, to] = ranges[ranges.length - 1];
    expect(to).toBe(ROWS);
    expect(to - from).toBeLessThan(60);
  });

  it('asks for a sort when a column header is clicked', () => {
    const sorted: string[] = [];
    const grid = render([], sorted);
    grid.querySelectorAll<HTMLButtonElement>('[role=columnheader] button')[1].click();
    expect(sorted).toEqual(['at']);
  });
});
