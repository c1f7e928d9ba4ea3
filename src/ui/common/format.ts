/** How values read on screen: sizes, times, table cells, entry types. */
import type { ColumnInfo, EntryType } from '../../../workers/api.ts';

/** 1536 -> '1.5 KB'. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Milliseconds since the epoch as local date and time, to the second. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Milliseconds since the epoch in UTC, as data times are shown: '2024-01-01 00:00 UTC' (seconds when not zero). */
export function formatUtcTime(ms: number): string {
  const d = new Date(ms);
  // A pond's log is a stranger's: a bound outside Date's range must not throw (toISOString does).
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = d.toISOString();
  const seconds = iso.slice(17, 19) === '00' && iso.slice(19, 23) === '.000' ? '' : iso.slice(16, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
}

/** A duration in ms as '85 ms' or '1.24 s'. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A table cell's text. Times show in UTC, as stored: a Date column as a date, a Timestamp column
 * always with its time (so that midnight does not look like a different kind of value).
 */
export function formatCell(v: unknown, column: Pick<ColumnInfo, 'kind' | 'type'>): string {
  if (v === null || v === undefined) return 'null';
  if (column.kind === 'time' && typeof v === 'number') {
    const iso = new Date(v).toISOString();
    if (column.type.startsWith('Date')) return iso.slice(0, 10);
    return iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return String(v);
  }
}

const TYPE_LABELS: Record<EntryType, string> = {
  directory: 'Folder',
  symlink: 'Symlink',
  'file:data': 'File',
  'file:table': 'Table',
  'file:series': 'Series',
};

/** 'file:table' -> 'Table'. */
export function typeLabel(type: EntryType): string {
  return TYPE_LABELS[type] ?? type;
}

/** True for content computed by a factory rather than stored. */
export function isDynamic(factory: string): boolean {
  return factory !== 'tlogfs';
}

/** Parent directory of an absolute path. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Join a directory and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * `path` made absolute against `cwd` and normalized as the pond does ('..' goes up, never above
 * the root; '.', repeated and trailing slashes go), so the UI follows where a rename really lands.
 * @example resolvePath('../x', '/data') === '/x'
 */
export function resolvePath(path: string, cwd = '/'): string {
  const out: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** Last path component ('/' for the root). */
export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

/** Offer `bytes` to the user as a download named `name`. */
export function download(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
