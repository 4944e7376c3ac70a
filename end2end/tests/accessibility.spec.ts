import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { signedUp, withoutScripts } from './helpers';

/** Every WCAG 2.0, 2.1 and 2.2 A and AA rule axe has. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function expectNoViolations(page: Page, what: string) {
  // Hydrated, the islands are live (the bundle loaded and ran) before axe reads
  // the page.
  await page.waitForLoadState('networkidle');
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, `axe on ${what}`).toEqual([]);
}

// axe runs inside the page, so it needs JavaScript. The "no-js" project gets the
// pages exactly as a browser without JavaScript does instead: every document with
// its scripts taken out, so no island hydrates and no script runs, while axe can
// still be put in.
test.use({ javaScriptEnabled: true });

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.beforeEach(async ({ page, baseURL }, testInfo) => {
      await page.context().addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
      if (testInfo.project.name === 'no-js') await withoutScripts(page);
    });

    test('pages signed out, and their error states, have no accessibility violations', async ({ page }) => {
      for (const path of ['/login', '/signup', '/forgot-password', '/reset-password?token=not-a-token', '/no/such/page']) {
        await page.goto(path);
        await expectNoViolations(page, `${path} (${theme})`);
      }
      await page.goto('/login');
      await page.getByLabel('Email').fill('nobody@example.com');
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectNoViolations(page, `a refused log-in (${theme})`);
    });

    test('pages signed in, empty and full, searched and not, have no accessibility violations', async ({ page }) => {
      await signedUp(page);
      await expectNoViolations(page, `the empty list (${theme})`);
      await page.getByRole('button', { name: 'Add task' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectNoViolations(page, `the list with an error (${theme})`);
      for (const title of ['Buy milk', 'Walk the dog', 'Write the report']) {
        await page.getByLabel('Title', { exact: true }).fill(title);
        await page.getByRole('button', { name: 'Add task' }).click();
        await expect(page.getByRole('link', { name: title, exact: true })).toBeVisible();
      }
      await page.getByRole('checkbox', { name: 'Walk the dog' }).click();
      await expect(page.getByRole('checkbox', { name: 'Walk the dog' })).toBeChecked();
      await expectNoViolations(page, `the list with tasks (${theme})`);
      await page.goto('/?q=milk');
      await expect(page.getByText('1 matching task')).toBeVisible();
      await expectNoViolations(page, `search results (${theme})`);
      await page.goto('/?q=zebra');
      await expect(page.getByText('No tasks match')).toBeVisible();
      await expectNoViolations(page, `a search without results (${theme})`);
      await page.goto('/');
      await page.getByRole('link', { name: 'Buy milk', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Buy milk' })).toBeVisible();
      await expectNoViolations(page, `the task page (${theme})`);
      await page.goto('/account');
      await expectNoViolations(page, `the account page (${theme})`);
    });
  });
}
