/**
 * JavaScript run inside each template VM before nunjucks loads. QuickJS checks its interrupt
 * handler between bytecode steps and inside regular expressions, but a native method runs to its
 * end: a few are super-linear in their arguments (a substring search is length × needle length,
 * a sort n log n comparisons in C), so one `{{ s.indexOf(t) }}` could outrun the deadline by
 * minutes. Above a small size these methods run as JavaScript here, where the interrupt reaches
 * them; below it they stay native. This is about time, not isolation: the VM holds nothing of the
 * host's to protect.
 *
 * The interrupt handler runs once every 10,000 backward jumps or calls, whatever each costs, so a
 * loop whose body is one big native call (`s.toUpperCase()` of 100 MB) would be checked every
 * 10,000 of those. Native methods whose work grows with their input therefore first spend empty
 * loop steps in proportion to it (one per 128 units of work, up to the 10,001 that always reach a
 * check): a big call meets a deadline check before it starts, and many small ones meet one about
 * as often as a plain loop would.
 */
export const VM_GUARDS = String.raw`(function () {
  'use strict';
  var S = String.prototype, A = Array.prototype, TA = Object.getPrototypeOf(Uint8Array.prototype);
  var nIndexOf = S.indexOf, nLastIndexOf = S.lastIndexOf, nStartsWith = S.startsWith, nIncludes = S.includes;
  var nSplit = S.split, nReplace = S.replace, nReplaceAll = S.replaceAll, nSlice = S.slice;
  var nSort = A.sort, nTaSort = TA.sort;
  // Above this product of haystack and needle lengths a search runs in interruptible steps.
  var BIG = 1 << 20;
  function def(o, k, f) { Object.defineProperty(o, k, { value: f, writable: true, configurable: true, enumerable: false }); }
  function str(v) { if (v === null || v === undefined) throw new TypeError('not an object'); return String(v); }
  function big(h, n) { return typeof n === 'string' && n.length > 8 && h.length * n.length > BIG; }
  // A split of a long text makes one string per piece in one native call: long texts split here.
  function bigSplit(h, n) { return typeof n === 'string' && (big(h, n) || h.length > BIG); }
  function pos(p, len) { p = Math.trunc(Number(p)) || 0; return p < 0 ? 0 : p > len ? len : p; }
  // Each step is one native search for the needle's first character and one prefix compare.
  function find(h, n, from) {
    var c = n.charAt(0), last = h.length - n.length;
    for (var i = from; i <= last; i++) {
      i = nIndexOf.call(h, c, i);
      if (i < 0 || i > last) return -1;
      if (nStartsWith.call(h, n, i)) return i;
    }
    return n.length === 0 && from <= h.length ? from : -1;
  }
  function findLast(h, n, from) {
    var c = n.charAt(0);
    for (var i = Math.min(from, h.length - n.length); i >= 0; i--) {
      i = nLastIndexOf.call(h, c, i);
      if (i < 0) return -1;
      if (nStartsWith.call(h, n, i)) return i;
    }
    return -1;
  }
  function substitute(h, n, i, repl) {
    if (typeof repl === 'function') return String(repl(n, i, h));
    return nReplace.call(String(repl), /\$([$&'\x60])/g, function (m, c) {
      return c === '$' ? '$' : c === '&' ? n : c === "'" ? nSlice.call(h, i + n.length) : nSlice.call(h, 0, i);
    });
  }
  def(S, 'indexOf', function indexOf(n, p) {
    var h = str(this);
    return big(h, n) ? find(h, n, pos(p, h.length)) : nIndexOf.call(h, n, p);
  });
  def(S, 'lastIndexOf', function lastIndexOf(n, p) {
    var h = str(this);
    if (!big(h, n)) return nLastIndexOf.apply(h, arguments);
    var q = Number(p);
    return findLast(h, n, q !== q ? h.length : pos(q, h.length));
  });
  def(S, 'includes', function includes(n, p) {
    var h = str(this);
    return big(h, n) ? find(h, n, pos(p, h.length)) >= 0 : nIncludes.call(h, n, p);
  });
  def(S, 'split', function split(sep, limit) {
    var h = str(this);
    if (!bigSplit(h, sep)) return nSplit.call(h, sep, limit);
    var lim = limit === undefined ? 4294967295 : limit >>> 0, out = [], at = 0, i;
    if (lim === 0) return out;
    if (sep === '') {
      for (i = 0; i < h.length && out.length < lim; i++) out.push(h.charAt(i));
      return out;
    }
    while ((i = find(h, sep, at)) >= 0) {
      out.push(nSlice.call(h, at, i));
      if (out.length >= lim) return out;
      at = i + sep.length;
    }
    out.push(nSlice.call(h, at));
    return out;
  });
  def(S, 'replace', function replace(n, repl) {
    var h = str(this);
    if (!big(h, n)) return nReplace.call(h, n, repl);
    var i = find(h, n, 0);
    return i < 0 ? h : nSlice.call(h, 0, i) + substitute(h, n, i, repl) + nSlice.call(h, i + n.length);
  });
  def(S, 'replaceAll', function replaceAll(n, repl) {
    var h = str(this);
    if (!big(h, n)) return nReplaceAll.call(h, n, repl);
    var out = '', at = 0, i;
    while ((i = find(h, n, at)) >= 0) {
      out += nSlice.call(h, at, i) + substitute(h, n, i, repl);
      at = i + n.length;
    }
    return out + nSlice.call(h, at);
  });
  // A JavaScript comparator makes every comparison a point where the deadline can stop the sort.
  function byString(a, b) { var x = String(a), y = String(b); return x < y ? -1 : x > y ? 1 : 0; }
  function byNumber(a, b) {
    if (a !== a) return b !== b ? 0 : 1;
    if (b !== b) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  def(A, 'sort', function sort(cmp) { return nSort.call(this, cmp === undefined ? byString : cmp); });
  def(TA, 'sort', function sort(cmp) { return nTaSort.call(this, cmp === undefined ? byNumber : cmp); });
  // 10,001 steps always reach a check; more would only delay a call that fails at once.
  function charge(n) { for (var i = Math.min(n / 128, 10001); i > 0; i--) {} }
  function len(v) { return v === null || v === undefined ? 0 : typeof v === 'string' ? v.length : Number(v.length) || 0; }
  function costly(o, k, cost) {
    var f = o[k];
    if (typeof f !== 'function') return;
    def(o, k, { [k]: function () { charge(cost(this, arguments)); return f.apply(this, arguments); } }[k]);
  }
  function own(t) { return len(t); }
  ['toUpperCase', 'toLowerCase', 'toLocaleUpperCase', 'toLocaleLowerCase', 'normalize', 'trim', 'trimStart', 'trimEnd',
    'localeCompare', 'slice', 'substring', 'substr', 'at', 'codePointAt', 'search', 'match', 'matchAll', 'toWellFormed', 'isWellFormed'].forEach(function (k) {
    if (k !== 'at' && k !== 'codePointAt') costly(S, k, own);
  });
  ['split', 'replace', 'replaceAll', 'indexOf', 'lastIndexOf', 'includes'].forEach(function (k) { costly(S, k, own); });
  costly(S, 'repeat', function (t, a) { return len(t) * (Number(a[0]) || 0); });
  costly(S, 'padStart', function (t, a) { return Number(a[0]) || 0; });
  costly(S, 'padEnd', function (t, a) { return Number(a[0]) || 0; });
  costly(S, 'concat', function (t, a) { var n = len(t); for (var i = 0; i < a.length; i++) n += len(String(a[i])); return n; });
  ['join', 'toString', 'toLocaleString', 'fill', 'indexOf', 'lastIndexOf', 'includes', 'slice', 'splice', 'concat', 'reverse',
    'copyWithin', 'flat', 'toReversed', 'toSorted', 'toSpliced', 'with'].forEach(function (k) { costly(A, k, own); });
  ['fill', 'set', 'slice', 'indexOf', 'lastIndexOf', 'includes', 'join', 'reverse', 'copyWithin', 'subarray', 'map', 'filter'].forEach(function (k) { costly(TA, k, own); });
  costly(JSON, 'parse', function (t, a) { return len(a[0]); });
  costly(Array, 'from', function (t, a) { return len(a[0]); });
})();`;
