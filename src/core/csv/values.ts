/**
 * What a CSV field can be, read straight from its bytes: integer, float, boolean, date, timestamp.
 * `classify` gives the set of types a value fits (a bit mask); the parse functions give the value.
 * Leading and trailing spaces are ignored for these types (text keeps them).
 */

export const INT = 1;
export const FLOAT = 2;
export const BOOL = 4;
export const DATE = 8;
export const TS_NAIVE = 16;
export const TS_ZONED = 32;
export const ALL = INT | FLOAT | BOOL | DATE | TS_NAIVE | TS_ZONED;

const SPACE = 32;
const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/** Trim ASCII spaces: returns [s, e] packed in the scratch pair. */
const span = new Int32Array(2);
function trim(b: Uint8Array, s: number, e: number): void {
  while (s < e && b[s] === SPACE) s++;
  while (e > s && b[e - 1] === SPACE) e--;
  span[0] = s;
  span[1] = e;
}

const INT64_MAX = 9223372036854775807n;

/** The types the (non-empty) value in bytes [s, e) fits. */
export function classify(b: Uint8Array, s: number, e: number): number {
  trim(b, s, e);
  s = span[0];
  e = span[1];
  if (s === e) return 0;
  const c = b[s];
  if (isDigit(c) || c === MINUS || c === PLUS || c === DOT) {
    const num = numberKind(b, s, e);
    if (num) return num;
    if (e - s >= 10 && isDigit(c)) {
      parseTemporal(b, s, e);
      if (temporal.kind === 1) return DATE | TS_NAIVE | TS_ZONED;
      if (temporal.kind === 2) return TS_NAIVE;
      if (temporal.kind === 3) return TS_ZONED;
    }
    return 0;
  }
  return parseBool(b, s, e) >= 0 ? BOOL : 0;
}

/**
 * INT | FLOAT for an integer in the Int64 range, FLOAT for other decimal numbers, 0 for anything
 * else. A leading zero before more digits (`007`, `00501`) is a code, not a number: it stays text.
 */
function numberKind(b: Uint8Array, s: number, e: number): number {
  let i = s;
  if (b[i] === MINUS || b[i] === PLUS) i++;
  const digitsStart = i;
  while (i < e && isDigit(b[i])) i++;
  const intDigits = i - digitsStart;
  if (intDigits > 1 && b[digitsStart] === ZERO) return 0;
  if (i === e) {
    if (intDigits === 0) return 0;
    if (intDigits < 19) return INT | FLOAT;
    return BigInt(latin1(b, s, e)) <= INT64_MAX && BigInt(latin1(b, s, e)) >= -INT64_MAX - 1n ? INT | FLOAT : FLOAT;
  }
  let fracDigits = 0;
  if (b[i] === DOT) {
    i++;
    const f = i;
    while (i < e && isDigit(b[i])) i++;
    fracDigits = i - f;
  }
  if (intDigits + fracDigits === 0) return 0;
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < e && (b[i] === MINUS || b[i] === PLUS)) i++;
    const x = i;
    while (i < e && isDigit(b[i])) i++;
    if (i === x) return 0;
  }
  return i === e ? FLOAT : 0;
}

