// Turns the results scripts/bench collected (one JSON object a line) into
// docs/performance.md, and prints the same report to stdout.
//
//   node bench/report.js RESULTS.jsonl REPORT.md
//
// Every performance target (throughput against the ceiling, latency, memory, client
// weight, static-file serving) is judged here and printed as MET or MISSED.

const fs = require('fs');

const [resultsPath, reportPath] = process.argv.slice(2);
if (!resultsPath || !reportPath) {
  console.error('usage: node bench/report.js RESULTS.jsonl REPORT.md');
  process.exit(2);
}
const rows = fs
  .readFileSync(resultsPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));

const meta = Object.assign({}, ...rows.filter((r) => r.kind === 'meta'));
const concs = String(meta.concurrencies).split(/\s+/).map(Number);
const first = concs[0];
const runs = (kind, scenario, conc) => rows.filter((r) => r.kind === kind && r.scenario === scenario && r.conc === conc);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
// A scenario repeated (BENCH_REPEAT) is judged on the median of its runs, figure by
// figure; errors are summed, since the target is zero in every run.
const app = (scenario, conc) => {
  const all = runs('app', scenario, conc);
  if (!all.length) return undefined;
  const of = (f) => median(all.map(f));
  const sum = (f) => all.reduce((t, r) => t + f(r), 0);
  return {
    runs: all.map((r) => r.result.rps),
    server_cpu_per_req: of((r) => r.server_cpu_ms / r.result.requests),
    pg_cpu_per_req: of((r) => r.pg_cpu_ms / r.result.requests),
    result: {
      rps: of((r) => r.result.rps),
      p50_ms: of((r) => r.result.p50_ms),
      p99_ms: of((r) => r.result.p99_ms),
      errors: sum((r) => r.result.errors),
      non2xx: sum((r) => r.result.non2xx),
      socket_errors: sum((r) => r.result.socket_errors),
      first_error: (all.find((r) => r.result.first_error) || all[0]).result.first_error,
    },
  };
};
const ceiling = (scenario, conc) => {
  const all = runs('ceiling', scenario, conc);
  if (!all.length) return undefined;
  return {
    runs: all.map((r) => r.tps),
    tps: median(all.map((r) => r.tps)),
    pg_cpu_per_tx: median(all.map((r) => r.pg_cpu_ms / (r.tps * meta.duration_s))),
  };
};
const one = (kind, scenario) => rows.find((r) => r.kind === kind && (scenario === undefined || r.scenario === scenario));

