import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
/** An email no other test (or earlier run) uses. */
export function uniqueEmail(label = 'person'): string {
  counter += 1;
  return `${label}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

export async function signUp(page: Page, name: string, email: string, password = PASSWORD) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A new person, signed in, looking at their task list. */
export async function signedUp(page: Page, name = 'Ada Lovelace'): Promise<string> {
  const email = uniqueEmail();
  await signUp(page, name, email);
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  return email;
}

/**
 * Serves `page` every document with its scripts taken out: the page as a browser
 * without JavaScript shows it, while Playwright can still run its own code in it
 * (axe, measurements), which a context with JavaScript off does not allow.
 */
export async function withoutScripts(page: Page) {
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    if (response.status() >= 300 && response.status() < 400) return route.fulfill({ response });
    const body = (await response.text()).replace(/<script\b[\s\S]*?<\/script>/g, '');
    return route.fulfill({ response, body });
  });
}
