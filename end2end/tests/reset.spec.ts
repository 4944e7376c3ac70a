import { expect, test, type Page } from './fixtures';
import { logIn, PASSWORD, signedUp, uniqueEmail } from './helpers';

// The server sends through maildev, a real SMTP server that scripts/test starts;
// what arrived is read from its API.
const MAILDEV = process.env.E2E_MAILDEV_URL;

type Mail = { to: { address: string }[]; subject: string; text?: string };

async function mailsTo(email: string): Promise<Mail[]> {
  if (!MAILDEV) {
    throw new Error('E2E_MAILDEV_URL is not set: run the suite through scripts/test, which starts maildev');
  }
  const response = await fetch(`${MAILDEV}/api/email`);
  const mails = (await response.json()) as Mail[];
  return mails.filter((mail) => mail.to.some((to) => to.address === email));
}

/** The link in the newest reset mail to `email` once `count` of them have arrived. */
async function resetLink(email: string, count = 1): Promise<string> {
  await expect.poll(async () => (await mailsTo(email)).length, { timeout: 20_000 }).toBe(count);
  const mail = (await mailsTo(email)).at(-1)!;
  expect(mail.subject).toBe('Reset your password');
  const link = mail.text?.match(/https?:\/\/\S+\/reset-password\?token=[\w-]+/)?.[0];
  expect(link, `no reset link in: ${mail.text}`).toBeTruthy();
  return link!;
}

async function askForLink(page: Page, email: string) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await expect(page).toHaveTitle('Reset your password');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toHaveText(
    'If an account exists for that email, we sent a link to reset its password.',
  );
}

test('a forgotten password is reset through the mailed link, which signs out everywhere else and works once', async ({
  page,
  browser,
}) => {
  const email = await signedUp(page);
  const phone = await browser.newPage();
  await phone.goto('/login');
  await logIn(phone, email);
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await askForLink(page, email);
  const link = await resetLink(email);
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();

  await phone.goto('/');
  await expect(phone).toHaveURL(/\/login$/);
  await logIn(phone, email, PASSWORD);
  await expect(phone.getByRole('alert')).toHaveText('Invalid email or password.');
  await logIn(phone, email, 'a brand new passphrase');
  await expect(phone.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  await phone.close();

  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('This link no longer works');
  await page.getByRole('link', { name: 'Send a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
});

test('an unknown email gets the same answer and no mail', async ({ page }) => {
  const email = uniqueEmail('nobody');
  await askForLink(page, email);
  // A known address's mail arrives within a second or two; give this one longer.
  await page.waitForTimeout(3_000);
  expect(await mailsTo(email)).toHaveLength(0);
});

test('a too-short new password is refused with the rule, and the link still works', async ({ page }) => {
  const email = await signedUp(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await askForLink(page, email);
  const link = await resetLink(email);
  await page.goto(link);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText('at least 12 characters');
  await page.getByLabel('New password').fill('long enough this time');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
});

test('only the newest link works', async ({ page }) => {
  const email = await signedUp(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await askForLink(page, email);
  const first = await resetLink(email, 1);
  await askForLink(page, email);
  const second = await resetLink(email, 2);
  expect(second).not.toBe(first);
  await page.goto(first);
  await expect(page.getByRole('alert')).toContainText('This link no longer works');
  await page.goto(second);
  await expect(page.getByLabel('New password')).toBeVisible();
});
