// Durations and instants as the Rust DuckPond parses them in factory configs: humantime's
// `parse_duration` ("15m", "1h30m", "2 days") and chrono's RFC 3339 (`parse_from_rfc3339`).
// Shared by the time-series factories, so a Rust user's YAML means the same thing here.

/** Seconds per humantime unit; months are 30.44 days and years 365.25 days, as humantime has them. */
const UNIT_SECONDS: Record<string, number> = {};
const NANOS_PER_UNIT: Record<string, number> = {};
for (const [names, secs] of [
  [['seconds', 'second', 'secs', 'sec', 's'], 1],
  [['minutes', 'minute', 'min', 'mins', 'm'], 60],
  [['hours', 'hour', 'hr', 'hrs', 'h'], 3600],
  [['days', 'day', 'd'], 86_400],
  [['weeks', 'week', 'w'], 604_800],
  [['months', 'month', 'M'], 2_630_016],
  [['years', 'year', 'y'], 31_557_600],
] as const)
  for (const n of names) UNIT_SECONDS[n] = secs;
for (const [names, nanos] of [
  [['nanos', 'nsec', 'ns'], 1],
  [['usec', 'us', 'µs'], 1_000],
  [['millis', 'msec', 'ms'], 1_000_000],
] as const)
  for (const n of names) NANOS_PER_UNIT[n] = nanos;

/** A parsed duration, or why it does not parse. */
export type DurationResult = { ok: true; seconds: number } | { ok: false; reason: string };

/**
 * A humantime duration in seconds (`secs + nanos / 1e9`, as Rust's `as_secs_f64`): integer
 * amounts with a unit each, optionally separated by spaces ("1h30m", "2h 15min", "500ms").
 * @example parseDuration('1h30m') // { ok: true, seconds: 5400 }
 */
export function parseDuration(text: string): DurationResult {
  const s = text.trim();
  if (s === '') return { ok: false, reason: 'empty duration' };
  const segment = /(\d+)\s*([A-Za-zµ][A-Za-z]*)?\s*/y;
  let secs = 0;
  let nanos = 0;
  while (segment.lastIndex < s.length) {
    const at = segment.lastIndex;
    const m = segment.exec(s);
    if (!m) return { ok: false, reason: `expected a number at ${at} in ${JSON.stringify(text)}` };
    const n = Number(m[1]);
    const unit = m[2] ?? '';
    if (unit === '' && segment.lastIndex < s.length) return { ok: false, reason: `invalid character at ${segment.lastIndex} in ${JSON.stringify(text)}` };
    if (unit === '') return { ok: false, reason: `time unit needed, for example ${m[1]}s or ${m[1]}ms` };
    if (unit in UNIT_SECONDS) secs += n * UNIT_SECONDS[unit];
    else if (unit in NANOS_PER_UNIT) nanos += n * NANOS_PER_UNIT[unit];
    else return { ok: false, reason: `unknown time unit ${JSON.stringify(unit)} (use ns, us, ms, s, m, h, d, w, M, y or their long names)` };
    if (!Number.isSafeInteger(secs) || !Number.isSafeInteger(nanos)) return { ok: false, reason: 'duration is too large' };
  }
  secs += Math.floor(nanos / 1e9);
  return { ok: true, seconds: secs + (nanos % 1e9) / 1e9 };
}

/** A parsed instant in ms since the epoch, or why it does not parse. */
export type InstantResult = { ok: true; ms: number } | { ok: false; reason: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 timestamp ("2024-01-01T00:00:00Z", "2024-06-01T12:00:00.250+02:00") in ms since
 * the epoch, sub-millisecond digits dropped (chrono's `timestamp_millis`). An offset is required.
 * @example parseRfc3339('2024-01-01T00:00:00Z') // { ok: true, ms: 1704067200000 }
 */
export function parseRfc3339(text: string): InstantResult {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, reason: `not an RFC 3339 timestamp (like 2024-01-01T00:00:00Z): ${JSON.stringify(text)}` };
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !leap(y) ? 1 : 0);
  // Second 60 is a leap second: chrono counts it as 59 plus 1,000 ms, which is what Date's rollover gives.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60)
    return { ok: false, reason: `not a valid date and time: ${JSON.stringify(text)}` };
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (!m[8] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return { ok: false, reason: `not a valid UTC offset: ${JSON.stringify(text)}` };
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(h, mi, s, Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')));
  return { ok: true, ms: date.getTime() - offsetMinutes * 60_000 };
}

function leap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
