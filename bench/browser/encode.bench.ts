// UTF-8 encoding of 1 Mi characters of text (template output, JSON configs) in the page and in a worker:
// the built-in TextEncoder against a hand-written loop, to show the JIT's distance from native.
import { suite } from '../lib/index.ts';

function text(chars: number): string {
  const unit = 'DuckPond: Zürich €, 42 °C; ';
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** UTF-8 encode without surrogate pairs beyond the BMP check (enough for this text). */
function manualEncode(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return out.subarray(0, o);
}

suite('UTF-8 encode 1 Mi chars', { where: 'both', iterations: 12 }, (s) => {
  const input = text(1 << 20);
  const enc = new TextEncoder();
  const bytes = enc.encode(input).length;
  s.setup(() => {
    const a = enc.encode(input);
    const b = manualEncode(input);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) throw new Error('manualEncode disagrees with TextEncoder');
  });
  s.baseline('TextEncoder.encode', () => enc.encode(input), { bytes });
  s.bench(
    'TextEncoder.encodeInto (preallocated)',
    (ctx) => {
      const out = new Uint8Array(input.length * 3);
      return ctx.time(() => enc.encodeInto(input, out));
    },
    { bytes, target: { maxRatio: 1 } },
  );
  s.bench('manual loop', () => manualEncode(input), { bytes, memory: true });
});
