import { expect, test, type Page } from './fixtures';
import { signedUp } from './helpers';

async function addTask(page: Page, title: string, description = '') {
  await page.getByLabel('Title', { exact: true }).fill(title);
  if (description) await page.getByLabel('Description').fill(description);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('link', { name: title.trim(), exact: true })).toBeVisible();
}

const list = (page: Page) => page.getByRole('list', { name: 'Tasks' });

test('an empty list says so, and a new task clears the form', async ({ page }, testInfo) => {
  await signedUp(page);
  await expect(page.getByText('No tasks yet')).toBeVisible();
  await addTask(page, '  Buy milk  ', 'Two litres');
  await expect(page.getByLabel('Title', { exact: true })).toHaveValue('');
  await expect(page.getByLabel('Description')).toHaveValue('');
  if (testInfo.project.name === 'hydrated') {
    await expect(page.getByLabel('Title', { exact: true })).toBeFocused();
  }
  await expect(page.getByText('1 item left')).toBeVisible();
  await addTask(page, 'Walk the dog');
  await expect(list(page).getByRole('listitem').first()).toContainText('Walk the dog');
  await expect(page.getByText('2 items left')).toBeVisible();
});

test('an invalid title gets an alert naming the field and limit, and adds nothing', async ({ page }) => {
  await signedUp(page);
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('alert')).toContainText('Title');
  await expect(page.getByRole('alert')).toContainText('200');
  await page.getByLabel('Title', { exact: true }).fill('x'.repeat(201));
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('alert')).toContainText('at most 200');
  await expect(page.getByText('No tasks yet')).toBeVisible();
});

test('checking a task completes it and updates the counter', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'First');
  await addTask(page, 'Second');
  const box = page.getByRole('checkbox', { name: 'First' });
  await expect(box).not.toBeChecked();
  await box.click();
  await expect(page.getByRole('checkbox', { name: 'First' })).toBeChecked();
  await expect(page.getByText('1 item left')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Clear completed' })).toBeVisible();
  await page.getByRole('button', { name: 'Clear completed' }).click();
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Clear completed' })).toHaveCount(0);
});

test('filters live in the URL and survive reload and back', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'Open task');
  await addTask(page, 'Done task');
  await page.getByRole('checkbox', { name: 'Done task' }).click();
  await expect(page.getByRole('checkbox', { name: 'Done task' })).toBeChecked();

  await page.getByRole('link', { name: 'Active' }).click();
  await expect(page).toHaveURL('/?filter=active');
  await expect(page.getByRole('link', { name: 'Active' })).toHaveAttribute('aria-current', 'page');
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
  await expect(list(page)).toContainText('Open task');

  await page.getByRole('link', { name: 'Completed' }).click();
  await expect(page).toHaveURL('/?filter=completed');
  await expect(list(page)).toContainText('Done task');
  await page.reload();
  await expect(page.getByRole('link', { name: 'Completed' })).toHaveAttribute('aria-current', 'page');
  await expect(list(page).getByRole('listitem')).toHaveCount(1);

  await page.goBack();
  await expect(page).toHaveURL('/?filter=active');
  await expect(list(page)).toContainText('Open task');
  await expect(list(page).getByRole('listitem')).toHaveCount(1);
});

test('mark all as complete, and back', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'One');
  await addTask(page, 'Two');
  const all = page.getByRole('checkbox', { name: 'Mark all as complete' });
  await all.click();
  await expect(page.getByText('0 items left')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Mark all as complete' })).toBeChecked();
  await page.getByRole('checkbox', { name: 'Mark all as complete' }).click();
  await expect(page.getByText('2 items left')).toBeVisible();
});

test('edit a title in place; Escape cancels', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'Original');
  await page.getByRole('button', { name: 'Edit' }).click();
  const box = page.getByRole('textbox', { name: 'Edit title' });
  await expect(box).toBeVisible();
  await box.fill('  Renamed  ');
  await box.press('Enter');
  await expect(list(page).getByRole('link', { name: 'Renamed', exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Edit title' })).toHaveCount(0);
});

test('hydrated editing: double-click, Escape cancels, blur saves', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'hydrated', 'needs JavaScript');
  await signedUp(page);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await addTask(page, 'Keep me');
  await list(page).getByRole('link', { name: 'Keep me' }).dblclick();
  const box = page.getByRole('textbox', { name: 'Edit title' });
  await box.fill('Changed my mind');
  await box.press('Escape');
  await expect(list(page).getByRole('link', { name: 'Keep me', exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('textbox', { name: 'Edit title' }).fill('Saved on blur');
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).click();
  await expect(list(page).getByRole('link', { name: 'Saved on blur', exact: true })).toBeVisible();
});

test('delete a task from the list', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'Doomed');
  await list(page).getByRole('listitem').filter({ hasText: 'Doomed' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('No tasks yet')).toBeVisible();
});

test('text that looks like HTML is shown as text', async ({ page }) => {
  await signedUp(page);
  const title = '<b>bold</b> <script>window.pwned = 1</script>';
  await addTask(page, title);
  await expect(list(page).getByRole('link', { name: title })).toBeVisible();
  expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  await expect(list(page).locator('b')).toHaveCount(0);
});

