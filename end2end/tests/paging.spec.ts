import { expect, test } from './fixtures';
import { signedUp } from './helpers';

test('pages of 50 with next and previous links that survive reload', async ({ page }) => {
  await signedUp(page);
  // Create 55 tasks through the app's own server function, as the form would.
  for (let i = 1; i <= 55; i++) {
    const response = await page.request.post('/api/tasks/create', {
      form: { title: `Task ${i}`, description: '' },
      headers: { Accept: 'application/json', Origin: new URL(page.url()).origin },
    });
    expect(response.ok()).toBeTruthy();
  }
  await page.goto('/');
  const items = page.getByRole('list', { name: 'Tasks' }).getByRole('listitem');
  await expect(items).toHaveCount(50);
  await expect(items.first()).toContainText('Task 55');
  await expect(page.getByRole('link', { name: 'Previous page' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/after=\d+/);
  await expect(items).toHaveCount(5);
  await expect(items.first()).toContainText('Task 5');
  await page.reload();
  await expect(items).toHaveCount(5);
  await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Previous page' }).click();
  await expect(items).toHaveCount(50);
  await expect(items.first()).toContainText('Task 55');
  await expect(page.getByText('55 items left')).toBeVisible();
});
