// Integrity from the UI: damage done on disk (OPFS) is found by "Check integrity", named by pond
// path, store key and kind; "Repair" keeps the damaged bytes under _lost+found/, commits a version
// without what cannot be read, says which pond paths that changed (also after the next check,
// which is clean), and is not offered for damage it cannot repair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function createPond(page, name) {
  await page.getByLabel('Pond name').fill(name);
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
}

/** Overwrite one object of pond `pond` in OPFS, the way a disk or a buggy tool would. */
async function damage(page, pond, key, text) {
  await page.evaluate(
    async ({ pond, key, text }) => {
      let dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond')).getDirectoryHandle(pond);
      const parts = key.split('/');
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p);
      const out = await (await dir.getFileHandle(parts.at(-1))).createWritable();
      await out.write(typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text));
      await out.close();
    },
    { pond, key, text },
  );
}

test('Check integrity names a damaged data file by pond path; Repair keeps it aside, says what was lost, and the pond is clean', async (t) => {
  const { page, errors } = await openPage(t);
  await createPond(page, 'fragile');
  await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    await api.mkdir('/keep');
    await api.writeFile('/keep/a.txt', new TextEncoder().encode('intact'));
    await api.mkdir('/doomed');
    await api.writeFile('/doomed/b.txt', new TextEncoder().encode('will be damaged'));
  });
  await page.getByRole('button', { name: 'Storage' }).click();
  const integrity = page.getByTestId('integrity');
  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  await integrity.getByText('No problems.').waitFor({ timeout: 30_000 });

  // The newest data file of /doomed's partition: it holds b.txt and the snapshot that names it.
  const damaged = await page.evaluate(async () => {
    const pond = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond')).getDirectoryHandle('fragile');
    let newest = null;
    for await (const [name, handle] of pond.entries()) {
      if (handle.kind !== 'directory' || !name.startsWith('part_id=') || name.endsWith('00000000-0000-7000-8000-000000000000')) continue;
      for await (const [file, fh] of handle.entries()) {
        const f = await fh.getFile();
        if (!newest || f.lastModified > newest.time) newest = { key: `${name}/${file}`, time: f.lastModified };
      }
    }
    return newest.key;
  });
  await damage(page, 'fragile', damaged, 'PAR1 this is not parquet any more PAR1');

  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  const problems = integrity.getByRole('table');
  await problems.getByRole('code').filter({ hasText: damaged }).waitFor({ timeout: 30_000 });
  await problems.getByText('bad-parquet').waitFor();
  // Named by pond path too, and by the commit that wrote it (which names the file in it).
  await problems.locator('.pond-path', { hasText: /^\/doomed$/ }).waitFor();
  await problems.getByText(/write \/doomed\/b\.txt/).waitFor();
  await problems.getByText('Repair can fix this.').waitFor();

  page.once('dialog', (d) => void d.accept());
  await integrity.getByRole('button', { name: 'Repair…' }).click();
  await integrity
    .getByText(/repaired in version/)
    .first()
    .waitFor({ timeout: 30_000 });
  await problems.getByText(new RegExp(`bytes kept at _lost\\+found/${escape(damaged)}`)).waitFor();
  await problems.getByText(/\/doomed lists as of commit \d+/).waitFor();
  assert.equal(await integrity.getByRole('button', { name: 'Repair…' }).count(), 0);

  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  await integrity.getByText('No problems.').waitFor({ timeout: 30_000 });
  // The clean check does not hide what the repair took out.
  const last = page.getByTestId('last-repair');
  await last.getByText(/Last repair, version \d+/).waitFor();
  await last.getByText(/write \/doomed\/b\.txt/).waitFor();
  await last.getByText(/\/doomed lists as of commit/).waitFor();

  const state = await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    return {
      kept: new TextDecoder().decode(await api.readFile('/keep/a.txt')),
      doomed: (await api.readdir('/doomed')).map((e) => e.name),
    };
  });
  assert.deepEqual(state, { kept: 'intact', doomed: [] });
  assert.deepEqual(errors, []);
});

test('one large body shared by two files: one problem naming both; Repair removes both and says so; a damaged commit is not offered a Repair', async (t) => {
  const { page, errors } = await openPage(t);
  await createPond(page, 'shared');
  const key = await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    await api.mkdir('/a');
    await api.mkdir('/b');
    await api.writeFile('/a/keep.txt', new TextEncoder().encode('intact'));
    await api.writeFile('/a/one.bin', big);
    await api.writeFile('/b/two.bin', big);
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', big))].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `_large_files/sha256=${hash}`;
  });
  await damage(page, 'shared', key, [...new Uint8Array(100_000).fill(1)]);

  await page.getByRole('button', { name: 'Storage' }).click();
  const integrity = page.getByTestId('integrity');
  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  const problems = integrity.getByRole('table');
  await problems.getByRole('code').filter({ hasText: key }).waitFor({ timeout: 30_000 });
  assert.equal(await problems.locator('tbody tr').count(), 1);
  await problems.getByText('hash-mismatch').waitFor();
  await problems.locator('.pond-path', { hasText: '/a/one.bin' }).waitFor();
  await problems.locator('.pond-path', { hasText: '/b/two.bin' }).waitFor();

  page.once('dialog', (d) => void d.accept());
  await integrity.getByRole('button', { name: 'Repair…' }).click();
  await problems.getByText(/\/a\/one\.bin removed from \/a/).waitFor({ timeout: 30_000 });
  await problems.getByText(/\/b\/two\.bin removed from \/b/).waitFor();
  await problems.getByText(new RegExp(`bytes kept at _lost\\+found/${escape(key)}`)).waitFor();
  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  await integrity.getByText('No problems.').waitFor({ timeout: 30_000 });
  await page
    .getByTestId('last-repair')
    .getByText(/\/a\/one\.bin removed from \/a/)
    .waitFor();
  const left = await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    return {
      a: (await api.readdir('/a')).map((e) => e.name),
      b: (await api.readdir('/b')).map((e) => e.name),
      kept: new TextDecoder().decode(await api.readFile('/a/keep.txt')),
    };
  });
  assert.deepEqual(left, { a: ['keep.txt'], b: [], kept: 'intact' });

  // An older commit damaged: reported with what to do instead, and no Repair button.
  await damage(page, 'shared', '_delta_log/00000000000000000001.json', 'not a commit\n');
  await integrity.getByRole('button', { name: 'Check integrity' }).click();
  await integrity.getByText('bad-commit').waitFor({ timeout: 30_000 });
  await integrity.getByText('Cannot be repaired automatically.').waitFor();
  await integrity.getByText(/Export the pond/).waitFor();
  assert.equal(await integrity.getByRole('button', { name: 'Repair…' }).count(), 0);
  assert.deepEqual(errors, []);
});
