import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// scripts/screenshots: the main pages in both themes, at desktop and phone width,
// written to docs/screenshots/ for the README. The same server and browser as the
// tests; one project (hydrated), one worker (the shots share one person).
export default defineConfig({
  ...base,
  testDir: './screenshots',
  workers: 1,
  fullyParallel: false,
  projects: [{ name: 'screenshots', use: { javaScriptEnabled: true } }],
});
