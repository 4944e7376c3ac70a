// Owns one benchmark run, started by scripts/bench once the release build and the
// project-local PostgreSQL are ready: seeds a fresh database, drives the server with
// wrk and each scenario's ceiling with pgbench, measures log-in, memory, client
// weight and hydration, and hands the figures (one JSON object a line) to
// bench/report.js. Settings come from the BENCH_* variables scripts/bench documents.

import { spawn } from 'node:child_process';
import {
  appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { App, get, logIn, signUp } from '../harness/app.mjs';
import { Cluster } from '../harness/postgres.mjs';
import {
  CLOCK_TICKS_PER_S, cleanUpOnSignal, freePort, procStat, procStatusKb, run, runAsync, sleep, stopPid, workDir,
} from '../harness/process.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const env = process.env;
const DURATION = Number(env.BENCH_DURATION || 5);
const REPEAT = Number(env.BENCH_REPEAT || 3);
const CONCURRENCIES = (env.BENCH_CONCURRENCY || '16 64').trim().split(/\s+/).map(Number);
const PROBE_C = Number(env.BENCH_PROBE_CONCURRENCY || 2);
const LOADS = Number(env.BENCH_HYDRATION_LOADS || 20);
const POOL = Number(env.BENCH_POOL || 16);
const REPORT = env.BENCH_REPORT || 'docs/performance.md';
const DB = 'tasks_bench';
const PASSWORD = 'bench-password-0123';
const WRK_DIR = join(ROOT, 'bench', 'wrk');
const PGB_DIR = join(ROOT, 'bench', 'pgbench');
const PG_BIN = env.PG_BIN;
const BIN = env.BENCH_SERVER_BIN;

const say = (message) => process.stderr.write(`\x1b[1;34m==>\x1b[0m ${message}\n`);
// A failure of the run itself, told with the tool's output rather than a stack.
const fail = (message, output = '') => {
  throw Object.assign(new Error(message), { output, told: true });
};

const WORK = workDir('tasks-bench');
const RESULTS = join(WORK, 'results.jsonl');
const record = (row) => appendFileSync(RESULTS, `${JSON.stringify(row)}\n`);
const cluster = Cluster.existing(PG_BIN, join(ROOT, '.local', 'pg'));
let server = null;
let background = null;
let dbCreated = false;

async function cleanUp() {
  if (background) await stopPid(background.child.pid, 2000);
  await server?.stop();
  if (dbCreated && env.BENCH_KEEP_DB !== '1') {
    cluster.psql(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  }
}
cleanUpOnSignal(cleanUp);

try {
  await bench();
  await cleanUp();
  rmSync(WORK, { recursive: true, force: true });
} catch (error) {
  if (error.output) process.stderr.write(`${error.output.trimEnd()}\n`);
  process.stderr.write(`\x1b[1;31merror:\x1b[0m ${error.told ? error.message : error.stack}\n`);
  await cleanUp().catch((e) => process.stderr.write(`${e.message}\n`));
  process.stderr.write(`scripts/bench failed; logs are in ${WORK}\n`);
  process.exitCode = 1;
}

async function bench() {
  // Work on a copy of the binary and the site: a `cargo leptos build` or `watch`
  // running meanwhile (debug) rewrites target/site, and would change what is measured.
  const bin = join(WORK, 'tasks');
  copyFileSync(BIN, bin);
  // Hashed file names (hash-files in Cargo.toml): the server reads hash.txt beside itself.
  copyFileSync(join(dirname(BIN), 'hash.txt'), join(WORK, 'hash.txt'));
  const site = join(WORK, 'site');
  cpSync(join(ROOT, 'target', 'site'), site, { recursive: true });

  // --- database and server ---------------------------------------------------------

  say(`Fresh database ${DB}`);
  cluster.psql(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  cluster.psql(`CREATE DATABASE "${DB}" OWNER tasks`);
  dbCreated = true;

  const port = await freePort(3300);
  say(`Starting the release server on port ${port}`);
  // Without RUST_BACKTRACE (only PATH comes from this environment): Leptos panics
  // in a worker when a client abandons a page mid-render (leptos-rs/leptos#4829; wrk
  // does at the end of every run), and with backtraces on, the first such panic
  // loads the binary's symbols for good (~40 MB).
  server = new App({
    bin, work: WORK, name: 'server', port,
    env: {
      DATABASE_URL: cluster.url(DB), LEPTOS_SITE_ROOT: site, LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'tasks', LEPTOS_HASH_FILES: 'true', LEPTOS_ENV: 'PROD', SERVED_OVER_HTTPS: 'false',
      RUST_LOG: 'warn', DATABASE_MAX_CONNECTIONS: String(POOL),
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
      SIGNUP_MAX_PER_ADDRESS: '1000000',
    },
  }).start();
  await server.waitHealthy(60000);
  const base = server.base;

  // --- seed --------------------------------------------------------------------------

  const people = { '1k': { tasks: 1000 }, '10k': { tasks: 10000 }, '100k': { tasks: 100000 } };
  const emailOf = (who) => `bench-${who}@example.com`;
  say('Seeding: people signed up through /api/signup, tasks by generate_series');
  for (const who of Object.keys(people)) await signUp(base, { name: `Bench ${who}`, email: emailOf(who), password: PASSWORD });
  for (const [who, { tasks }] of Object.entries(people)) {
    // Every fourth task has a description, every third is completed.
    cluster.psql(`INSERT INTO tasks (user_id, title, description, completed)
      SELECT u.id, 'Task number ' || g, CASE WHEN g % 4 = 0 THEN 'Notes for task ' || g END, g % 3 = 0
      FROM users AS u, generate_series(1, ${tasks}) AS g
      WHERE u.email = '${emailOf(who)}' ORDER BY g`, DB);
  }
  cluster.psql('VACUUM ANALYZE', DB);
  for (const [who, person] of Object.entries(people)) {
    const [userId, lo, hi] = cluster.psql(`SELECT u.id, min(t.id), max(t.id) FROM users AS u
      JOIN tasks AS t ON t.user_id = u.id WHERE u.email = '${emailOf(who)}' GROUP BY u.id`, DB).split('|').map(Number);
    Object.assign(person, { userId, lo, hi, cookie: await logIn(base, emailOf(who), PASSWORD) });
    // The page must really be this person's list, signed in.
    const home = await get(base, '/', { cookie: person.cookie, accept: '*/*' });
    writeFileSync(join(WORK, `home-${who}.html`), home.body);
    if (home.status !== 200 || !home.body.includes(`Task number ${person.tasks}`)) {
      fail(`GET / as bench-${who} answered ${home.status} without their newest task (see ${WORK}/home-${who}.html)`);
    }
  }

  // The search scenario must really search: 11 of the 100,000 tasks hold "4242".
  const searched = await get(base, '/?q=4242', { cookie: people['100k'].cookie, accept: '*/*' });
  if (searched.status !== 200 || !searched.body.includes('11 matching tasks')) {
    writeFileSync(join(WORK, 'search-100k.html'), searched.body);
    fail(`GET /?q=4242 as bench-100k answered ${searched.status} without "11 matching tasks" (see ${WORK}/search-100k.html)`);
  }

  // --- measuring ---------------------------------------------------------------------

  const ms = (ticks) => Number(((ticks * 1000) / CLOCK_TICKS_PER_S).toFixed(1));
  // The cluster's CPU so far: the postmaster (with its exited children) and its live children.
  const pgTicks = () => cluster.pids().reduce((total, pid) => total + (procStat(pid)?.ticks ?? 0), 0);
  const cpu = () => ({ server: procStat(server.pid).ticks, pg: pgTicks() });
  const peakKb = () => procStatusKb(server.pid, 'VmHWM');
  const resultOf = (output) => {
    const line = /^BENCH_RESULT (.*)$/m.exec(output);
    return line ? JSON.parse(line[1]) : null;
  };
  const wrk = (conc, script, vars, { threads = conc >= 2 ? 2 : 1, duration = DURATION } = {}) => runAsync('wrk',
    [`-t${threads}`, `-c${conc}`, `-d${duration}s`, '--timeout', '10s', '-s', join(WRK_DIR, script), base],
    { env: { ...env, BENCH_LUA_DIR: WRK_DIR, ...vars } });

  // One wrk run, recorded; `rep` numbers it when its scenario repeats.
  async function runWrk(kind, name, conc, script, vars, { rep = 1, duration, quiet = false } = {}) {
    const before = cpu();
    const r = await wrk(conc, script, vars, { duration, threads: kind === 'probe' ? 1 : undefined });
    const after = cpu();
    if (r.status !== 0) fail(`wrk failed: ${name} c=${conc}`, r.output);
    const result = resultOf(r.output) ?? fail(`wrk printed no result: ${name} c=${conc}`, r.output);
    record({
      kind, scenario: name, conc, rep, server_cpu_ms: ms(after.server - before.server),
      pg_cpu_ms: ms(after.pg - before.pg), vmhwm_kb: peakKb(), result,
    });
    if (!quiet) {
      console.log(`    ${kind.padEnd(6)} ${name.padEnd(12)} c=${String(conc).padEnd(3)} ${result.rps.toFixed(1).padStart(9)} req/s  p50 ${
        result.p50_ms.toFixed(3).padStart(8)} ms  p99 ${result.p99_ms.toFixed(3).padStart(8)} ms  errors ${result.errors}`);
    }
  }

  // The ceiling for one scenario: its statements straight from pgbench.
  async function runPgbench(name, conc, script, vars, rep) {
    const before = cpu();
    const r = await runAsync(join(PG_BIN, 'pgbench'), [
      '-n', '-M', 'prepared', '-c', String(conc), '-j', String(conc >= 2 ? 2 : 1), '-T', String(DURATION),
      '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'tasks', '-f', join(PGB_DIR, script),
      ...Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${v}`]), DB,
    ], {
      // The app has every statement planned for its values (custom plans on every
      // connection): so does this.
      env: { ...env, PGPASSWORD: cluster.password, PGOPTIONS: '-c plan_cache_mode=force_custom_plan' },
    });
    if (r.status !== 0) fail(`pgbench failed: ${name} c=${conc}`, r.output);
    const tps = [...r.output.matchAll(/^tps = ([0-9.]+) /gm)].pop()?.[1] ?? fail(`pgbench printed no tps: ${name} c=${conc}`, r.output);
    const latency = /^latency average = ([0-9.]+) ms/m.exec(r.output)?.[1];
    const failed = /^number of failed transactions: ([0-9]+)/m.exec(r.output)?.[1];
    await sleep(1000); // let pgbench's backends exit: their CPU moves to the postmaster's account
    const after = cpu();
    record({
      kind: 'ceiling', scenario: name, conc, rep, pg_cpu_ms: ms(after.pg - before.pg), tps: Number(tps),
      latency_ms: latency === undefined ? null : Number(latency), failed: Number(failed ?? 0),
    });
    console.log(`    ${'pgbench'.padEnd(6)} ${name.padEnd(12)} c=${String(conc).padEnd(3)} ${tps.padStart(9)} tx/s   mean ${(latency ?? '?').padStart(7)} ms`);
  }

  // The app, then its ceiling, at each concurrency, REPEAT times in turn (so a slow
  // patch of the machine hits both sides, not one).
  async function scenario(name, script, vars, pgbScript, pgbVars) {
    for (const conc of CONCURRENCIES) {
      for (let rep = 1; rep <= REPEAT; rep++) {
        await runWrk('app', name, conc, script, vars, { rep });
        await runPgbench(name, conc, pgbScript, pgbVars, rep);
      }
    }
  }

  const MAX_I64 = '9223372036854775807';
  const { '1k': p1k, '10k': p10k, '100k': p100k } = people;
  const sessionOf = (p) => ({ sid: p.cookie, uid: p.userId });
  const deepAfter = (p) => p.lo + 60;
  const signedIn = (p, path) => ({ BENCH_COOKIE: p.cookie, ...(path ? { BENCH_PATH: path } : {}) });

  say('Warming up (3 s of GET /, not counted)');
  await runWrk('warmup', 'home', 16, 'get.lua', signedIn(p10k), { duration: 3, quiet: true });

  record({ kind: 'meta', loadavg_before: loadavg() });
  say(`Scenarios: ${REPEAT} x ${DURATION}s each, concurrency ${CONCURRENCIES.join(' ')}; app (wrk) then ceiling (pgbench)`);
  await scenario('healthz', 'get.lua', { BENCH_PATH: '/healthz' }, 'healthz.sql', {});
  await scenario('home', 'get.lua', signedIn(p10k), 'home.sql', { ...sessionOf(p10k), limit: 51, after: MAX_I64 });
  await scenario('deep', 'get.lua', signedIn(p10k, `/?after=${deepAfter(p10k)}`), 'deep.sql',
    { ...sessionOf(p10k), limit: 51, after: deepAfter(p10k), newest: deepAfter(p10k) - 1 });
  await scenario('active', 'get.lua', signedIn(p10k, '/?filter=active'), 'active.sql',
    { ...sessionOf(p10k), completed: false, limit: 51, after: MAX_I64 });
  await scenario('home_1k', 'get.lua', signedIn(p1k), 'home.sql', { ...sessionOf(p1k), limit: 51, after: MAX_I64 });
  await scenario('home_100k', 'get.lua', signedIn(p100k), 'home.sql', { ...sessionOf(p100k), limit: 51, after: MAX_I64 });
  await scenario('deep_100k', 'get.lua', signedIn(p100k, `/?after=${deepAfter(p100k)}`), 'deep.sql',
    { ...sessionOf(p100k), limit: 51, after: deepAfter(p100k), newest: deepAfter(p100k) - 1 });
  await scenario('search_100k', 'get.lua', signedIn(p100k, '/?q=4242'), 'search.sql',
    { ...sessionOf(p100k), limit: 51, after: MAX_I64 });
  await scenario('create', 'create.lua', signedIn(p10k), 'create.sql', { ...sessionOf(p10k), title: 'Bench task' });
  await scenario('toggle', 'toggle.lua', { ...signedIn(p10k), BENCH_TASK_LO: p10k.lo, BENCH_TASK_HI: p10k.hi }, 'toggle.sql',
    { ...sessionOf(p10k), lo: p10k.lo, hi: p10k.hi });
  const loginVars = { BENCH_EMAIL: emailOf('1k'), BENCH_PASSWORD: PASSWORD };
  const nowS = Math.floor(Date.now() / 1000);
  await scenario('login', 'login.lua', loginVars, 'login.sql', {
    keys: `{"account:${emailOf('1k')}","address:127.0.0.1"}`, window: 900,
    email: emailOf('1k'), account: `account:${emailOf('1k')}`, address: 'address:127.0.0.1', uid: p1k.userId,
    // The session's JSON as the app stores it.
    data: JSON.stringify({ user_id: p1k.userId, logged_in_at: nowS, seen_at: nowS }),
    expires: '2099-01-01 00:00:00+00',
  });

  say('Log-in with one client: the single-hash time');
  await runWrk('single', 'login', 1, 'login.lua', loginVars);

  say('GET / latency alone, then beside log-ins at concurrency 16');
  await runWrk('probe', 'home_unloaded', PROBE_C, 'get.lua', signedIn(p10k));
  background = wrk(16, 'login.lua', loginVars, { duration: DURATION + 3 });
  await sleep(1500);
  await runWrk('probe', 'home_under_login', PROBE_C, 'get.lua', signedIn(p10k));
  const load = await background;
  background = null;
  writeFileSync(join(WORK, 'login-load.out'), load.output);
  if (load.status !== 0) fail('the background log-in load failed', load.output);
  record({ kind: 'probe_load', scenario: 'login', conc: 16, result: resultOf(load.output) });

  // --- memory, client weight, hydration --------------------------------------------

  const rss = () => record({ kind: 'rss', vmhwm_kb: peakKb(), vmrss_kb: procStatusKb(server.pid, 'VmRSS') });
  rss();

  say("Client weight (the site's pkg/)");
  const pkg = join(site, 'pkg');
  const files = readdirSync(pkg).sort();
  for (const file of files) {
    const path = join(pkg, file);
    if (/\.(br|gz|ts)$/.test(file) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    record({
      kind: 'asset', file, raw: bytes.length,
      // gzip itself, as the report says: zlib's level 9 lands about 1% away from it.
      gzip: run('gzip', ['-9', '-c', path], { encoding: 'buffer' }).stdout.length,
      // The same bytes as the brotli tool's quality 11.
      brotli: zlib.brotliCompressSync(bytes, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
      br_file: existsSync(`${path}.br`), gz_file: existsSync(`${path}.gz`),
    });
  }
  const wasm = files.find((f) => f.endsWith('.wasm'));
  const header = (path, encoding, name) => headerOf(`${base}${path}`, { 'accept-encoding': encoding, cookie: `session=${p10k.cookie}` }, name);
  record({
    kind: 'serving', wasm,
    wasm_br: await header(`/pkg/${wasm}`, 'br', 'content-encoding'),
    wasm_gzip: await header(`/pkg/${wasm}`, 'gzip', 'content-encoding'),
    wasm_cache_control: await header(`/pkg/${wasm}`, 'br', 'cache-control'),
    html_encoding: await header('/', 'gzip, br', 'content-encoding'),
  });

  // The signed-in list page (its first 50 of 10,000 tasks) as the server writes it:
  // what the islands' props and every task's form cost in bytes.
  const page = await bodyOf(`${base}/`, { cookie: `session=${p10k.cookie}` });
  const text = page.toString('utf8');
  record({
    kind: 'page_html', path: '/', tasks: (text.match(/<li[ >]/g) || []).length,
    forms: (text.match(/<form[ >]/g) || []).length,
    islands: (text.match(/<leptos-island[ >]/g) || []).length,
    props: [...text.matchAll(/data-props="([^"]*)"/g)].reduce((n, m) => n + m[1].length, 0),
    raw: page.length,
    brotli: zlib.brotliCompressSync(page, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });

  say(`Time to hydrate: ${LOADS} loads of /login in headless Chromium`);
  record({ kind: 'hydration', result: await hydration(base, LOADS, '/login', {}, 'the hydration measurement failed') });
  say('What a signed-in first visit to / downloads');
  record({ kind: 'first_visit', result: await hydration(base, 2, '/', { BENCH_COOKIE: p10k.cookie }, 'the signed-in page load failed') });

  // Peak RSS once more, after the browser loads.
  rss();
  const serverCpuTotal = ms(procStat(server.pid).ticks);
  await server.stop();
  const errors = server.tail(Infinity).split('\n').filter((line) => /panicked|ERROR/i.test(line));
  if (errors.length) {
    say('The server logged errors:');
    process.stderr.write(`${errors.slice(0, 5).join('\n')}\n`);
  }

  // --- report ------------------------------------------------------------------------

  let command = 'scripts/bench';
  if (env.BENCH_DURATION) command = `BENCH_DURATION=${DURATION} ${command}`;
  if (env.BENCH_REPEAT) command = `BENCH_REPEAT=${REPEAT} ${command}`;
  if (env.BENCH_CONCURRENCY) command = `BENCH_CONCURRENCY="${CONCURRENCIES.join(' ')}" ${command}`;
  const git = (args) => run('git', ['-C', ROOT, ...args], { allowFail: true });
  let commit = git(['rev-parse', '--short', 'HEAD']).stdout.trim() || 'unknown';
  if (git(['diff', '--quiet', 'HEAD', '--', 'src', 'Cargo.toml', 'Cargo.lock', 'migrations']).status !== 0) {
    commit += ' (with uncommitted changes)';
  }
  record({
    kind: 'meta',
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    cores: os.availableParallelism(),
    cpu: /^model name\s*: (.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '',
    kernel: `${os.type()} ${os.release()}`,
    postgres: run(join(PG_BIN, 'postgres'), ['--version']).stdout.split(/\s+/)[2],
    wrk: run('wrk', ['-v'], { allowFail: true }).stdout.split('\n')[0].split(/\s+/)[1],
    command, commit, duration_s: DURATION, repeat: REPEAT, concurrencies: CONCURRENCIES.join(' '),
    probe_conc: PROBE_C, pool: POOL, hash_concurrency: os.availableParallelism(),
    loadavg_after: loadavg(), server_cpu_total_ms: serverCpuTotal, note: env.BENCH_NOTE || '',
  });

  const report = resolve(ROOT, REPORT);
  mkdirSync(dirname(report), { recursive: true });
  run(process.execPath, [join(ROOT, 'bench', 'report.js'), RESULTS, report], { env });
  process.stdout.write(readFileSync(report, 'utf8'));
  say(`Report written to ${REPORT}`);
  if (env.BENCH_RESULTS) {
    copyFileSync(RESULTS, resolve(ROOT, env.BENCH_RESULTS));
    say(`Figures kept in ${env.BENCH_RESULTS} (node bench/report.js ${env.BENCH_RESULTS} ${REPORT} writes the report again)`);
  }
}

function loadavg() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** One header of the answer to a GET with these request headers ('' when absent). */
/** The body of a GET, uncompressed. */
function bodyOf(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { ...headers, 'accept-encoding': 'identity' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

function headerOf(url, headers, name) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (response) => {
      response.resume();
      resolve(response.headers[name] ?? '');
    }).on('error', reject);
  });
}

/** bench/hydration.js in headless Chromium: its one line of JSON. */
function hydration(base, loads, path, extraEnv, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'hydration.js'), base, String(loads), path], {
      env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (status) => {
      try {
        if (status !== 0) throw new Error(`${what} (exit ${status})`);
        resolve(JSON.parse(out));
      } catch (error) {
        reject(Object.assign(new Error(what), { output: `${out}${error.message}`, told: true }));
      }
    });
  });
}
