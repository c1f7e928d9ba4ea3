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
  return instant(text, m.slice(1, 7).map(Number), m[7], m[8] ? 'Z' : undefined, m[9], m[10], m[11]);
}

// Arrow's string-to-timestamp forms: a date, optionally a time (T or space), optionally an offset.
const ARROW_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * A timestamp as Arrow's cast from text reads it into a UTC column: RFC 3339, or
 * `YYYY-MM-DD[ T]HH:MM:SS[.f]` and `YYYY-MM-DD` without an offset, which are UTC (the target's
 * zone), never the host's local time. Anything else is a reason.
 * @example parseTimestampText('2024-01-01 06:00:00') // { ok: true, ms: 1704088800000 }
 */
export function parseTimestampText(text: string): InstantResult {
  const m = ARROW_TIMESTAMP.exec(text.trim());
  if (!m)
    return {
      ok: false,
      reason: `${JSON.stringify(text)} is not a timestamp (use RFC 3339 like 2024-01-01T00:00:00Z, or 2024-01-01 00:00:00 for UTC)`,
    };
  const parts = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  return instant(text, parts, m[7], m[8] ? 'Z' : m[9] ? undefined : 'Z', m[9], m[10], m[11]);
}

/** The instant of checked date and time fields; `utc` set, or an offset `sign hh mm`. */
function instant(
  text: string,
  [y, mo, d, h, mi, s]: number[],
  fraction: string | undefined,
  utc: 'Z' | undefined,
  sign: string | undefined,
  oh: string | undefined,
  om: string | undefined,
): InstantResult {
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !leap(y) ? 1 : 0);
  // Second 60 is a leap second: chrono counts it as 59 plus 1,000 ms, which is what Date's rollover gives.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60)
    return { ok: false, reason: `not a valid date and time: ${JSON.stringify(text)}` };
  const offsetMinutes = utc ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (!utc && (Number(oh) > 23 || Number(om) > 59)) return { ok: false, reason: `not a valid UTC offset: ${JSON.stringify(text)}` };
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are
  date.setUTCHours(h, mi, s, Number((fraction ?? '').slice(0, 3).padEnd(3, '0')));
  return { ok: true, ms: date.getTime() - offsetMinutes * 60_000 };
}

function leap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
