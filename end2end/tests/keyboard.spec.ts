import { expect, test, type Locator, type Page } from './fixtures';
import { PASSWORD, uniqueEmail } from './helpers';

/** Presses Tab (Shift+Tab with `back`) until `target` has focus, as a keyboard user would. */
async function tabTo(page: Page, target: Locator, back = false) {
  for (let i = 0; i < 60; i++) {
    // Asked through Playwright's own script, which works with JavaScript off too.
    if (await expect(target).toBeFocused({ timeout: 100 }).then(() => true, () => false)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

async function type(page: Page, target: Locator, text: string) {
  await tabTo(page, target);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(text);
}

const list = (page: Page) => page.getByRole('list', { name: 'Tasks' });

test('a person can do everything with the keyboard alone', async ({ page }, testInfo) => {
  // Without JavaScript every action is a page load, after which focus starts at the
  // new-task box (autofocus) or the top; hydrated, it stays where the person works.
  const js = testInfo.project.name === 'hydrated';
  const hydrated = async () => {
    if (js) await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  };
  await page.goto('/signup');
  await hydrated();
  await type(page, page.getByLabel('Name'), 'Kay Board');
  await type(page, page.getByLabel('Email'), uniqueEmail('keyboard'));
  await type(page, page.getByLabel('Password'), PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await hydrated();

  // Add three tasks: Enter in the title box adds, and focus stays there.
  for (const title of ['First', 'Second', 'Third']) {
    await type(page, page.getByLabel('Title', { exact: true }), title);
    await page.keyboard.press('Enter');
    await expect(list(page).getByRole('link', { name: title, exact: true })).toBeVisible();
    await expect(page.getByLabel('Title', { exact: true })).toBeFocused();
    await hydrated();
  }

  // Complete one.
  await tabTo(page, page.getByRole('checkbox', { name: 'Second' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: 'Second' })).toBeChecked();
  await hydrated();

  // Edit one: Enter saves, and focus comes back to the task.
  await tabTo(page, list(page).getByRole('listitem').filter({ hasText: 'Third' }).getByRole('button', { name: 'Edit' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Edit title' })).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('Third, edited');
  await page.keyboard.press('Enter');
  if (js) await expect(list(page).getByRole('link', { name: 'Third, edited' })).toBeFocused();
  else await expect(list(page).getByRole('link', { name: 'Third, edited' })).toBeVisible();
  await hydrated();

  // Delete one: focus moves to the next task.
  await tabTo(page, list(page).getByRole('listitem').filter({ hasText: 'Third, edited' }).getByRole('button', { name: 'Delete' }));
  await page.keyboard.press('Enter');
  await expect(list(page).getByRole('link', { name: 'Third, edited' })).toHaveCount(0);
  if (js) await expect(page.getByRole('checkbox', { name: 'Second' })).toBeFocused();
  await hydrated();

  // Filter.
  await tabTo(page, page.getByRole('link', { name: 'Active' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/filter=active/);
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await hydrated();

  // Search.
  await page.goto('/');
  await hydrated();
  await type(page, page.getByRole('textbox', { name: 'Search tasks' }), 'sec');
  if (!js) await page.keyboard.press('Enter');
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText('1 matching task')).toBeVisible();

  // Delete the last task shown: focus goes to the new-task box.
  await tabTo(page, list(page).getByRole('button', { name: 'Delete' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Title', { exact: true })).toBeFocused();
  await hydrated();

  // Log out.
  await tabTo(page, page.getByRole('button', { name: 'Log out' }), true);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login/);
});
