import { expect, test } from './fixtures';
import { signedUp } from './helpers';

test('export downloads the tasks, and an import adds them back all at once', async ({ page }) => {
  await signedUp(page);
  for (const title of ['Alpha', 'Beta']) {
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('link', { name: title })).toBeVisible();
  }
  await page.goto('/account');
  const data = page.getByRole('region', { name: 'Your data' });
  const download = page.waitForEvent('download');
  await data.getByRole('link', { name: 'JSON' }).click();
  const file = await (await download).path();

  await data.getByLabel(/Tasks file/).setInputFiles(file);
  await data.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('region', { name: 'Your data' }).getByRole('status')).toHaveText('Imported 2 tasks.');
  await page.goto('/');
  await expect(page.getByText('4 items left')).toBeVisible();
});

test('a bad import names the row and adds nothing', async ({ page }) => {
  await signedUp(page);
  await page.goto('/account');
  const data = page.getByRole('region', { name: 'Your data' });
  await data.getByLabel(/Tasks file/).setInputFiles({
    name: 'tasks.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ tasks: [{ title: 'ok' }, { title: '   ' }] })),
  });
  await data.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('region', { name: 'Your data' }).getByRole('alert')).toContainText('Row 2');
  await page.goto('/');
  await expect(page.getByText('No tasks yet')).toBeVisible();
});