test('a description that looks like markup stays exactly as typed through view and save', async ({ page }) => {
  await signedUp(page);
  const description = '</textarea><b>bold</b> fish & chips\n<i>second line</i>';
  await addTask(page, 'Markup', description);
  // Hydrated, this opens the page without a load (the box is built in the browser);
  // without JavaScript, the server writes it.
  await list(page).getByRole('link', { name: 'Markup' }).click();
  await expect(page).toHaveURL(/\/tasks\/\d+$/);
  await expect(page.getByLabel('Description')).toHaveValue(description);
  await expect(page.locator('main b, main i')).toHaveCount(0);
  // Saving the form unchanged keeps the description, neither wiped nor escaped twice.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await page.reload();
  await expect(page.getByLabel('Description')).toHaveValue(description);
});

test('the task page edits title, description and completed', async ({ page }, testInfo) => {
  await signedUp(page);
  await addTask(page, 'Plan trip', 'Book trains');
  await list(page).getByRole('link', { name: 'Plan trip' }).click();
  await expect(page).toHaveURL(/\/tasks\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Plan trip' })).toBeVisible();
  await expect(page.getByLabel('Description')).toHaveValue('Book trains');
  // When it was created and last changed, machine-readable and in words.
  const times = page.locator('time');
  await expect(times).toHaveCount(2);
  for (const time of await times.all()) {
    expect(Date.parse((await time.getAttribute('datetime'))!)).not.toBeNaN();
    await expect(time).toHaveText(/\d{4}, \d\d:\d\d UTC/);
  }
  // Hydrated, the save below happens in place (so the page says "just now").
  if (testInfo.project.name === 'hydrated') await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Title').fill('Plan the trip');
  await page.getByLabel('Description').fill('Book trains and a hotel');
  await page.getByRole('checkbox', { name: 'Completed' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Plan the trip' })).toBeVisible();
  if (testInfo.project.name === 'hydrated') await expect(page.locator('time.changed')).toHaveText('just now');
  await page.reload();
  await expect(page.getByLabel('Description')).toHaveValue('Book trains and a hotel');
  await expect(page.getByRole('checkbox', { name: 'Completed' })).toBeChecked();

  if (testInfo.project.name === 'hydrated') page.on('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByText('No tasks yet')).toBeVisible();
});

test("someone else's task is the same 404 as a missing one", async ({ page, browser }) => {
  await signedUp(page);
  await addTask(page, 'Private');
  await list(page).getByRole('link', { name: 'Private' }).click();
  await expect(page).toHaveURL(/\/tasks\/\d+$/);
  const url = page.url();

  const other = await browser.newPage();
  await signedUp(other, 'Mallory');
  const response = await other.goto(url);
  expect(response?.status()).toBe(404);
  await expect(other.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(other.getByText('Private')).toHaveCount(0);
  const missing = await other.goto('/tasks/999999999');
  expect(missing?.status()).toBe(404);
  await other.close();
});

test('the same title added twice on purpose makes two tasks', async ({ page }) => {
  await signedUp(page);
  await addTask(page, 'Stretch');
  await page.getByLabel('Title', { exact: true }).fill('Stretch');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(list(page).getByRole('link', { name: 'Stretch', exact: true })).toHaveCount(2);
  await page.reload();
  await expect(list(page).getByRole('link', { name: 'Stretch', exact: true })).toHaveCount(2);
});

test('an add whose answer was lost, sent again, is stored once', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'hydrated', 'without JavaScript a lost answer is the browser\'s own error page');
  await signedUp(page);
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  let lose = true;
  await page.route('**/api/tasks/create', async (route) => {
    if (!lose) return route.continue();
    lose = false;
    // The server stores the task; its answer never reaches the page.
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByLabel('Title', { exact: true }).fill('Pay rent');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('alert')).toContainText('Could not reach the server');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(list(page).getByRole('link', { name: 'Pay rent', exact: true })).toHaveCount(1);
  await page.reload();
  await expect(list(page).getByRole('link', { name: 'Pay rent', exact: true })).toHaveCount(1);
});

test('search finds words and their beginnings, keeps the filter, and says when nothing matches', async ({ page }, testInfo) => {
  await signedUp(page);
  await addTask(page, 'Café au lait');
  await addTask(page, 'Buy milk', 'Two litres');
  await addTask(page, 'Recipes', 'A milkshake');
  // An add before hydration is a page load; typing must reach the hydrated box.
  if (testInfo.project.name === 'hydrated') await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  const box = page.getByRole('search').getByRole('textbox', { name: 'Search tasks' });
  await box.fill('MILK');
  if (testInfo.project.name === 'no-js') {
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
  }
  // Hydrated, the list follows the box as the person types.
  await expect(list(page).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByText('2 matching tasks')).toBeVisible();
  await expect(page).toHaveURL(/[?&]q=MILK/);
  // The URL is the search: reloadable and shareable.
  await page.reload();
  await expect(list(page).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('search').getByRole('textbox', { name: 'Search tasks' })).toHaveValue('MILK');

  await page.getByRole('link', { name: 'Completed' }).click();
  await expect(page).toHaveURL(/filter=completed/);
  await expect(page).toHaveURL(/q=MILK/);
  await expect(page.getByText('No tasks match')).toBeVisible();

  await page.goto('/?q=cafe');
  await expect(list(page).getByRole('link', { name: 'Café au lait' })).toBeVisible();
  await expect(page.getByText('1 matching task')).toBeVisible();
});
