import { expect, test } from './fixtures';
import { logIn, PASSWORD, signedUp, signUp, uniqueEmail } from './helpers';

test('signing up lands on the task list with the signed-in header', async ({ page }) => {
  await signedUp(page, 'Grace Hopper');
  await expect(page).toHaveURL('/');
  await expect(page).toHaveTitle('Tasks');
  await expect(page.getByText('Grace Hopper')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Account' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
});

test('log out, then log in again', async ({ page }) => {
  const email = await signedUp(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, email);
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await expect(page).toHaveURL('/');
});

test('a bad sign-up explains itself in an alert and keeps what was typed, except the password', async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, 'Ada', email, 'too short');
  await expect(page.getByRole('alert')).toContainText('at least 12 characters');
  await expect(page.getByLabel('Name')).toHaveValue('Ada');
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue('');
});

test('signing up with a registered email says so', async ({ page, browser }) => {
  const email = await signedUp(page);
  const other = await browser.newPage();
  await signUp(other, 'Someone Else', email);
  await expect(other.getByRole('alert')).toContainText('already exists');
  await other.close();
});

test('a wrong password and an unknown email get the same message', async ({ page }) => {
  const email = await signedUp(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, email, 'not the right password');
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await logIn(page, uniqueEmail('nobody'), 'not the right password');
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
});

test('a protected page sends you to log in and back again', async ({ page }) => {
  const email = await signedUp(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await logIn(page, email);
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expect(page).toHaveURL('/account');
});

test('the account page changes the name', async ({ page }) => {
  await signedUp(page, 'Old Name');
  await page.getByRole('link', { name: 'Account' }).click();
  const profile = page.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('Name').fill('New Name');
  await profile.getByRole('button', { name: 'Save name' }).click();
  await expect(page.locator('header').getByText('New Name')).toBeVisible();
});

test('changing the password signs out other sessions', async ({ page, browser }) => {
  const email = await signedUp(page);
  const phone = await browser.newPage();
  await phone.goto('/login');
  await logIn(phone, email);
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();

  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Password' });
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByLabel('New password').fill('an entirely new passphrase');
  await section.getByRole('button', { name: 'Change password' }).click();
  await expect(section.getByRole('status')).toContainText('Password changed');

  await phone.goto('/');
  await expect(phone).toHaveURL(/\/login$/);
  await logIn(phone, email, 'an entirely new passphrase');
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await phone.close();
});

test('deleting the account signs out and the account is gone', async ({ page }) => {
  const email = await signedUp(page);
  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Delete account' });
  await section.getByLabel('Current password').fill('not my password');
  await section.getByRole('button', { name: 'Delete account' }).click();
  await expect(section.getByRole('alert')).toContainText('not correct');
  await section.getByLabel('Current password').fill(PASSWORD);
  await section.getByRole('button', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await page.goto('/login');
  await logIn(page, email);
  await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
});

test('the account page lists each session and signs out one or all of the others', async ({ page, browser }) => {
  const email = await signedUp(page);
  const phone = await browser.newPage();
  await phone.goto('/login');
  await logIn(phone, email);
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();

  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Sessions' });
  const sessions = section.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
  await expect(sessions).toHaveCount(2);
  const here = sessions.filter({ hasText: 'This device' });
  await expect(here).toHaveCount(1);
  await expect(here.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(here.locator('time')).toHaveCount(2);
  await expect(here).toContainText('Chrome');

  await sessions.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(sessions).toHaveCount(1);
  await expect(section.getByRole('status')).toHaveText('Signed out that session.');
  await phone.goto('/');
  await expect(phone).toHaveURL(/\/login$/);

  await logIn(phone, email);
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await page.goto('/account');
  await expect(sessions).toHaveCount(2);
  await section.getByRole('button', { name: 'Sign out all other sessions' }).click();
  await expect(sessions).toHaveCount(1);
  await expect(section.getByRole('status')).toHaveText('Signed out all other sessions.');
  await phone.goto('/');
  await expect(phone).toHaveURL(/\/login$/);
  await phone.close();
});
