// Median time from navigation start to the first island hydrated, in headless Chromium.
//
//   node bench/hydration.js BASE_URL [LOADS] [PATH]
//
// Each load uses a fresh browser context (empty cache, like a first visit) and
// opens PATH (default /login: no sign-in needed). The app's hydrate() sets
// `data-hydrated` on <html>, and Leptos's island script then hydrates the page's
// first island before its first pause; the mutation observer below runs at that
// pause, so it records performance.now() (milliseconds since navigation start) once
// the first island is live. Prints one JSON line:
//   {"loads":20,"median_ms":...,"min_ms":...,"max_ms":...,"samples_ms":[...],"files":[...]}
// `files` names what the last load fetched from /pkg/ (the bundle and any lazily
// loaded chunks): what a first visit downloads. BENCH_COOKIE, when set, is sent as
// the `session` cookie, for pages that need a signed-in person.
// Playwright comes from end2end/node_modules; the browser is the system's Chromium
// (PLAYWRIGHT_CHROMIUM overrides /usr/bin/chromium), as in end2end/playwright.config.ts.

const path = require('path');

function loadPlaywright() {
  const modules = path.join(__dirname, '..', 'end2end', 'node_modules');
  for (const name of ['@playwright/test', 'playwright-core', 'playwright']) {
    try {
      return require(path.join(modules, name));
    } catch (_) {
      // try the next one
    }
  }
  throw new Error('Playwright not found in end2end/node_modules (run npm ci in end2end/)');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const base = process.argv[2];
  const loads = Number(process.argv[3] ?? 20);
  const page_path = process.argv[4] ?? '/login';
  if (!base) throw new Error('usage: node bench/hydration.js BASE_URL [LOADS] [PATH]');

  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: process.env.PLAYWRIGHT_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const samples = [];
  let files = [];
  try {
    // One load first that is not counted: starts the browser's own machinery.
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext();
      await context.addInitScript(() => {
        const mark = () => {
          if (window.__hydratedAt === undefined && document.documentElement.hasAttribute('data-hydrated')) {
            window.__hydratedAt = performance.now();
          }
        };
        new MutationObserver(mark).observe(document, {
          attributes: true,
          subtree: true,
          attributeFilter: ['data-hydrated'],
        });
      });
      if (process.env.BENCH_COOKIE) {
        await context.addCookies([{ name: 'session', value: process.env.BENCH_COOKIE, url: base }]);
      }
      const page = await context.newPage();
      const fetched = new Set();
      page.on('response', (response) => {
        const url = new URL(response.url());
        if (url.pathname.startsWith('/pkg/')) fetched.add(decodeURIComponent(url.pathname.slice('/pkg/'.length)));
      });
      await page.goto(base + page_path, { waitUntil: 'commit' });
      await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 30_000 });
      const at = await page.evaluate(() => window.__hydratedAt);
      // Whatever the page still fetches after hydrating counts too.
      await page.waitForLoadState('networkidle');
      if (i > 0) samples.push(Math.round(at * 10) / 10);
      files = [...fetched].sort();
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({
    loads: samples.length,
    path: page_path,
    median_ms: median(samples),
    min_ms: Math.min(...samples),
    max_ms: Math.max(...samples),
    samples_ms: samples,
    files,
  }));
}

main().catch((error) => {
  console.error(`hydration: ${error.message}`);
  process.exit(1);
});