const fmt = (n, digits = 1) => (n === undefined || n === null || Number.isNaN(n) ? 'n/a' : Number(n).toFixed(digits));
const int = (n) => (n === undefined || n === null ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const verdict = (ok) => (ok === undefined ? 'n/a' : ok ? '**MET**' : '**MISSED**');

const SCENARIOS = [
  ['healthz', '`GET /healthz` (the floor)', '`SELECT 1`'],
  ['home', '`GET /` signed in, 10,000 tasks: first page of 50 + counter', 'session with person, page, counts'],
  ['deep', '`GET /?after=<id near the end>`, 10,000 tasks', 'as above + newer-tasks probe'],
  ['active', '`GET /?filter=active`, 10,000 tasks', 'session with person, page, counts'],
  ['home_1k', '`GET /` signed in, 1,000 tasks', 'session with person, page, counts'],
  ['home_100k', '`GET /` signed in, 100,000 tasks', 'session with person, page, counts'],
  ['deep_100k', '`GET /?after=<id near the end>`, 100,000 tasks', 'as above + newer-tasks probe'],
  ['search_100k', '`GET /?q=4242`, 100,000 tasks (11 match)', 'session with person, matches, counts, matching count'],
  ['create', 'create a task (`POST /api/tasks/create`)', 'session with person, INSERT'],
  ['toggle', 'toggle a task (`POST /api/tasks/set-completed`)', 'session with person, UPDATE'],
  ['login', 'log in (`POST /api/login`, argon2id verify)', 'throttle, account, reset, session INSERT'],
];

const ratio = (scenario, conc) => {
  const a = app(scenario, conc);
  const c = ceiling(scenario, conc);
  return a && c && c.tps > 0 ? a.result.rps / c.tps : undefined;
};

const out = [];
const line = (s = '') => out.push(s);

line('# Performance');
line();
line('Written by `scripts/bench`; do not edit by hand, run it again.');
line();
line(`- Date: ${meta.date}; commit ${meta.commit}`);
line(`- Machine: ${meta.cores} cores, ${meta.cpu}; ${meta.kernel}; PostgreSQL ${meta.postgres}; wrk ${meta.wrk}`);
line(`- Load average before the load / after: ${meta.loadavg_before} / ${meta.loadavg_after}`);
const repeat = meta.repeat || 1;
line(`- Reproduce: \`${meta.command}\` (${repeat} x ${meta.duration_s} s per scenario and per ceiling, in turn, concurrency ${concs.join(' and ')}; every figure below is the median of the ${repeat} runs)`);
if (meta.note) line(`- Note: ${meta.note}`);
line();
line('How it is measured: the release build (`cargo leptos build --release`) serves a fresh');
line('database on the project-local PostgreSQL, on the same machine as the load generator.');
line('People are signed up through `/api/signup` (real argon2id hashes), tasks are inserted');
line('with `generate_series`. wrk (2 threads, keep-alive, Lua scripts in `bench/wrk/`) sends');
line('what the hydrated app sends; any answer outside 2xx counts as an error. Right after');
line('each app run, pgbench runs `bench/pgbench/<script>.sql` (the statements that request');
line('issues, in order, `-M prepared`, `-j 2`, same concurrency, same duration, same rows,');
line('same session) against the same database: the ceiling. The session `save` UPDATE is');
line('left out of the ceiling: the app writes it at most once a minute per session.');
line(`The server runs with \`DATABASE_MAX_CONNECTIONS=${meta.pool}\` (so at concurrency ${first} no request`);
line('waits for a connection), `PASSWORD_HASH_CONCURRENCY` at its default (cores), log-in');
line('throttle limits raised out of the way, `RUST_LOG=warn`. Load generator, server and');
line('database share the same cores, as do pgbench and the database in the ceiling run.');
line('CPU ms per request: CPU time used by the server process / by all PostgreSQL processes');
line('during the run, divided by the requests (or pgbench transactions) completed.');
line();

line('## Scenarios');
line();
line('| scenario | conc | app req/s | p50 ms | p99 ms | errors | ceiling tx/s | app / ceiling | server CPU ms/req | PG CPU ms/req (app) | PG CPU ms/tx (pgbench) |');
line('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const spread = [];
for (const [name, label, statements] of SCENARIOS) {
  for (const conc of concs) {
    const a = app(name, conc);
    const c = ceiling(name, conc);
    if (!a && !c) continue;
    const r = ratio(name, conc);
    line(
      `| ${label} | ${conc} | ${a ? fmt(a.result.rps) : 'n/a'} | ${a ? fmt(a.result.p50_ms, 2) : 'n/a'} | ${
        a ? fmt(a.result.p99_ms, 2) : 'n/a'
      } | ${a ? a.result.errors : 'n/a'} | ${c ? fmt(c.tps) : 'n/a'} | ${r === undefined ? 'n/a' : `${(r * 100).toFixed(0)}%`} | ${
        a ? fmt(a.server_cpu_per_req, 3) : 'n/a'
      } | ${a ? fmt(a.pg_cpu_per_req, 3) : 'n/a'} | ${c ? fmt(c.pg_cpu_per_tx, 3) : 'n/a'} |`,
    );
    if (a && c && a.runs.length > 1) {
      spread.push(`| ${name} | ${conc} | ${a.runs.map((v) => fmt(v, 0)).join(', ')} | ${c.runs.map((v) => fmt(v, 0)).join(', ')} |`);
    }
  }
}
line();
if (spread.length) {
  line('Each run, in the order run (the table above takes the medians), req/s of the app and tx/s of the ceiling:');
  line();
  line('<details><summary>runs</summary>');
  line();
  line('| scenario | conc | app | ceiling |');
  line('|---|---:|---|---|');
  for (const row of spread) line(row);
  line();
  line('</details>');
  line();
}
line('Ceiling statements per scenario: ' + SCENARIOS.map(([n, , s]) => `${n}: ${s}`).join('; ') + '.');
const withErrors = rows.filter((r) => r.kind === 'app' && r.result.errors > 0);
for (const r of withErrors) {
  line();
  line(`Errors in ${r.scenario} at ${r.conc}${r.rep ? ` (run ${r.rep})` : ''}: ${r.result.non2xx} non-2xx, ${r.result.socket_errors} socket errors; first: \`${r.result.first_error}\``);
}
line();

// --- log-in -------------------------------------------------------------------------
const single = one('single', 'login');
const loginApp = app('login', first);
const hashSecs = single ? single.result.p50_ms / 1000 : undefined;
const loginBound = hashSecs ? meta.hash_concurrency / hashSecs : undefined;
const loginOk = loginApp && loginBound ? loginApp.result.rps >= 0.8 * loginBound : undefined;
const unloaded = one('probe', 'home_unloaded');
const loaded = one('probe', 'home_under_login');
const probeLoad = one('probe_load', 'login');
const probeOk = unloaded && loaded ? loaded.result.p99_ms <= 3 * unloaded.result.p99_ms : undefined;

line('## Log in');
line();
line(`- One client logging in again and again: p50 ${fmt(single && single.result.p50_ms, 1)} ms per log-in, ${fmt(single && single.result.rps)} log-ins/s. That time is taken as the single-hash time (it also holds the log-in's four statements, well under a millisecond, so it slightly flatters the target).`);
line(`- Bound: ${meta.cores} cores / ${fmt(hashSecs * 1000, 1)} ms = ${fmt(loginBound)} log-ins/s; 80% of it = ${fmt(loginBound * 0.8)}. Measured at concurrency ${first}: ${fmt(loginApp && loginApp.result.rps)} log-ins/s.`);
line(`- \`GET /\` with ${meta.probe_conc} connections, alone: p50 ${fmt(unloaded && unloaded.result.p50_ms, 2)} ms, p99 ${fmt(unloaded && unloaded.result.p99_ms, 2)} ms, ${fmt(unloaded && unloaded.result.rps)} req/s.`);
line(`- The same while 16 connections log in (${fmt(probeLoad && probeLoad.result.rps)} log-ins/s, ${probeLoad ? probeLoad.result.errors : 'n/a'} errors): p50 ${fmt(loaded && loaded.result.p50_ms, 2)} ms, p99 ${fmt(loaded && loaded.result.p99_ms, 2)} ms (${unloaded && loaded ? fmt(loaded.result.p99_ms / unloaded.result.p99_ms, 2) : 'n/a'}x), ${fmt(loaded && loaded.result.rps)} req/s.`);
line();

// --- memory ---------------------------------------------------------------------------
const rss = rows.filter((r) => r.kind === 'rss');
const peakKb = Math.max(...rss.map((r) => r.vmhwm_kb));
// The target says 100 MB: decimal megabytes, 100,000,000 bytes.
const mb = (kb) => (kb * 1024) / 1e6;
const rssOk = rss.length ? mb(peakKb) < 100 : undefined;
line('## Memory');
line();
line(`Server peak RSS (VmHWM, at the end of the run, so over all of it): ${fmt(mb(peakKb), 1)} MB (${fmt(peakKb / 1024, 1)} MiB); resident at the end: ${fmt(mb(rss[rss.length - 1].vmrss_kb), 1)} MB. Server CPU over the whole run: ${fmt(meta.server_cpu_total_ms / 1000, 1)} s.`);
line();
// Where the peak was reached: the high-water mark after each run, where it grew.
let seen = 0;
const steps = [];
for (const r of rows.filter((r) => r.vmhwm_kb !== undefined && r.kind !== 'rss')) {
  if (r.vmhwm_kb > seen) steps.push(`${r.scenario} c=${r.conc}: ${fmt(mb(r.vmhwm_kb), 1)}`);
  seen = Math.max(seen, r.vmhwm_kb);
}
if (steps.length) {
  line(`Peak RSS in MB after each run that raised it, in run order: ${steps.join('; ')}; after the browser loads: ${fmt(mb(peakKb), 1)}.`);
  line();
}

// --- client -----------------------------------------------------------------------------
const assets = rows.filter((r) => r.kind === 'asset');
const sum = (list) => list.reduce((t, a) => ({ raw: t.raw + a.raw, gzip: t.gzip + a.gzip, brotli: t.brotli + a.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const serving = one('serving') || {};
const hydration = one('hydration');
// First visits: an anonymous one to /login (the hydration runs) and a signed-in one
// to /, each with an empty cache; what each fetched from /pkg/ is what it downloads.
const visits = [hydration, one('first_visit')].filter((v) => v && v.result.files).map((v) => {
  const files = v.result.files.map((name) => assets.find((a) => a.file === name) || { file: name, raw: 0, gzip: 0, brotli: 0, missing: true });
  return { path: v.result.path, files, total: sum(files) };
});
const WEIGHT_LIMIT = 150 * 1000;
const weightOk = (v) => v.total.brotli <= WEIGHT_LIMIT && v.files.every((f) => !f.missing);
const bundle = assets.filter((a) => /\.(wasm|js|css)$/.test(a.file));
line('## Client');
line();
line('Every file of the release build\'s `target/site/pkg` (gzip -9, brotli quality 11):');
line();
line('| file | raw | gzip | brotli | precompressed beside it |');
line('|---|---:|---:|---:|---|');
for (const a of assets) {
  line(`| ${a.file} | ${kb(a.raw)} | ${kb(a.gzip)} | ${kb(a.brotli)} | ${[a.br_file && '.br', a.gz_file && '.gz'].filter(Boolean).join(' ') || 'none'} |`);
}
const all = sum(assets);
line(`| **all of them** | ${kb(all.raw)} | ${kb(all.gzip)} | ${kb(all.brotli)} | |`);
line();
line('What a first visit downloads from `/pkg/` (headless Chromium, empty cache, every response until the network is idle after hydration):');
line();
line('| first visit | files | raw | gzip | brotli |');
line('|---|---|---:|---:|---:|');
for (const v of visits) {
  line(`| \`${v.path}\` | ${v.files.map((f) => f.file + (f.missing ? ' (not in pkg!)' : '')).join(', ')} | ${kb(v.total.raw)} | ${kb(v.total.gzip)} | ${kb(v.total.brotli)} |`);
}
line();
const hashed = bundle.length > 0 && bundle.every((a) => /\.[0-9A-Za-z_-]{8,}\.(wasm|js|css)$/.test(a.file));
const longCache = /max-age=(\d+)/.exec(serving.wasm_cache_control || '');
const cacheOk = !!longCache && Number(longCache[1]) >= 86400 * 30 && !/no-cache|no-store/.test(serving.wasm_cache_control);
// Precompressed: the build wrote .br and .gz files beside every asset and the server
// sends them (the compression layer would otherwise compress on the fly).
const precompressedOk = bundle.length > 0 && bundle.every((a) => a.br_file && a.gz_file) && serving.wasm_br === 'br' && serving.wasm_gzip === 'gzip';
const htmlOk = ['gzip', 'br', 'zstd', 'deflate'].includes(serving.html_encoding);
line(`Serving \`/pkg/${serving.wasm}\`: \`Accept-Encoding: br\` gets \`Content-Encoding: ${serving.wasm_br || '(none)'}\`, \`gzip\` gets \`${serving.wasm_gzip || '(none)'}\`; \`Cache-Control: ${serving.wasm_cache_control || '(none)'}\`. \`GET /\` with \`Accept-Encoding: gzip, br\` gets \`Content-Encoding: ${serving.html_encoding || '(none)'}\`.`);
line();
if (hydration) {
  line(`Navigation start to the first island hydrated (\`html[data-hydrated]\`, seen at the first pause of Leptos's island script, which hydrates the page's first island before it pauses), \`${hydration.result.path}\`, fresh browser context each time, headless Chromium, ${hydration.result.loads} loads: median **${fmt(hydration.result.median_ms, 0)} ms** (min ${fmt(hydration.result.min_ms, 0)}, max ${fmt(hydration.result.max_ms, 0)}).`);
  line();
}
const pageHtml = one('page_html');
if (pageHtml) {
  line(`The signed-in list page \`${pageHtml.path}\` as the server writes it (${pageHtml.tasks} tasks shown): ${kb(pageHtml.raw)} uncompressed, ${kb(pageHtml.brotli)} with brotli; ${pageHtml.forms} forms, ${pageHtml.islands} island(s) whose props take ${kb(pageHtml.props)}.`);
  line();
}

// --- targets ----------------------------------------------------------------------------
const p50 = (s, c = first) => (app(s, c) ? app(s, c).result.p50_ms : undefined);
const last = concs[concs.length - 1];
const pct = (r) => (r === undefined ? 'n/a' : `${(r * 100).toFixed(0)}%`);
const x = (a, b) => (a !== undefined && b ? `${fmt(a / b, 2)}x` : 'n/a');
const targets = [
  [`\`GET /\` (10,000 tasks) at least 25% of its ceiling at concurrency ${first}`, pct(ratio('home', first)), ratio('home', first) === undefined ? undefined : ratio('home', first) >= 0.25],
  [`\`GET /\` (10,000 tasks) server CPU at most 0.7 ms per page (concurrency ${first})`, app('home', first) ? `${fmt(app('home', first).server_cpu_per_req, 3)} ms` : 'n/a', app('home', first) ? app('home', first).server_cpu_per_req <= 0.7 : undefined],
  [`\`GET /\` zero errors at concurrency ${last}`, app('home', last) ? `${app('home', last).result.errors} errors` : 'n/a', app('home', last) ? app('home', last).result.errors === 0 : undefined],
  [`Create at least 60% of its ceiling (concurrency ${first})`, pct(ratio('create', first)), ratio('create', first) === undefined ? undefined : ratio('create', first) >= 0.6],
  [`Toggle at least 60% of its ceiling (concurrency ${first})`, pct(ratio('toggle', first)), ratio('toggle', first) === undefined ? undefined : ratio('toggle', first) >= 0.6],
  ['First page p50, 100,000 tasks within 1.3x of 1,000 tasks', `${fmt(p50('home_100k'), 2)} vs ${fmt(p50('home_1k'), 2)} ms = ${x(p50('home_100k'), p50('home_1k'))}`, p50('home_100k') && p50('home_1k') ? p50('home_100k') <= 1.3 * p50('home_1k') : undefined],
  ['Deep page p50 within 1.3x of the first page (100,000 tasks)', `${fmt(p50('deep_100k'), 2)} vs ${fmt(p50('home_100k'), 2)} ms = ${x(p50('deep_100k'), p50('home_100k'))}`, p50('deep_100k') && p50('home_100k') ? p50('deep_100k') <= 1.3 * p50('home_100k') : undefined],
  ['Search p50 within 2x of the first page (100,000 tasks)', `${fmt(p50('search_100k'), 2)} vs ${fmt(p50('home_100k'), 2)} ms = ${x(p50('search_100k'), p50('home_100k'))}`, p50('search_100k') && p50('home_100k') ? p50('search_100k') <= 2 * p50('home_100k') : undefined],
  ['Deep page p50 within 1.3x of the first page (10,000 tasks)', `${fmt(p50('deep'), 2)} vs ${fmt(p50('home'), 2)} ms = ${x(p50('deep'), p50('home'))}`, p50('deep') && p50('home') ? p50('deep') <= 1.3 * p50('home') : undefined],
  ['Log in at least 80% of cores / single-hash time', `${fmt(loginApp && loginApp.result.rps)} vs ${fmt(loginBound && loginBound * 0.8)} log-ins/s (${loginApp && loginBound ? pct(loginApp.result.rps / loginBound) : 'n/a'} of the bound)`, loginOk],
  ['`GET /` p99 under log-in load within 3x of unloaded', `${fmt(loaded && loaded.result.p99_ms, 2)} vs ${fmt(unloaded && unloaded.result.p99_ms, 2)} ms = ${x(loaded && loaded.result.p99_ms, unloaded && unloaded.result.p99_ms)}`, probeOk],
  ['Server peak RSS under 100 MB', `${fmt(mb(peakKb), 1)} MB`, rssOk],
  ...visits.map((v) => [`WASM + JS + CSS of a first visit to \`${v.path}\` at most 150 kB with brotli`, kb(v.total.brotli), weightOk(v)]),
  ['Navigation to the first island hydrated: median no slower than 121 ms (`/login`)', hydration ? `${fmt(hydration.result.median_ms, 0)} ms` : 'n/a', hydration ? hydration.result.median_ms <= 121 : undefined],
  ['Static files served precompressed (brotli and gzip)', `.br/.gz files: ${bundle.filter((a) => a.br_file && a.gz_file).length} of ${bundle.length}; served as br: ${serving.wasm_br || 'none'}, gzip: ${serving.wasm_gzip || 'none'}`, serving.wasm ? precompressedOk : undefined],
  ['Static files with hashed names', bundle.map((a) => a.file).join(', '), bundle.length ? hashed : undefined],
  ['Static files with long-lived cache headers', `\`${serving.wasm_cache_control || 'none'}\``, serving.wasm ? cacheOk : undefined],
  ['HTML compressed on the fly', serving.html_encoding || 'none', serving.wasm ? htmlOk : undefined],
];
line('## Targets');
line();
line('| target | measured | |');
line('|---|---|---|');
for (const [what, measured, ok] of targets) line(`| ${what} | ${measured} | ${verdict(ok)} |`);
line();
const missed = targets.filter(([, , ok]) => ok === false).length;
line(`${targets.length - missed} of ${targets.length} targets met${missed ? `, ${missed} missed` : ''}.`);

// The hand-made profile of what the misses come from, kept beside this script.
const analysis = require('path').join(__dirname, 'analysis.md');
if (fs.existsSync(analysis)) {
  line();
  line(fs.readFileSync(analysis, 'utf8').trimEnd());
}

const text = out.join('\n') + '\n';
fs.writeFileSync(reportPath, text);
process.stdout.write(text);
