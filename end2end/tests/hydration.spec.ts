import { expect, test } from './fixtures';

test('the server renders the page before any script runs', async ({ page, browserName }, testInfo) => {
  test.skip(testInfo.project.name !== 'no-js', 'checks the HTML alone');
  const response = await page.goto('/login');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Log in');
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByLabel('Email')).toBeVisible();
  expect(browserName).toBe('chromium');
});

test('the page hydrates: a form checks its input in place, without a page load', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'hydrated', 'needs JavaScript');
  await page.goto('/login');
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  // A marker on window survives only as long as the page does.
  await page.evaluate(() => ((window as any).__stillTheSamePage = true));
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter your email address.');
  expect(await page.evaluate(() => (window as any).__stillTheSamePage)).toBe(true);
  expect(requests.filter((url) => url.includes('/api/'))).toEqual([]);
});

test('an unknown address shows the not-found page with status 404', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
