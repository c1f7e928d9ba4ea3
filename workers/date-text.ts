/**
 * Dates stored as text ("2024-03-01", "2024-03-01 12:00:00Z", "Jan 1 2000", "1 January 2000"),
 * recognised so that such a column can be a chart's time axis. Only unambiguous forms: a
 * "03/04/2024" could be March or April, so it is not a date here. Values without a zone are UTC.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ISO = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTH_FIRST = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;
const DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/;
const MONTH_YEAR = /^([A-Za-z]{3,9})\.?\s+(\d{4})$/;

/** Milliseconds since the epoch for a date written as text, or NaN when it is not one. */
export function parseDateText(text: string): number {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
    const ms = utc(+y, +mo, +d, +h, +mi, +sec, Number(frac.padEnd(3, '0').slice(0, 3)));
    return Number.isNaN(ms) ? NaN : ms - offsetMinutes(zone) * 60_000;
  }
  m = MONTH_FIRST.exec(s);
  if (m) return utc(+m[3], month(m[1]), +m[2]);
  m = DAY_FIRST.exec(s);
  if (m) return utc(+m[3], month(m[2]), +m[1]);
  m = MONTH_YEAR.exec(s);
  if (m) return utc(+m[2], month(m[1]), 1);
  return NaN;
}

/** True when every sampled non-empty value of `values` is a date (and there is at least one). */
export function looksLikeDates(values: Iterable<unknown>, sample = 64): boolean {
  let seen = 0;
  for (const v of values) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'string' || Number.isNaN(parseDateText(v))) return false;
    if (++seen >= sample) break;
  }
  return seen > 0;
}

function month(name: string): number {
  const lower = name.toLowerCase();
  const i = MONTHS.indexOf(lower.slice(0, 3));
  // "Janu" is not a month; full names and three-letter abbreviations (and "Sept") are.
  if (i < 0) return NaN;
  const full = new Date(Date.UTC(2000, i, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' }).toLowerCase();
  return lower.length === 3 || full === lower || lower === 'sept' ? i + 1 : NaN;
}

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (!(mo >= 1 && mo <= 12 && d >= 1 && h <= 24 && mi <= 59 && s <= 60)) return NaN;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > days) return NaN;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
