/**
 * Glob patterns as DuckPond reads them: compiling a pattern into path components and matching a
 * path against it, with captures. Pure: no storage here (the walk is in glob.ts). docs/glob.md
 * specifies the language; tinyfs `utilities::glob` in the Rust DuckPond is the reference.
 */
import { pondError } from '../errors.ts';
import { nfc, normalizePath, splitPath } from './path.ts';

/** One compiled component of a glob: a plain name, a one-component pattern, or `**`. */
export type GlobComponent =
  | { readonly kind: 'literal'; readonly name: string }
  | { readonly kind: 'pattern'; readonly source: string; readonly regex: RegExp; readonly stars: number }
  | { readonly kind: 'globstar'; readonly terminal: boolean };

/** A validated, absolute glob, ready for `glob` and `matchPath`. */
export interface CompiledGlob {
  /** The pattern as the caller wrote it. */
  readonly source: string;
  /** The normalized absolute directory a relative pattern was resolved against. */
  readonly cwd: string;
  /** The normalized absolute pattern (cwd names escaped), for messages and cache keys. */
  readonly pattern: string;
  readonly components: readonly GlobComponent[];
}

const REGEX_SYNTAX = new Set(['\\', '^', '$', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const GLOB_SYNTAX = new Set(['\\', '*', '?', '[', ']', '{', '}']);
// Lazy and confined to one name (names never hold '/'), so each `*` takes as little as it can.
const STAR = '([\\s\\S]*?)';

/**
 * Validate and compile a glob; a relative pattern is resolved against `cwd` (default '/').
 * Malformed patterns (empty, NUL, unbalanced brackets/braces, ...) throw EINVAL naming the pattern.
 * @example compileGlob('*.csv', '/data').pattern === '/data/*.csv'
 */
export function compileGlob(pattern: string, cwd = '/'): CompiledGlob {
  if (typeof pattern !== 'string' || pattern === '') throw pondError('EINVAL', String(pattern), 'empty glob pattern');
  if (pattern.includes('\0')) throw pondError('EINVAL', pattern, 'glob pattern contains a NUL character');
  if (typeof cwd !== 'string' || !cwd.startsWith('/'))
    throw pondError('EINVAL', String(cwd), `working directory of glob ${JSON.stringify(pattern)} must be absolute`);
  const base = normalizePath(cwd);
  // cwd names are taken literally: a directory called 'd[1]' must not turn into a class.
  // Names compare in NFC (docs/format.md): the pattern is normalized here, each name where it is matched.
  const comps: GlobComponent[] = pattern.startsWith('/') ? [] : splitPath(base).map((name) => ({ kind: 'literal', name: nfc(name) }));
  for (const raw of pattern.split('/')) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') {
      const last = comps[comps.length - 1];
      if (last && last.kind !== 'literal') throw pondError('EINVAL', pattern, "'..' may only follow plain names in a glob pattern");
      comps.pop();
      continue;
    }
    const comp = parseComponent(nfc(raw), pattern);
    // `**/**` accepts exactly what `**` accepts and captures the same names: keep one.
    if (comp.kind === 'globstar' && comps[comps.length - 1]?.kind === 'globstar') continue;
    comps.push(comp);
  }
  const last = comps.length - 1;
  const components = comps.map((c, i) => (c.kind === 'globstar' ? { kind: 'globstar' as const, terminal: i === last } : c));
  const text = '/' + components.map((c) => (c.kind === 'literal' ? escapeGlob(c.name) : c.kind === 'pattern' ? c.source : '**')).join('/');
  return Object.freeze({ source: pattern, cwd: base, pattern: text, components: Object.freeze(components) });
}

/**
 * Captures if the absolute (or cwd-relative) `path` matches the glob, else null. Pure: every
 * component but the last is assumed to be a directory.
 * @example matchPath('/logs/*-*.csv', '/logs/2024-01.csv') // ['2024', '01']
 */
export function matchPath(pattern: string | CompiledGlob, path: string): string[] | null {
  const g = typeof pattern === 'string' ? compileGlob(pattern) : pattern;
  return matchComponents(g.components, splitPath(normalizePath(path, g.cwd)).map(nfc));
}

/**
 * Match a name list against compiled components. Where several splits match, the leftmost `**`
 * takes the fewest names, so the captures are a function of (pattern, path) alone.
 */
export function matchComponents(comps: readonly GlobComponent[], names: readonly string[]): string[] | null {
  const failed = new Set<number>(); // (i, j) pairs known not to match; keeps `**/x/**/y` polynomial
  const width = names.length + 1;
  const go = (i: number, j: number): string[] | null => {
    if (i === comps.length) return j === names.length ? [] : null;
    const key = i * width + j;
    if (failed.has(key)) return null;
    const c = comps[i];
    let out: string[] | null = null;
    if (c.kind === 'globstar') {
      if (c.terminal) out = j < names.length ? names.slice(j) : null;
      for (let k = j; !c.terminal && out === null && k < names.length; k++) {
        const rest = go(i + 1, k);
        if (rest) out = [...names.slice(j, k), ...rest];
      }
    } else if (j < names.length) {
      const caps = matchComponent(c, names[j]);
      const rest = caps && go(i + 1, j + 1);
      if (caps && rest) out = [...caps, ...rest];
    }
    if (out === null) failed.add(key);
    return out;
  };
  return go(0, 0);
}

