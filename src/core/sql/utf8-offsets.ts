/** UTF-8 length of the code point starting at `s[i]`, and how many UTF-16 units it spans. */
function codePointAt(s: string, i: number): { bytes: number; units: number } {
  const c = s.charCodeAt(i);
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return { bytes: 4, units: 2 };
  }
  // Other BMP characters, and lone surrogates (TextEncoder writes U+FFFD, 3 bytes).
  return { bytes: 3, units: 1 };
}

/**
 * String indexes of ascending UTF-8 byte offsets into `s` (DuckDB's tokenizer counts bytes, JS
 * strings count UTF-16 units). An offset inside a character maps to that character's start; one
 * past the end maps to `s.length`.
 */
export function byteOffsetsToIndexes(s: string, byteOffsets: ArrayLike<number>): number[] {
  const out: number[] = [];
  let index = 0;
  let bytes = 0;
  for (let k = 0; k < byteOffsets.length; k++) {
    const target = byteOffsets[k];
    while (index < s.length) {
      const cp = codePointAt(s, index);
      if (bytes + cp.bytes > target) break;
      bytes += cp.bytes;
      index += cp.units;
    }
    out.push(index);
  }
  return out;
}
