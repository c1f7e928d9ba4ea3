// Hostile content cannot run script in the app's origin. Payloads are planted where a shared pond
// could carry them — a template's output (markdown and html), a file and a folder name, CSV cells
// (as a table and as text), a factory config — then every view of them is opened, planted links
// are clicked, and nothing may have executed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

const SCRIPT = '<script>window.__pwned=1</script>';
const ONERROR = '<img src=x onerror="window.__pwned=2">';
const JS_LINK = '<a href="javascript:window.__pwned=3">click me</a>';
const SVG = '<svg onload=window.__pwned=4>';

test('script planted in template output, names, CSV cells and configs never runs', async (t) => {
  const { page, errors } = await openPage(t);
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.getByLabel('Pond name').fill('hostile');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();

  const planted = { SCRIPT, ONERROR, JS_LINK, SVG };
  await page.evaluate(async (p) => {
    const api = globalThis.duckpond.api;
    const enc = (s) => new TextEncoder().encode(s);
    const all = `${p.SCRIPT} ${p.ONERROR} ${p.JS_LINK} ${p.SVG}`;
    await api.mkdir(`/${p.ONERROR.replace(/\//g, '')}`);
    await api.writeFile(`/${p.SVG} notes.txt`, enc(`plain text: ${all}`));
    await api.writeFile('/raw.csv', enc(`name,comment\n"${p.SCRIPT}","${p.ONERROR.replace(/"/g, '""')}"\nlink,"${p.JS_LINK.replace(/"/g, '""')}"\n`));
    await api.importFiles('/', [{ name: 'cells.csv', data: enc(`name,comment\n"${p.SCRIPT}","${p.ONERROR.replace(/"/g, '""')}"\n"${p.SVG}",x\n`) }]);
    await api.mknod(
      '/report.md',
      'template',
      JSON.stringify({ output_format: 'markdown', template: `# Report\n\n${all}\n\n[markdown link](javascript:window.__pwned=5)\n` }),
    );
    await api.mknod(
      '/report.html',
      'template',
      JSON.stringify({ output_format: 'html', template: `<h1>Report</h1>{{ "${p.SCRIPT.replace(/"/g, '\\"')}" }}${all}` }),
    );
    await api.mknod(
      '/evil-query',
      'sql_query',
      JSON.stringify({ query: `SELECT '${p.ONERROR.replace(/'/g, "''")}' AS "${p.SCRIPT}", '${p.JS_LINK.replace(/'/g, "''")}' AS link` }),
    );
  }, planted);

  const open = async (path) => {
    await page.evaluate((p) => {
      location.hash = `#/hostile${p.split('/').map(encodeURIComponent).join('/')}`;
    }, path);
  };
  const pwned = () => page.evaluate(() => globalThis.__pwned);

  // (a) template output: markdown is sanitized (the javascript: link loses its href), html sits in a sandbox.
  await open('/report.md');
  await page.getByRole('heading', { name: 'Report' }).waitFor({ timeout: 30_000 });
  for (const name of ['click me', 'markdown link']) {
    const link = page.getByText(name, { exact: true }).first();
    if (await link.count()) await link.click({ timeout: 5000 }).catch(() => {});
  }
  assert.equal(await pwned(), undefined, 'markdown view');
  await open('/report.html');
  const frame = page.getByTestId('html-view');
  await frame.waitFor({ timeout: 30_000 });
  assert.equal(await frame.getAttribute('sandbox'), '', 'no allow-scripts, no same-origin');
  const inner = page.frameLocator('[data-testid=html-view]');
  await inner.getByRole('heading', { name: 'Report' }).waitFor();
  await inner
    .getByText('click me')
    .click({ timeout: 5000 })
    .catch(() => {});
  // The escaped value shows as text inside the frame (autoescape), and the frame's window is not ours.
  await inner.getByText(SCRIPT, { exact: false }).first().waitFor();
  assert.equal(await pwned(), undefined, 'html view');

  // (b) names: in the tree, the listing, breadcrumbs and the inspector they are text.
  await open('/');
  await page.getByRole('treeitem', { name: ONERROR.replace(/\//g, '') }).waitFor({ timeout: 20_000 });
  await page.getByRole('treeitem', { name: `${SVG} notes.txt` }).click();
  await page.getByText(`plain text: ${SCRIPT}`, { exact: false }).first().waitFor({ timeout: 20_000 });
  assert.equal(await pwned(), undefined, 'names and text view');

  // (c) CSV cells: the imported table in the grid, and the raw CSV as a CSV view.
  await open('/cells');
  await page.getByRole('gridcell', { name: SCRIPT }).waitFor({ timeout: 30_000 });
  await open('/raw.csv');
  await page.getByText(SCRIPT).first().waitFor({ timeout: 20_000 });
  assert.equal(await pwned(), undefined, 'csv views');

  // (d) a config: the Inspector shows the YAML as text; the query's result columns are text too.
  await open('/evil-query');
  await page
    .getByText(/SELECT '<img src=x onerror/)
    .first()
    .waitFor({ timeout: 30_000 });
  await page.getByRole('columnheader', { name: SCRIPT }).first().waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Edit config…' }).click();
  const editor = page.getByRole('dialog').getByLabel('Config (YAML or JSON)');
  await editor.waitFor();
  assert.match(await editor.inputValue().catch(() => editor.textContent()), /onerror/);
  await page.keyboard.press('Escape');

  assert.equal(await pwned(), undefined, 'nothing ran anywhere');
  assert.deepEqual(dialogs, []);
  assert.ok(page.url().includes('#/hostile'), `still on the app: ${page.url()}`);
  // What the console shows is the browser refusing: the CSP (inline handlers, javascript: URLs) and
  // the sandbox (scripts in the srcdoc frame). Those reports prove the payloads were tried and
  // stopped; anything else is an error of the app.
  const refused =
    /violates the following Content Security Policy directive 'script-src 'self''|Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
  assert.deepEqual(
    errors.filter((e) => !refused.test(e) && !/\/x$/.test(e)),
    [],
  );
  assert.ok(
    errors.some((e) => refused.test(e)),
    'the planted script reached the browser and was refused',
  );
});
