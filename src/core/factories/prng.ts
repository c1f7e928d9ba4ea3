/**
 * A seeded random source that gives the same numbers on every engine and machine: sfc32 over
 * 32-bit integer arithmetic, and only IEEE-exact operations (+ - * / sqrt) on top of it.
 * Math.log/cos are not specified to the last bit, so the logarithm here is our own.
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** A generator for `seed` and a stream name (e.g. a column), so adding a column changes no other. */
  constructor(seed: number | string, stream = '') {
    [this.#a, this.#b, this.#c, this.#d] = hash128(`${typeof seed}:${seed}\u0000${stream}`);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next 32-bit unsigned integer (sfc32). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal deviate (Marsaglia's polar method: needs only sqrt and our log). */
  normal(): number {
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return u * Math.sqrt((-2 * ln(s)) / s);
    }
  }

  /** Exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -mean * ln(1 - this.next());
  }
}

/** A fresh seed from the platform's entropy (for configs without a seed). */
export function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0];
}

const LN2 = 0.6931471805599453;

/**
 * Natural logarithm with + - * / only, so it is bit-identical everywhere: x = m·2^e with m in
 * [1, 2) read from the float's bits, then ln m = 2·atanh((m-1)/(m+1)) by its series.
 */
export function ln(x: number): number {
  if (!(x > 0)) return x === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return x;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let exp = ((view.getUint16(0) >>> 4) & 0x7ff) - 1023;
  if (exp === -1023) {
    // Subnormal: scale into the normal range first (exact, a power of two).
    view.setFloat64(0, x * 18014398509481984); // 2^54
    exp = ((view.getUint16(0) >>> 4) & 0x7ff) - 1023 - 54;
  }
  view.setUint16(0, (view.getUint16(0) & 0x800f) | (1023 << 4));
  let m = view.getFloat64(0);
  // Centre m on 1 (m in [0.75, 1.5)) so the series converges in few terms.
  if (m > 1.5) {
    m /= 2;
    exp += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let k = 1; k < 60; k += 2) {
    const add = term / k;
    sum += add;
    if (Math.abs(add) < 1e-18) break;
    term *= s2;
  }
  return 2 * sum + exp * LN2;
}

/** 128 bits of a string's hash (cyrb128): four 32-bit words to seed sfc32. */
function hash128(str: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