/** Bytes [s, e) as a string, one char per byte (for ASCII numbers and short previews). */
export function latin1(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** An integer field (classified INT) as a Number when it is a safe integer, else a BigInt. */
export function parseInteger(b: Uint8Array, s: number, e: number): number | bigint {
  trim(b, s, e);
  s = span[0];
  e = span[1];
  let i = s;
  const neg = b[i] === MINUS;
  if (neg || b[i] === PLUS) i++;
  if (e - i > 15) return BigInt(latin1(b, s, e));
  let v = 0;
  for (; i < e; i++) v = v * 10 + (b[i] - ZERO);
  return neg ? -v : v;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A float field (classified FLOAT). Up to 15 digits and no exponent: digits / 10^k, one correctly
 * rounded division of two exact doubles (so equal to `Number(text)`), without making a string.
 */
export function parseFloatField(b: Uint8Array, s: number, e: number): number {
  trim(b, s, e);
  s = span[0];
  e = span[1];
  let i = s;
  const neg = b[i] === MINUS;
  if (neg || b[i] === PLUS) i++;
  let m = 0;
  let n = 0;
  let frac = -1;
  for (; i < e; i++) {
    const c = b[i];
    if (c === DOT && frac < 0) frac = 0;
    else if (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      n++;
      if (frac >= 0) frac++;
    } else break;
  }
  if (i < e || n > 15) return Number(latin1(b, s, e));
  const v = frac > 0 ? m / POW10[frac] : m;
  return neg ? -v : v;
}

/** 1 for true, 0 for false, -1 for neither (case-insensitive `true` / `false`). */
export function parseBool(b: Uint8Array, s: number, e: number): number {
  trim(b, s, e);
  s = span[0];
  e = span[1];
  const n = e - s;
  if (n === 4 && (b[s] | 32) === 116 && (b[s + 1] | 32) === 114 && (b[s + 2] | 32) === 117 && (b[s + 3] | 32) === 101) return 1;
  if (n === 5 && (b[s] | 32) === 102 && (b[s + 1] | 32) === 97 && (b[s + 2] | 32) === 108 && (b[s + 3] | 32) === 115 && (b[s + 4] | 32) === 101) return 0;
  return -1;
}

/**
 * The result of `parseTemporal`: kind 0 = not a date or timestamp, 1 = date, 2 = timestamp
 * without zone, 3 = timestamp with zone; `days` since 1970-01-01, `micros` since the epoch (UTC
 * for zoned values, the wall clock for naive ones); `big` holds micros when outside the safe range.
 */
export const temporal = { kind: 0, days: 0, micros: 0, big: null as bigint | null };

function digits(b: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const c = b[i];
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * ISO 8601 `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fraction]]` and a zone
 * (`Z`, `±HH:MM`, `±HHMM`, `±HH`). Fractions beyond microseconds are truncated. Sets `temporal`.
 */
export function parseTemporal(b: Uint8Array, s: number, e: number): void {
  trim(b, s, e);
  s = span[0];
  e = span[1];
  temporal.kind = 0;
  temporal.big = null;
  if (e - s < 10 || b[s + 4] !== MINUS || b[s + 7] !== MINUS) return;
  const y = digits(b, s, 4);
  const mo = digits(b, s + 5, 2);
  const d = digits(b, s + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap(y) ? 29 : MONTH_DAYS[mo - 1])) return;
  const days = daysFromCivil(y, mo, d);
  if (e - s === 10) {
    temporal.kind = 1;
    temporal.days = days;
    temporal.micros = days * 86_400_000_000;
    return;
  }
  let i = s + 10;
  if (b[i] !== 84 && b[i] !== 116 && b[i] !== SPACE) return;
  i++;
  if (e - i < 5 || b[i + 2] !== 58) return;
  const h = digits(b, i, 2);
  const mi = digits(b, i + 3, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return;
  i += 5;
  let sec = 0;
  let frac = 0;
  if (i < e && b[i] === 58) {
    sec = digits(b, i + 1, 2);
    if (e - i < 3 || sec < 0 || sec > 59) return;
    i += 3;
    if (i < e && (b[i] === DOT || b[i] === 44)) {
      i++;
      const f = i;
      while (i < e && isDigit(b[i])) i++;
      if (i === f) return;
      for (let k = 0; k < 6; k++) frac = frac * 10 + (f + k < i ? b[f + k] - ZERO : 0);
    }
  }
  let offsetMin = 0;
  let zoned = false;
  if (i < e) {
    const c = b[i];
    if ((c === 90 || c === 122) && i + 1 === e) {
      zoned = true;
    } else if (c === PLUS || c === MINUS) {
      const rest = e - i - 1;
      const oh = digits(b, i + 1, 2);
      let om = 0;
      if (rest === 5 && b[i + 3] === 58) om = digits(b, i + 4, 2);
      else if (rest === 4) om = digits(b, i + 3, 2);
      else if (rest !== 2) return;
      if (oh < 0 || oh > 18 || om < 0 || om > 59) return;
      offsetMin = (c === MINUS ? -1 : 1) * (oh * 60 + om);
      zoned = true;
    } else {
      return;
    }
  }
  const seconds = days * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  const micros = seconds * 1_000_000 + frac;
  temporal.kind = zoned ? 3 : 2;
  temporal.days = days;
  temporal.micros = micros;
  if (!Number.isSafeInteger(micros)) temporal.big = BigInt(seconds) * 1_000_000n + BigInt(frac);
}
