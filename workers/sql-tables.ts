/**
 * Which bound table names a SQL text mentions, found by scanning its identifiers (DuckDB need not
 * be loaded): words inside string literals, comments and dollar-quoted text do not count, quoted
 * identifiers do. DuckDB compares identifiers without regard to case, quoted or not, and so does
 * this. It may keep a name the query uses only as a column or alias: keeping an unused binding is
 * harmless, dropping a used one would break the query.
 */

/** The names of `names` that occur as identifiers in `sql` (in the order of `names`). */
export function tablesUsed(sql: string, names: readonly string[]): string[] {
  const words = identifiers(sql);
  return names.filter((n) => words.has(n.toLowerCase()));
}

/** Every identifier of `sql`, lower-cased. */
export function identifiers(sql: string): Set<string> {
  const out = new Set<string>();
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      // Block comments nest, as in PostgreSQL and DuckDB.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'") {
      i = skipString(sql, i, false);
    } else if ((c === 'e' || c === 'E') && next === "'") {
      i = skipString(sql, i + 1, true);
    } else if (c === '"') {
      let j = i + 1;
      let name = '';
      while (j < n) {
        if (sql[j] === '"') {
          if (sql[j + 1] !== '"') break;
          name += '"';
          j += 2;
        } else name += sql[j++];
      }
      out.add(name.toLowerCase());
      i = j + 1;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && dollarTag(sql, i) !== null) {
      const tag = dollarTag(sql, i)!;
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(next ?? ''))) {
      const m = /^(?:0x[0-9a-f_]+|0b[01_]+|[\d_]*\.?[\d_]+(?:e[+-]?\d+)?)/i.exec(sql.slice(i, i + 64));
      i += Math.max(1, m?.[0].length ?? 1);
    } else if (/[\p{L}_]/u.test(c)) {
      let j = i + 1;
      while (j < n && /[\p{L}\p{N}_$]/u.test(sql[j])) j++;
      out.add(sql.slice(i, j).toLowerCase());
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

/** The index after the string literal opening at `start` ('' doubles a quote; `backslash` for E'…'). */
function skipString(sql: string, start: number, backslash: boolean): number {
  let j = start + 1;
  while (j < sql.length) {
    const ch = sql[j];
    if (backslash && ch === '\\') j += 2;
    else if (ch === "'") {
      if (sql[j + 1] === "'") j += 2;
      else return j + 1;
    } else j++;
  }
  return sql.length;
}

/** `$tag$` or `$$` opening at `start`, or null. */
function dollarTag(sql: string, start: number): string | null {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start, start + 66));
  return m ? m[0] : null;
}
