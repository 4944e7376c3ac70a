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
