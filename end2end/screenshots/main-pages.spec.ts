import { expect, test, type Page } from '@playwright/test';
import { signUp, uniqueEmail } from '../tests/helpers';

const OUT = '../docs/screenshots';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

const TASKS: [string, string][] = [
  ['Book the dentist', ''],
  ['Renew passport', 'Photos from the booth on Main St. count'],
  ['Buy milk and bread', 'Oat milk, two litres'],
  ['Call Grandma', ''],
  ['Prepare the quarterly report', 'Numbers from finance arrive on Thursday'],
  ['Water the plants', ''],
];

async function shoot(page: Page, name: string) {
  // Let the theme's colour transition (if any) settle before the picture.
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

test('the main pages, light and dark, desktop and phone', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize(SIZES.desktop);
  await signUp(page, 'Ada Lovelace', uniqueEmail('screenshots'));
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  for (const [title, description] of TASKS) {
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByLabel('Description').fill(description);
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByRole('link', { name: title, exact: true })).toBeVisible();
  }
  for (const done of ['Water the plants', 'Book the dentist']) {
    await page.getByRole('checkbox', { name: done }).click();
    await expect(page.getByRole('checkbox', { name: done })).toBeChecked();
  }
  const task = await page.getByRole('link', { name: 'Renew passport', exact: true }).getAttribute('href');

  for (const theme of ['light', 'dark'] as const) {
    await page.context().addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      await page.goto('/');
      await page.getByLabel('Title', { exact: true }).blur();
      await shoot(page, `list-${theme}-${size}`);
      if (size === 'desktop') {
        await page.goto('/?q=milk');
        await shoot(page, `search-${theme}-${size}`);
        await page.goto(task!);
        await shoot(page, `task-${theme}-${size}`);
      }
    }
  }
  await page.context().clearCookies();
  await page.setViewportSize(SIZES.desktop);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/login');
  await shoot(page, 'login-system-dark-desktop');
});