/** What one component captures from one name (already NFC), or null when it does not match. */
export function matchComponent(c: GlobComponent, name: string): string[] | null {
  if (c.kind === 'literal') return name === c.name ? [] : null;
  if (c.kind === 'globstar') return [name];
  const m = c.regex.exec(name);
  return m ? m.slice(1).map((s) => s ?? '') : null;
}

/**
 * Escape glob syntax so that `name` matches only itself.
 * @example escapeGlob('d[1]*') === 'd\\[1\\]\\*'
 */
export function escapeGlob(name: string): string {
  let out = '';
  for (const ch of name) out += GLOB_SYNTAX.has(ch) ? `\\${ch}` : ch;
  return out;
}

function parseComponent(raw: string, pattern: string): GlobComponent {
  if (raw === '**') return { kind: 'globstar', terminal: false };
  const p = new ComponentParser(raw, pattern);
  const { src, literal } = p.sequence(false);
  if (literal !== null) return { kind: 'literal', name: literal };
  return { kind: 'pattern', source: raw, regex: new RegExp(`^${src}$`, 'u'), stars: p.stars };
}

/** Recursive-descent parser of one path component into a regex source. */
class ComponentParser {
  readonly #chars: string[];
  readonly #raw: string;
  readonly #pattern: string;
  #pos = 0;
  stars = 0;

  constructor(raw: string, pattern: string) {
    this.#chars = Array.from(raw); // code points, so '?' and classes see whole characters
    this.#raw = raw;
    this.#pattern = pattern;
  }

  /** Parse up to the end, or (inside braces) up to an unconsumed ',' or '}'. literal is null once any syntax appears. */
  sequence(inBrace: boolean): { src: string; literal: string | null } {
    const chars = this.#chars;
    let src = '';
    let literal: string | null = '';
    let lastStar = false;
    while (this.#pos < chars.length) {
      const ch = chars[this.#pos];
      if (inBrace && (ch === ',' || ch === '}')) break;
      if (ch === '*') {
        if (inBrace) this.#fail("'*' inside braces (the number of captures would vary)");
        // Rust collapses a run of '*' into one wildcard with one capture; so do we.
        if (!lastStar) {
          src += STAR;
          this.stars++;
        }
        literal = null;
        lastStar = true;
        this.#pos++;
        continue;
      }
      lastStar = false;
      if (ch === '\\') {
        if (++this.#pos >= chars.length) this.#fail('trailing backslash');
        const esc = chars[this.#pos++];
        src += regexLiteral(esc);
        if (literal !== null) literal += esc;
      } else if (ch === '?') {
        src += '[\\s\\S]';
        literal = null;
        this.#pos++;
      } else if (ch === '[') {
        src += this.#charClass();
        literal = null;
      } else if (ch === '{') {
        src += this.#braces();
        literal = null;
      } else if (ch === ']' || ch === '}') {
        this.#fail(`unbalanced '${ch}'`);
      } else {
        src += regexLiteral(ch);
        if (literal !== null) literal += ch;
        this.#pos++;
      }
    }
    return { src, literal };
  }

  #braces(): string {
    this.#pos++; // '{'
    const alts: string[] = [];
    for (;;) {
      alts.push(this.sequence(true).src);
      if (this.#pos >= this.#chars.length) this.#fail("unbalanced '{'");
      if (this.#chars[this.#pos++] === '}') return `(?:${alts.join('|')})`;
    }
  }

  #charClass(): string {
    const chars = this.#chars;
    this.#pos++; // '['
    let negate = false;
    if (chars[this.#pos] === '!' || chars[this.#pos] === '^') {
      negate = true;
      this.#pos++;
    }
    let body = '';
    // A ']' right after '[' or '[!' is a member, as in fnmatch.
    for (let first = true; ; first = false) {
      if (this.#pos >= chars.length) this.#fail("unbalanced '['");
      if (chars[this.#pos] === ']' && !first) {
        this.#pos++;
        break;
      }
      const lo = this.#classChar();
      if (chars[this.#pos] === '-' && this.#pos + 1 < chars.length && chars[this.#pos + 1] !== ']') {
        this.#pos++;
        const hi = this.#classChar();
        if (lo.codePointAt(0)! > hi.codePointAt(0)!) this.#fail(`reversed range '${lo}-${hi}'`);
        body += `${codePoint(lo)}-${codePoint(hi)}`;
      } else body += codePoint(lo);
    }
    return `[${negate ? '^' : ''}${body}]`;
  }

  #classChar(): string {
    if (this.#chars[this.#pos] === '\\') {
      if (++this.#pos >= this.#chars.length) this.#fail("unbalanced '['");
    }
    return this.#chars[this.#pos++];
  }

  #fail(reason: string): never {
    throw pondError('EINVAL', this.#pattern, `malformed glob pattern: ${reason} in ${JSON.stringify(this.#raw)}`);
  }
}

function regexLiteral(ch: string): string {
  return REGEX_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

// \u{...} is valid everywhere in a 'u' regex, so class members never need case-by-case escaping.
function codePoint(ch: string): string {
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}
