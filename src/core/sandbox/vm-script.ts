/**
 * The template side of a render, run inside the VM after nunjucks loaded. It reads its request
 * from `__request` (JSON) and its one bridge to the host, `__host(name, argsJson) → answerJson`,
 * then removes both from the global object. `__render()` runs one pass: the output string, or
 * null with `__failure` (JSON) saying what went wrong. Pond data is answered by the host from
 * what earlier passes loaded, or with a placeholder while it loads (see template-render.ts).
 */
export const VM_SCRIPT = String.raw`(function (g) {
  'use strict';
  var nunjucks = g.nunjucks, host = g.__host, request = g.__request;
  delete g.__host;
  delete g.__request;
  var req = JSON.parse(request);
  // A leading comment with a newline shifts every line by one, so nunjucks' zero-based runtime
  // line numbers come out one-based (and non-zero: it omits a location on line 0).
  var SHIFT = '{#\n#}';
  var fatal = null, limit = null;
  function ask(name, args) {
    var text = JSON.stringify(args === undefined ? [] : args);
    // Arguments are paths, SQL and table maps: a bigger one is only a way to load the host.
    if (text.length > req.maxArgChars) throw tooBig(name + '() arguments are over ' + req.maxArgChars + ' characters');
    var a = JSON.parse(host(name, text));
    if (a.error !== undefined) throw new Error(a.error);
    return a;
  }
  function tooBig(message) {
    limit = { code: 'ETOOBIG', message: message };
    return new Error('ETOOBIG: ' + message);
  }
  function range(start, stop, step) {
    var from = stop === undefined ? 0 : Number(start), to = stop === undefined ? Number(start) : Number(stop);
    var by = Number(step === undefined ? 1 : step) || 1;
    if (!isFinite(from) || !isFinite(to)) throw tooBig('range() needs finite bounds');
    var n = Math.max(0, Math.ceil((to - from) / by));
    if (n > req.maxRange) throw tooBig('range() of ' + n + ' numbers is over the ' + req.maxRange + ' limit');
    var out = [];
    for (var i = 0, v = from; i < n; i++, v += by) out.push(v);
    return out;
  }
  function csvCell(v) {
    var s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function makeEnvironment() {
    var env;
    var loader = {
      isRelative: function (name) { return String(name).charAt(0) !== '/'; },
      resolve: function (from, to) { return ask('resolve', [from, to]).value; },
      getSource: function (name) {
        var a = ask('template', [name]);
        if (a.missing) return null;
        // Not loaded yet: an empty template this pass, the real one next pass.
        if (a.pending) return { src: SHIFT, path: a.path, noCache: true };
        // Nunjucks reports an included template's syntax error asynchronously, after a synchronous
        // render has returned; compiling here turns it into an ordinary error of this render.
        try {
          new nunjucks.Template(SHIFT + a.value, env, a.path, true);
        } catch (e) {
          if (!fatal) fatal = { message: String(e && e.message), template: a.path };
          throw e;
        }
        // A loaded template never changes during a render: nunjucks may keep it compiled, so a
        // template that includes itself recurses into the stack limit instead of compiling anew
        // at every level (which took seconds to unwind).
        return { src: SHIFT + a.value, path: a.path, noCache: false };
      },
    };
    env = new nunjucks.Environment(loader, { autoescape: req.autoescape, throwOnUndefined: false });
    env.addGlobal('table', function (path) { return ask('table', [path]).value; });
    env.addGlobal('query', function (sql, tables) { return ask('query', [sql, tables === undefined || tables === null ? {} : tables]).value; });
    env.addGlobal('glob', function (pattern) { return ask('glob', [pattern]).value; });
    env.addGlobal('read', function (path) { return ask('read', [path]).value; });
    env.addGlobal('range', range);
    env.addFilter('json', function (v, indent) { return JSON.stringify(v, null, indent); });
    env.addFilter('csv', function (v) { return Array.isArray(v) ? v.map(csvCell).join(',') : csvCell(v); });
    env.addFilter('isodate', function (v) { return typeof v === 'number' ? new Date(v).toISOString() : v; });
    return env;
  }
  // Compiled once per render: later passes differ only in what the pond reads answer.
  var root = null;
  g.__render = function () {
    fatal = null;
    limit = null;
    try {
      root = root || new nunjucks.Template(SHIFT + req.source, makeEnvironment(), req.name, true);
      var vars = JSON.parse(req.variables);
      vars.node = req.node;
      return root.render(vars);
    } catch (e) {
      g.__failure = JSON.stringify({ message: String(e && e.message !== undefined ? e.message : e), fatal: fatal, limit: limit });
      return null;
    }
  };
})(globalThis);`;
