// Two tabs on one pond: a change in one shows up in the other without a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot } from './helpers.mjs';

test('a folder created in one tab appears in the other', async (t) => {
  const { page: a, context, errors } = await openPage(t);
  await a.getByLabel('Pond name').fill('shared');
  await a.getByRole('button', { name: 'Create pond' }).click();
  await a.getByText('This pond is empty').first().waitFor();

  const b = await context.newPage();
  await b.goto(a.url());
  await b.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });

  await a.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await a.getByRole('dialog').getByLabel('Name').fill('from-tab-a');
  await a.getByRole('button', { name: 'Create folder' }).click();
  await a.getByRole('treeitem', { name: 'from-tab-a' }).waitFor();

  await b.getByRole('treeitem', { name: 'from-tab-a' }).waitFor({ timeout: 10_000 });
  await b.getByText(/Another tab changed this pond/).waitFor();
  await screenshot(b, 'app-tabs--second-tab-updated');
  assert.deepEqual(errors, []);
});
