import { expect, test, type Page } from './fixtures';
import { signedUp } from './helpers';

const list = (page: Page) => page.getByRole('list', { name: 'Tasks' });
const item = (page: Page, title: string) => list(page).getByRole('listitem').filter({ hasText: title });

async function addTask(page: Page, title: string) {
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(list(page).getByRole('link', { name: title, exact: true })).toBeVisible();
}

/** A signed-in person with tasks, on a hydrated list, with a marker that a page load would wipe. */
async function hydratedListWith(page: Page, titles: string[]) {
  await signedUp(page);
  for (const title of titles) await addTask(page, title);
  await page.reload();
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.evaluate(() => ((window as any).__samePage = true));
}

const samePage = (page: Page) => page.evaluate(() => (window as any).__samePage === true);

/** The task's id, from its link. */
async function idOf(page: Page, title: string): Promise<string> {
  const href = await list(page).getByRole('link', { name: title, exact: true }).getAttribute('href');
  return href!.split('/').pop()!;
}

test.describe('hydrated', () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'needs JavaScript');

  test('every list action updates the page in place, without loading it', async ({ page }) => {
    await hydratedListWith(page, ['One', 'Two', 'Three']);
    await page.getByRole('checkbox', { name: 'One' }).click();
    await expect(page.getByRole('checkbox', { name: 'One' })).toBeChecked();
    await expect(page.getByText('2 items left')).toBeVisible();

    await item(page, 'Two').getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: 'Edit title' }).fill('Two, renamed');
    await page.getByRole('textbox', { name: 'Edit title' }).press('Enter');
    await expect(list(page).getByRole('link', { name: 'Two, renamed', exact: true })).toBeVisible();

    await item(page, 'Three').getByRole('button', { name: 'Delete' }).click();
    await expect(list(page).getByRole('listitem')).toHaveCount(2);
    await expect(page.getByText('1 item left')).toBeVisible();

    await page.getByRole('checkbox', { name: 'Mark all as complete' }).click();
    await expect(page.getByText('0 items left')).toBeVisible();
    const cleared = page.waitForResponse('**/api/tasks/clear-completed');
    await page.getByRole('button', { name: 'Clear completed' }).click();
    await expect(page.getByText('No tasks yet')).toBeVisible();
    expect((await cleared).ok()).toBe(true);
    expect(await samePage(page)).toBe(true);

    // What the page showed is what was stored.
    await page.reload();
    await expect(page.getByText('No tasks yet')).toBeVisible();
  });

  test('a change shows at once and as pending until the server has it', async ({ page }) => {
    await hydratedListWith(page, ['Slow one']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/tasks/set-completed', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('checkbox', { name: 'Slow one' }).click();
    await expect(page.getByRole('checkbox', { name: 'Slow one' })).toBeChecked();
    await expect(page.getByText('0 items left')).toBeVisible();
    await expect(item(page, 'Slow one')).toHaveAttribute('aria-busy', 'true');
    release();
    await expect(item(page, 'Slow one')).not.toHaveAttribute('aria-busy', 'true');
    await expect(page.getByRole('checkbox', { name: 'Slow one' })).toBeChecked();
  });

  test('a change the server refuses is undone, with its reason in the alert', async ({ page }) => {
    await hydratedListWith(page, ['Kept', 'Gone elsewhere']);
    // Deleted in another tab: this page still shows it.
    const id = await idOf(page, 'Gone elsewhere');
    const origin = new URL(page.url()).origin;
    const deleted = await page.request.post('/api/tasks/delete', {
      form: { id },
      headers: { Accept: 'application/json', Origin: origin },
    });
    expect(deleted.ok()).toBeTruthy();

    await page.getByRole('checkbox', { name: 'Gone elsewhere' }).click();
    await expect(page.getByRole('alert')).toHaveText('Not found. It may have been deleted.');
    await expect(page.getByRole('checkbox', { name: 'Gone elsewhere' })).not.toBeChecked();
    await expect(page.getByText('2 items left')).toBeVisible();

    await item(page, 'Gone elsewhere').getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: 'Edit title' }).fill('Renamed too late');
    await page.getByRole('textbox', { name: 'Edit title' }).press('Enter');
    await expect(list(page).getByRole('link', { name: 'Gone elsewhere', exact: true })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText('Not found. It may have been deleted.');

    // A later success clears the alert.
    await page.getByRole('checkbox', { name: 'Kept' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    expect(await samePage(page)).toBe(true);
  });

  test('under a filter, a task that no longer matches leaves the list at once', async ({ page }) => {
    await signedUp(page);
    await addTask(page, 'Open');
    await addTask(page, 'Soon done');
    await page.goto('/?filter=active');
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await page.getByRole('checkbox', { name: 'Soon done' }).click();
    await expect(list(page).getByRole('listitem')).toHaveCount(1);
    await expect(page.getByText('1 item left')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Clear completed' })).toBeVisible();
    await expect(page).toHaveURL('/?filter=active');
  });

  test('the task page deletes after asking, and stays when the answer is no', async ({ page }) => {
    await signedUp(page);
    await addTask(page, 'Think twice');
    await list(page).getByRole('link', { name: 'Think twice' }).click();
    await expect(page).toHaveURL(/\/tasks\/\d+$/);
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect(page).toHaveURL(/\/tasks\/\d+$/);
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect(page).toHaveURL('/');
    await expect(page.getByText('No tasks yet')).toBeVisible();
  });
});

test('completing a task under "Active" takes it off that list, with or without JavaScript', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'Stays');
  await addTask(page, 'Goes');
  await page.goto('/?filter=active');
  await page.getByRole('checkbox', { name: 'Goes' }).click();
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText('1 item left')).toBeVisible();
  await expect(page).toHaveURL('/?filter=active');
});
