import { defineConfig } from '@playwright/test';

// scripts/test builds the app, prepares an empty database and sets these; the
// defaults suit a manual `npx playwright test` after `cargo leptos build`.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.E2E_WORKERS ? Number(process.env.E2E_WORKERS) : 2,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // The system's Chromium: Playwright's own browser download is not possible everywhere.
      executablePath: process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // Every behaviour works twice: hydrated, and as plain HTML forms without JavaScript.
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-js', use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: process.env.E2E_SERVER_BIN ?? '../target/debug/tasks',
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? '../target/site',
      // Nothing about the build (output name, pkg dir, hashed file names): the
      // binary carries its own, as an operator's deployment relies on.
      SERVED_OVER_HTTPS: 'false',
      // A real SMTP server (maildev, started by scripts/test); the reset specs read
      // what arrived from its API at E2E_MAILDEV_URL.
      SMTP_URL: process.env.E2E_SMTP_URL ?? '',
      PUBLIC_ORIGIN: baseURL,
      // Every spec signs people up from this one address, more than a person would.
      SIGNUP_MAX_PER_ADDRESS: '100000',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
    },
  },
});
