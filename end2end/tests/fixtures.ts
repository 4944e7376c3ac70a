import { test as base, expect, type BrowserContext, type ConsoleMessage } from '@playwright/test';

export { expect };
export type { Page } from '@playwright/test';

/**
 * Chromium's own lines that are not the app's fault: the one for any 4xx/5xx answer
 * (expected wherever a test provokes one), the one for a connection a test cuts on
 * purpose, and its hint that the page preloaded the
 * WASM without using it within seconds (always so with JavaScript off, and so when a
 * busy machine delays the island script's idle callback).
 */
const BROWSER_NOTES = [
  /^Failed to load resource: the server responded with a status of \d+/,
  /^Failed to load resource: net::ERR_CONNECTION_RESET$/,
  /was preloaded using link preload but not used within a few seconds/,
];

function watch(context: BrowserContext, problems: string[]) {
  context.on('console', (message: ConsoleMessage) => {
    const type = message.type();
    if ((type === 'error' || type === 'warning') && !BROWSER_NOTES.some((note) => note.test(message.text()))) {
      problems.push(`console ${type} on ${message.page()?.url() ?? '?'}: ${message.text()}`);
    }
  });
  context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`));
}

/**
 * Playwright's `test`, failing any test whose pages log an error or a warning to the
 * console (a panic in an island, a hydration mismatch, a CSP refusal) or throw, in
 * every context the test opens.
 */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ context, browser }, use) => {
      const problems: string[] = [];
      watch(context, problems);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const created = await newContext(...args);
        watch(created, problems);
        return created;
      };
      const newPage = browser.newPage.bind(browser);
      browser.newPage = async (...args) => {
        const page = await newPage(...args);
        watch(page.context(), problems);
        return page;
      };
      await use(problems);
      browser.newContext = newContext;
      browser.newPage = newPage;
      expect(problems, 'console errors or warnings on the pages').toEqual([]);
    },
    { auto: true },
  ],
});
