// Integrity from the UI: a data file damaged on disk (OPFS) is found by "Check integrity", named
// by path and kind; "Repair" keeps its bytes aside, commits its removal, and the pond is clean again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

test('Check integrity names a damaged file; Repair keeps it aside and the pond is clean', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByLabel('Pond name').fill('fragile');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
  await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    await api.mkdir('/keep');
    await api.writeFile('/keep/a.txt', new TextEncoder().encode('intact'));
    await api.mkdir('/doomed');
    await api.writeFile('/doomed/b.txt', new TextEncoder().encode('will be damaged'));
  });
  await page.getByRole('button', { name: 'Storage' }).click();
  await page.getByRole('button', { name: 'Check integrity' }).click();
  await page.getByText('No problems.').waitFor({ timeout: 30_000 });

  // Damage the newest data file of /doomed's partition, the way a disk or a buggy tool would.
  const damaged = await page.evaluate(async () => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond');
    const pond = await root.getDirectoryHandle('fragile');
    let newest = null;
    for await (const [name, handle] of pond.entries()) {
      if (handle.kind !== 'directory' || !name.startsWith('part_id=') || name.endsWith('00000000-0000-7000-8000-000000000000')) continue;
      for await (const [file, fh] of handle.entries()) {
        const f = await fh.getFile();
        if (!newest || f.lastModified > newest.time) newest = { key: `${name}/${file}`, handle: fh, time: f.lastModified };
      }
    }
    const out = await newest.handle.createWritable();
    await out.write(new TextEncoder().encode('PAR1 this is not parquet any more PAR1'));
    await out.close();
    return newest.key;
  });

  await page.getByRole('button', { name: 'Check integrity' }).click();
  const problems = page.getByTestId('integrity').getByRole('table');
  await problems.getByRole('code').filter({ hasText: damaged }).waitFor({ timeout: 30_000 });
  await problems.getByText('bad-parquet').waitFor();

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Repair…' }).click();
  await page.getByText(/repaired in version/).waitFor({ timeout: 30_000 });
  await page.getByText(new RegExp(`bytes kept at _lost\\+found/${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).waitFor();
  await page.getByRole('button', { name: 'Check integrity' }).click();
  await page.getByText('No problems.').waitFor({ timeout: 30_000 });
  // What was intact is still there.
  const kept = await page.evaluate(async () => new TextDecoder().decode(await globalThis.duckpond.api.readFile('/keep/a.txt')));
  assert.equal(kept, 'intact');
  assert.deepEqual(errors, []);
});
