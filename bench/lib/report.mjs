// Text rendering of suite results (bench/lib/types.ts shapes) for bench/run.mjs. Pure functions.

/** 3 significant digits in the unit that fits: ns, µs, ms, s. */
export function formatMs(ms) {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const [v, unit] = ms < 1e-3 ? [ms * 1e6, 'ns'] : ms < 1 ? [ms * 1e3, 'µs'] : ms < 1000 ? [ms, 'ms'] : [ms / 1000, 's'];
  return `${sig(v)} ${unit}`;
}

function sig(v) {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function formatMiB(bytes) {
  return bytes === undefined || !Number.isFinite(bytes) ? '–' : `${sig(bytes / 1048576)} MiB`;
}

function ratioNumber(r) {
  return r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
}

function formatRatio(r) {
  return r === undefined || !Number.isFinite(r) ? '–' : `${ratioNumber(r)}×`;
}

function formatValue(v, unit) {
  if (v === undefined) return '–';
  const s = Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : sig(v);
  return unit ? `${s} ${unit}` : s;
}

/** Columns: [header, align ('l'|'r'), cells]. Drops columns whose cells are all empty. */
function table(columns, indent = '  ') {
  const cols = columns.filter((c) => c.cells.some((x) => x !== ''));
  const widths = cols.map((c) => Math.max(c.header.length, ...c.cells.map((x) => x.length)));
  const rows = [cols.map((c) => c.header), ...cols[0].cells.map((_, i) => cols.map((c) => c.cells[i]))];
  return rows.map(
    (r) =>
      indent +
      r
        .map((x, j) => (cols[j].align === 'r' ? x.padStart(widths[j]) : x.padEnd(widths[j])))
        .join('  ')
        .trimEnd(),
  );
}

function firstLines(text, n) {
  const lines = String(text).split('\n');
  return lines.slice(0, n).join('\n      ') + (lines.length > n ? ' …' : '');
}

/** One suite: a header line, the case table, the metric table and any errors. */
export function formatSuite(s) {
  const out = [];
  const measured = s.cases.some((x) => x.samples > 0);
  const rounds = measured ? `${s.rounds} rounds (+${s.warmup} warmup)` : s.error ? 'failed' : s.cases.length ? 'no samples' : 'metrics only';
  out.push(`▸ ${s.name} — ${s.side} · ${s.file} · ${rounds} · ${(s.elapsedMs / 1000).toFixed(1)} s`);
  if (measured) {
    const baselines = s.cases.filter((c) => c.kind === 'baseline');
    const showVs = baselines.length > 1;
    const c = s.cases;
    out.push(
      ...table([
        { header: 'case', align: 'l', cells: c.map((x) => (x.kind === 'baseline' ? `${x.name} (baseline)` : x.name)) },
        { header: 'median', align: 'r', cells: c.map((x) => formatMs(x.medianMs)) },
        { header: 'p10', align: 'r', cells: c.map((x) => formatMs(x.p10Ms)) },
        { header: 'p90', align: 'r', cells: c.map((x) => formatMs(x.p90Ms)) },
        { header: 'n', align: 'r', cells: c.map((x) => (x.batch > 1 ? `${x.samples}×${x.batch}` : String(x.samples))) },
        { header: 'MB/s', align: 'r', cells: c.map((x) => (x.mbPerSec === undefined ? '' : x.mbPerSec.toFixed(0))) },
        { header: 'peak Δ', align: 'r', cells: c.map((x) => (x.peakMemDeltaBytes === undefined ? '' : formatMiB(x.peakMemDeltaBytes))) },
        { header: 'ratio', align: 'r', cells: c.map((x) => (x.kind === 'baseline' ? '1' : formatRatio(x.ratio))) },
        { header: 'ratio p10–p90', align: 'r', cells: c.map((x) => (x.ratioP10 === undefined ? '' : `${ratioNumber(x.ratioP10)}–${ratioNumber(x.ratioP90)}`)) },
        { header: 'target', align: 'l', cells: c.map((x) => (x.target ? `≤${x.target.maxRatio} ${x.verdict ?? '–'}` : '')) },
        { header: 'vs', align: 'l', cells: c.map((x) => (showVs && x.vs ? x.vs : '')) },
      ]),
    );
  }
  if (s.metrics.some((x) => !x.error)) {
    const m = s.metrics;
    const target = (x) => {
      if (!x.target) return '';
      const parts = [];
      if (x.target.max !== undefined) parts.push(`≤${x.target.max}${x.unit ? ` ${x.unit}` : ''}`);
      if (x.target.maxRatio !== undefined) parts.push(`ratio ≤${x.target.maxRatio}`);
      return `${parts.join(', ')} ${x.verdict ?? '–'}`;
    };
    out.push(
      ...table([
        { header: 'metric', align: 'l', cells: m.map((x) => x.name) },
        { header: 'value', align: 'r', cells: m.map((x) => formatValue(x.value, x.unit)) },
        { header: 'ratio', align: 'r', cells: m.map((x) => (x.vs ? formatRatio(x.ratio) : '')) },
        { header: 'vs', align: 'l', cells: m.map((x) => x.vs ?? '') },
        { header: 'target', align: 'l', cells: m.map(target) },
      ]),
    );
  }
  for (const x of s.cases) if (x.error) out.push(`  ✗ ${x.name}: ${firstLines(x.error, 4)}`);
  for (const x of s.metrics) if (x.error) out.push(`  ✗ ${x.name}: ${firstLines(x.error, 4)}`);
  if (s.error) out.push(`  ✗ ${firstLines(s.error, 6)}`);
  const mem = s.cases.find((x) => x.memSource)?.memSource;
  if (mem) out.push(`  peak Δ: most memory a sample added above its start, ${mem}`);
  return out.join('\n');
}

/** Counts for the summary line and the exit code. */
export function tally(suites) {
  const t = { suites: suites.length, cases: 0, pass: 0, over: 0, errors: 0 };
  for (const s of suites) {
    if (s.error) t.errors++;
    for (const x of [...s.cases, ...s.metrics]) {
      if ('kind' in x) t.cases++;
      if (x.error) t.errors++;
      if (x.verdict === 'PASS') t.pass++;
      if (x.verdict === 'OVER') t.over++;
    }
  }
  return t;
}
