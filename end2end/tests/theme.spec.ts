import { expect, test } from './fixtures';
import { signedUp } from './helpers';

const DARK_BACKGROUND = 'rgb(18, 21, 28)';
const LIGHT_BACKGROUND = 'rgb(246, 247, 251)';

/** Picks `label`: "Apply theme" without JavaScript; with it, applied at once and
 * saved in the background, with no button to press. */
async function choose(page: import('./fixtures').Page, label: string, project: string) {
  if (project === 'no-js') {
    await page.getByLabel('Theme').selectOption({ label });
    await page.getByRole('button', { name: 'Apply theme' }).click();
    return;
  }
  await expect(page.getByRole('button', { name: 'Apply theme' })).toBeHidden();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/theme') && r.ok());
  await page.getByLabel('Theme').selectOption({ label });
  await saved;
}

const background = (page: import('./fixtures').Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('the theme follows the system until one is chosen, and the choice is remembered', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/login');
  const theme = page.getByLabel('Theme');
  await expect(theme).toHaveValue('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');

  await choose(page, 'Light', testInfo.project.name);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page).toHaveURL(/\/login$/);

  // The server renders the choice from the first byte, on every page.
  await signedUp(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.getByLabel('Theme')).toHaveValue('light');
  if (testInfo.project.name === 'hydrated') {
    expect(await background(page)).toBe(LIGHT_BACKGROUND);
  }
});

test('choosing Dark on a page keeps the person where they were', async ({ page }, testInfo) => {
  await signedUp(page);
  await page.goto('/?filter=active');
  await choose(page, 'Dark', testInfo.project.name);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page).toHaveURL(/\/\?filter=active$/);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  if (testInfo.project.name === 'hydrated') {
    expect(await background(page)).toBe(DARK_BACKGROUND);
  }
});
