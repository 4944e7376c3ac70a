import { expect, test, type Page } from './fixtures';
import { signedUp, withoutScripts } from './helpers';

// Measured in the page, so JavaScript is on; the "no-js" project gets its pages
// without their scripts (see `withoutScripts`).
test.use({ javaScriptEnabled: true, viewport: { width: 360, height: 740 } });

async function fitsAndTouches(page: Page, what: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what}: wider than the screen`).toBeLessThanOrEqual(360);
  // Every control a finger presses: at least 44 px tall.
  const short = await page.evaluate(() =>
    [...document.querySelectorAll('button, select, input:not([type=hidden]):not([type=checkbox]), textarea')]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => `${el.tagName.toLowerCase()} "${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}" ${el.getBoundingClientRect().height}px`));
  expect(short, `${what}: controls under 44 px`).toEqual([]);
}

test('every page fits a 360 px screen with controls big enough to touch', async ({ page }, testInfo) => {
  if (testInfo.project.name === 'no-js') await withoutScripts(page);
  for (const path of ['/login', '/signup', '/forgot-password']) {
    await page.goto(path);
    await fitsAndTouches(page, path);
  }
  await signedUp(page);
  await fitsAndTouches(page, 'the empty list');
  for (const title of ['A task with quite a long title that has to wrap on a phone screen', 'Short']) {
    await page.getByLabel('Title', { exact: true }).fill(title);
    await page.getByRole('button', { name: 'Add task' }).click();
    await expect(page.getByRole('link', { name: title, exact: true })).toBeVisible();
  }
  await fitsAndTouches(page, 'the list');
  await page.getByRole('link', { name: 'Short', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Short' })).toBeVisible();
  await fitsAndTouches(page, 'the task page');
  await page.goto('/account');
  await fitsAndTouches(page, 'the account page');
});
