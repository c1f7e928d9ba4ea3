/**
 * RFC 4180 row scanner over UTF-8 bytes. Delimiters, quotes and line breaks are ASCII, so the bytes
 * are scanned without decoding; a field is a byte range into the input (no per-cell strings).
 *
 * A row is one record: it starts on a physical line (1-based, counted over LF, CRLF and lone CR)
 * and may span several when a quoted field holds line breaks. A malformed record (unclosed quote,
 * text after a closing quote, a quote inside an unquoted field) is returned with `error` set, and
 * scanning resumes at the physical line after the one the record started on: a stray quote costs
 * its own line, not every line up to the next quote or to the end of the file.
 */

const LF = 10;
const CR = 13;
const QUOTE = 34;

export class RowScanner {
  /** Start line (1-based) of the current row. */
  line = 0;
  /** Byte offsets of the current row: [rowStart, rowEnd) without the line break. */
  rowStart = 0;
  rowEnd = 0;
  /** Number of fields of the current row. */
  count = 0;
  /** Field i is bytes [starts[i], ends[i]); quoted fields exclude their quotes. */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 1 when field i holds doubled quotes ("") that must be unescaped. */
  escaped = new Uint8Array(64);
  /** Why the current row is malformed (null when it is well formed). */
  error: string | null = null;
  /** The current row has a byte >= 0x80 (so it needs UTF-8 validation). */
  nonAscii = false;
  /** Wholly empty lines skipped so far. */
  blankLines = 0;

  readonly #b: Uint8Array;
  readonly #d: number;
  readonly #end: number;
  #pos: number;
  #nextLine = 1;

  constructor(bytes: Uint8Array, delimiter: number, start = 0, end = bytes.length) {
    this.#b = bytes;
    this.#d = delimiter;
    this.#pos = start;
    this.#end = end;
  }

  /** Where the scanner is (the next row starts at or after it). */
  get position(): number {
    return this.#pos;
  }

  /** Advance to the next row; false at the end of the input. */
  next(): boolean {
    const b = this.#b;
    const n = this.#end;
    let pos = this.#pos;
    // Blank lines are not rows (a trailing newline, or spacing between blocks).
    while (pos < n && (b[pos] === LF || b[pos] === CR)) {
      pos += b[pos] === CR && b[pos + 1] === LF && pos + 1 < n ? 2 : 1;
      this.#nextLine++;
      this.blankLines++;
    }
    if (pos >= n) {
      this.#pos = pos;
      return false;
    }
    this.rowStart = pos;
    this.line = this.#nextLine;
    this.count = 0;
    this.error = null;
    let nonAscii = false;
    let line = this.#nextLine;
    const d = this.#d;
    for (;;) {
      let s: number;
      let e: number;
      let esc = 0;
      if (b[pos] === QUOTE) {
        s = ++pos;
        for (;;) {
          while (pos < n) {
            const c = b[pos];
            if (c === QUOTE) break;
            if (c === LF) line++;
            else if (c === CR && b[pos + 1] !== LF) line++;
            else if (c > 127) nonAscii = true;
            pos++;
          }
          if (pos >= n) return this.#malformed('unclosed quote: the quoted field opened on this line never closes');
          if (b[pos + 1] === QUOTE && pos + 1 < n) {
            esc = 1;
            pos += 2;
            continue;
          }
          e = pos++;
          break;
        }
        if (pos < n && b[pos] !== d && b[pos] !== LF && b[pos] !== CR) {
          return this.#malformed(
            line === this.line
              ? 'text after a closing quote'
              : `unbalanced quote: the quoted field opened on this line closes on line ${line}, followed by text`,
          );
        }
      } else {
        s = pos;
        while (pos < n) {
          const c = b[pos];
          if (c === d || c === LF || c === CR) break;
          if (c === QUOTE) return this.#malformed('a quote inside an unquoted field (quote the whole field and double the quote)');
          if (c > 127) nonAscii = true;
          pos++;
        }
        e = pos;
      }
      this.#push(s, e, esc);
      if (pos < n && b[pos] === d) {
        pos++;
        continue;
      }
      this.rowEnd = pos;
      if (pos < n) {
        pos += b[pos] === CR && b[pos + 1] === LF && pos + 1 < n ? 2 : 1;
        line++;
      }
      break;
    }
    this.nonAscii = nonAscii;
    this.#pos = pos;
    this.#nextLine = line;
    return true;
  }

  /** Mark the row malformed and resume at the physical line after its first one. */
  #malformed(reason: string): boolean {
    const b = this.#b;
    const n = this.#end;
    let p = this.rowStart;
    while (p < n && b[p] !== LF && b[p] !== CR) p++;
    this.rowEnd = p;
    if (p < n) p += b[p] === CR && b[p + 1] === LF && p + 1 < n ? 2 : 1;
    this.#pos = p;
    this.#nextLine = this.line + 1;
    this.error = reason;
    this.count = 0;
    this.nonAscii = false;
    return true;
  }

  #push(s: number, e: number, esc: number): void {
    const i = this.count++;
    if (i === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const bigger = make(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.starts = grow(this.starts, (k) => new Int32Array(k));
      this.ends = grow(this.ends, (k) => new Int32Array(k));
      this.escaped = grow(this.escaped, (k) => new Uint8Array(k));
    }
    this.starts[i] = s;
    this.ends[i] = e;
    this.escaped[i] = esc;
  }
}

/** The bytes of a field with doubled quotes collapsed (`a""b` -> `a"b`). */
export function unescapeQuotes(bytes: Uint8Array, s: number, e: number): Uint8Array {
  const out = new Uint8Array(e - s);
  let k = 0;
  for (let i = s; i < e; i++) {
    out[k++] = bytes[i];
    if (bytes[i] === QUOTE) i++;
  }
  return out.subarray(0, k);
}
