// Owns the thirteen fault scenarios, one node:test test each: the database stopped,
// killed or cut off, the app killed or signalled, a panic, a transaction pooler, TLS,
// two instances, a cold start, bad input, and a backup taken under writes and
// restored, each outcome checked against the table.
//
// scripts/faults runs this file under faults/reporter.mjs, with FAULTS_BIN (the
// release server), PG_BIN (initdb, pg_ctl, psql, pgbench, pg_dump, pg_restore),
// FAULTS_WORK (a scratch directory), and optionally FAULTS_ONLY (e.g. "1,8": only
// these) and FAULTS_RESULTS (a file for the figures as JSON).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { App, call, get, logIn as logInAs, signUp as signUpAs, whoami } from '../harness/app.mjs';
import { cleanUpOnSignal, freePort, now, ownByServer, runAsync, seconds, sleep } from '../harness/process.mjs';
import { Bouncer, Cluster } from '../harness/postgres.mjs';
import { checkWrites, createStream, statusCounts } from './writes.mjs';

const BIN = process.env.FAULTS_BIN;
const PG_BIN = process.env.PG_BIN;
const WORK = process.env.FAULTS_WORK;
assert.ok(BIN && PG_BIN && WORK, 'FAULTS_BIN, PG_BIN and FAULTS_WORK must be set (scripts/faults sets them)');
const ONLY = process.env.FAULTS_ONLY ? new Set(process.env.FAULTS_ONLY.split(',').map(Number)) : null;
const ACQUIRE_MS = 2000; // DATABASE_ACQUIRE_TIMEOUT below
const UNAVAILABLE = 'temporarily unavailable';
const PASSWORD = 'faults-password-0123';

const dbPassword = randomBytes(12).toString('hex');
const cluster = new Cluster({
  bin: PG_BIN, dir: join(WORK, 'pg'), port: await freePort(55430), password: dbPassword, maxConnections: 40,
});

const SITE = join(WORK, 'site');
const baseEnv = {
  LEPTOS_OUTPUT_NAME: 'tasks',
  LEPTOS_SITE_ROOT: SITE,
  LEPTOS_SITE_PKG_DIR: 'pkg',
  // Plain bundle names, so the placeholders below are what the pages link.
  LEPTOS_HASH_FILES: 'false',
  LEPTOS_ENV: 'PROD',
  SERVED_OVER_HTTPS: 'false',
  RUST_LOG: 'warn',
  DATABASE_MAX_CONNECTIONS: '10',
  DATABASE_ACQUIRE_TIMEOUT: `${ACQUIRE_MS}ms`,
  DATABASE_CONNECT_RETRY_FOR: '30s',
  PASSWORD_HASH_CONCURRENCY: '2',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
  SIGNUP_MAX_PER_ADDRESS: '1000000',
  FAULT_INJECTION: 'true',
};

const started = [];
const bouncers = [];
const clusters = [cluster];
async function stopAll() {
  for (const app of started.splice(0)) await app.stop();
  for (const bouncer of bouncers.splice(0)) await bouncer.stop();
}
cleanUpOnSignal(async () => {
  await stopAll();
  for (const c of clusters) await c.stop('immediate');
});

async function newApp(name, env = {}) {
  const app = new App({
    bin: BIN, work: WORK, name, port: await freePort(3400),
    env: { ...baseEnv, DATABASE_URL: cluster.url(), ...env },
  });
  started.push(app);
  return app;
}

async function healthyApp(name, env) {
  const app = (await newApp(name, env)).start();
  await app.waitHealthy();
  return app;
}

const signUp = (base, address) => signUpAs(base, { email: address, password: PASSWORD, name: 'Fault Tester' });
const logIn = (base, address) => logInAs(base, address, PASSWORD);

let people = 0;
const email = (tag) => `${tag}-${++people}@example.com`;

/** Checks shared by the database-outage scenarios. */
function outageFailures(records) {
  const problems = [];
  const failed = records.filter((r) => r.status !== 200);
  const not503 = failed.filter((r) => r.status !== 503 || !r.body.includes(UNAVAILABLE));
  if (not503.length) {
    problems.push(`${not503.length} failures were not 503 "${UNAVAILABLE}": ${JSON.stringify(statusCounts(not503))}, e.g. ${not503[0].body.slice(0, 200)}`);
  }
  const slowest = Math.max(0, ...failed.map((r) => r.ms));
  if (slowest > ACQUIRE_MS + 1000) problems.push(`a failure took ${seconds(slowest)} (acquire timeout ${seconds(ACQUIRE_MS)})`);
  return { failedCount: failed.length, slowest, problems };
}

function recoveryAfter(records, backAt) {
  const firstOk = records
    .filter((r) => r.status === 200 && r.sentAt + r.ms >= backAt)
    .map((r) => r.sentAt + r.ms - backAt);
  return firstOk.length ? Math.min(...firstOk) : Infinity;
}

async function databaseOutage(tag, inject) {
  const app = await healthyApp(tag);
  const cookie = await signUp(app.base, email(tag));
  const stream = createStream({ bases: [app.base], cookie, prefix: tag });
  await sleep(1500);
  const downAt = now();
  await inject();
  await sleep(3000);
  await cluster.start();
  const backAt = now();
  await sleep(3000);
  const records = await stream.stop();
  await app.stop();
  const writes = checkWrites(cluster, records, tag);
  const outage = outageFailures(records);
  const recovery = recoveryAfter(records, backAt);
  const problems = [...outage.problems];
  if (!writes.ok) problems.push(`writes: ${JSON.stringify(writes)}`);
  if (outage.failedCount === 0) problems.push('no request failed: the fault was not felt');
  if (recovery > 2000) problems.push(`first success ${seconds(recovery)} after the database was back (limit 2 s)`);
  return {
    problems,
    figures: {
      sent: writes.sent, acknowledged: writes.acknowledged, found: writes.found, lost: writes.lost,
      altered: writes.altered, failed: outage.failedCount, failedButStored: writes.failedButStored,
      retried: writes.retried, duplicates: writes.duplicates,
      slowestFailureMs: Math.round(outage.slowest), downForMs: Math.round(backAt - downAt),
      recoveryMs: Math.round(recovery),
    },
  };
}

// One test per scenario. A scenario returns its figures and the problems it found;
// the figures go out as a diagnostic (faults/reporter.mjs prints them), the
// problems make the test fail. The servers it started are stopped either way.
const results = [];
function scenario(n, title, body) {
  if (ONLY && !ONLY.has(n)) return;
  test(`${String(n).padStart(2)}. ${title}`, async (t) => {
    if (!cluster.running()) await cluster.start();
    const t0 = now();
    let outcome;
    try {
      outcome = await body();
    } catch (error) {
      outcome = { problems: [`the scenario itself failed: ${error.stack ?? error}`], figures: {} };
    } finally {
      await stopAll();
    }
    t.diagnostic(`figures ${JSON.stringify(outcome.figures)}`);
    const pass = outcome.problems.length === 0;
    results.push({ n, title, pass, figures: outcome.figures, problems: outcome.problems, seconds: (now() - t0) / 1000 });
    if (!pass) throw new Error(outcome.problems.join('\n'));
  });
}

before(async () => {
  // The scenarios speak HTTP and never load the bundle; the server refuses to start
  // without the files its pages link.
  mkdirSync(join(SITE, 'pkg'), { recursive: true });
  for (const file of ['tasks.js', 'tasks.wasm', 'tasks_bg.wasm', 'tasks.css']) writeFileSync(join(SITE, 'pkg', file), '');
  await cluster.init();
});

after(async () => {
  await stopAll();
  for (const c of clusters) await c.stop('fast');
  if (process.env.FAULTS_RESULTS) writeFileSync(process.env.FAULTS_RESULTS, JSON.stringify(results, null, 2));
});

scenario(1, 'PostgreSQL stopped (fast) and started again during a stream of creates', () =>
  databaseOutage('pg-stop', () => cluster.stop('fast')));

scenario(2, 'PostgreSQL killed with SIGKILL during a stream of creates', () =>
  databaseOutage('pg-kill', () => cluster.kill9()));

scenario(3, 'The app killed with SIGKILL during the stream, and started again', async () => {
  const tag = 'app-kill';
  const app = await healthyApp(tag);
  const who = email(tag);
  const cookie = await signUp(app.base, who);
  const stream = createStream({ bases: [app.base], cookie, prefix: tag });
  await sleep(1500);
  app.signal('SIGKILL');
  await app.waitExit(5000);
  const restartAt = now();
  app.start();
  const upAfter = await app.waitHealthy();
  await sleep(2000);
  const records = await stream.stop();
  const me = await whoami(app.base, cookie);
  await app.stop();
  const writes = checkWrites(cluster, records, tag);
  const problems = [];
  if (!writes.ok) problems.push(`writes: ${JSON.stringify(writes)}`);
  if (me.email !== who) problems.push(`the session did not survive the restart: ${JSON.stringify(me)}`);
  if (writes.failed === 0) problems.push('no request failed: the fault was not felt');
  const after = records.filter((r) => r.sentAt > restartAt + upAfter && r.status !== 200);
  if (after.length) problems.push(`${after.length} requests failed after the restart`);
  return {
    problems,
    figures: {
      sent: writes.sent, acknowledged: writes.acknowledged, found: writes.found, lost: writes.lost,
      altered: writes.altered, failed: writes.failed, failedButStored: writes.failedButStored,
      retried: writes.retried, duplicates: writes.duplicates,
      restartMs: Math.round(upAfter), sessionSurvived: me.email === who,
    },
  };
});

scenario(4, "pg_terminate_backend on all of the app's connections under load", async () => {
  const tag = 'terminate';
  const workers = 4;
  const app = await healthyApp(tag);
  const cookie = await signUp(app.base, email(tag));
  const stream = createStream({ bases: [app.base], cookie, prefix: tag, workers });
  await sleep(1500);
  const terminated = Number(cluster.psql(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'tasks' AND datname = 'faults'"));
  const termAt = now();
  await sleep(2000);
  const records = await stream.stop();
  await app.stop();
  const writes = checkWrites(cluster, records, tag);
  const failed = records.filter((r) => r.status !== 200);
  const later = records.filter((r) => r.sentAt > termAt && r.status !== 200);
  const problems = [];
  if (!writes.ok) problems.push(`writes: ${JSON.stringify(writes)}`);
  if (terminated === 0) problems.push('no connection was terminated');
  if (failed.length > workers) problems.push(`${failed.length} requests failed, more than the ${workers} in flight`);
  if (later.length) problems.push(`${later.length} requests sent after the termination failed: ${JSON.stringify(statusCounts(later))}`);
  const bad = failed.filter((r) => r.status !== 503);
  if (bad.length) problems.push(`in-flight failures answered ${JSON.stringify(statusCounts(bad))}, not 503`);
  return {
    problems,
    figures: {
      terminated, sent: writes.sent, acknowledged: writes.acknowledged, found: writes.found,
      lost: writes.lost, failedInFlight: failed.length, failedAfter: later.length,
    },
  };
});

scenario(5, "Pool exhausted: every database connection held by another client", async () => {
  const tag = 'exhausted';
  const app = await healthyApp(tag);
  const cookie = await signUp(app.base, email(tag));
  cluster.psql(`DO $$ BEGIN CREATE ROLE hog LOGIN PASSWORD '${dbPassword}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  // The app's idle connections go, then another client takes every slot a
  // non-superuser may have, so the pool can neither reuse nor open one.
  cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tasks'");
  const used = Number(cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"));
  const slots = cluster.maxConnections - 3 - used + 1; // +1: the counting psql has gone
  const script = join(WORK, 'hold.sql');
  writeFileSync(script, 'SELECT pg_sleep(120);\n');
  const hog = spawn(join(PG_BIN, 'pgbench'), ['-n', '-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'hog',
    '-c', String(slots), '-j', '1', '-T', '120', '-f', script, 'faults'],
  { env: { ...process.env, PGPASSWORD: dbPassword }, stdio: 'ignore' });
  let held = 0;
  for (let i = 0; i < 100 && held < slots; i++) {
    await sleep(100);
    held = Number(cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'hog'"));
  }
  const during = [];
  for (let i = 0; i < 6; i++) {
    during.push(await call(app.base, '/api/tasks/create', { title: `${tag}-held-${i}`, description: '' }, { cookie }));
  }
  const pageDuring = await get(app.base, '/', { cookie });
  // A backend asleep in pg_sleep notices its client has gone only when it wakes,
  // so the other client's connections are ended on the server as well.
  hog.kill('SIGTERM');
  cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'hog'");
  const releasedAt = now();
  let recovery = Infinity;
  const after = [];
  for (let i = 0; i < 100; i++) {
    const r = await call(app.base, '/api/tasks/create', { title: `${tag}-after-${i}`, description: '' }, { cookie });
    after.push(r);
    if (r.status === 200) {
      recovery = now() - releasedAt;
      break;
    }
    await sleep(50);
  }
  await app.stop();
  const storedDuring = Number(cluster.psql(`SELECT count(*) FROM tasks WHERE title LIKE '${tag}-held-%'`, 'faults'));
  const outage = outageFailures(during);
  const problems = [...outage.problems];
  if (held < slots) problems.push(`the other client held only ${held} of ${slots} connections`);
  if (outage.failedCount !== during.length) problems.push(`${during.length - outage.failedCount} requests succeeded while no connection was free`);
  if (pageDuring.status !== 503) problems.push(`GET / answered ${pageDuring.status} while no connection was free`);
  if (storedDuring !== 0) problems.push(`${storedDuring} refused creates were stored`);
  if (recovery > 2000) problems.push(`service returned ${seconds(recovery)} after the release (limit 2 s)`);
  return {
    problems,
    figures: {
      heldConnections: held, requestsWhileHeld: during.length + 1, answered503: outage.failedCount + (pageDuring.status === 503 ? 1 : 0),
      slowestMs: Math.round(Math.max(outage.slowest, pageDuring.ms)), recoveryMs: Math.round(recovery),
    },
  };
});

scenario(6, 'SIGTERM with requests in flight', async () => {
  const tag = 'sigterm';
  const app = await healthyApp(tag);
  const who = email(tag);
  const cookie = await signUp(app.base, who);
  // Log-ins take tens of milliseconds of hashing each, two at a time: in flight
  // for a good while after the signal.
  const inFlight = [
    ...Array.from({ length: 12 }, () => call(app.base, '/api/login', { email: who, password: PASSWORD })),
    ...Array.from({ length: 12 }, (_, i) => call(app.base, '/api/tasks/create', { title: `${tag}-${i}`, description: '' }, { cookie })),
  ];
  await sleep(150);
  const signalledAt = now();
  app.signal('SIGTERM');
  const answers = await Promise.all(inFlight);
  const exit = await app.waitExit(15000);
  const exitMs = exit ? exit.at - signalledAt : Infinity;
  const refused = await get(app.base, '/healthz', { timeoutMs: 2000 });
  const stored = Number(cluster.psql(`SELECT count(*) FROM tasks WHERE title LIKE '${tag}-%'`, 'faults'));
  const problems = [];
  const notOk = answers.filter((r) => r.status !== 200);
  if (notOk.length) problems.push(`${notOk.length} in-flight requests did not complete: ${JSON.stringify(statusCounts(notOk))}`);
  if (!exit) problems.push('the process did not exit within 15 s');
  else if (exit.code !== 0) problems.push(`exit code ${exit.code} (signal ${exit.signal})`);
  if (stored !== 12) problems.push(`${stored} of 12 creates stored`);
  if (refused.status !== 0) problems.push(`a request after exit answered ${refused.status}`);
  return {
    problems,
    figures: {
      inFlight: answers.length, completed: answers.length - notOk.length,
      exitCode: exit?.code ?? null, exitAfterMs: Math.round(exitMs), createsStored: stored,
    },
  };
});

scenario(7, 'A panic inside a request', async () => {
  const app = await healthyApp('panic');
  const cookie = await signUp(app.base, email('panic'));
  const panicked = await get(app.base, '/__faults/panic');
  const health = await get(app.base, '/healthz');
  const create = await call(app.base, '/api/tasks/create', { title: 'after-panic', description: '' }, { cookie });
  const logged = app.tail(20000).includes('a request handler panicked');
  await app.stop();
  const problems = [];
  if (panicked.status !== 500) problems.push(`the panicking request answered ${panicked.status}`);
  if (/injected|panicked|src\//.test(panicked.body)) problems.push(`the answer leaks details: ${panicked.body.slice(0, 200)}`);
  if (health.status !== 200 || create.status !== 200) problems.push(`afterwards: healthz ${health.status}, create ${create.status}`);
  if (!logged) problems.push('the panic was not logged');
  return { problems, figures: { panicStatus: panicked.status, afterwards: create.status, logged } };
});

scenario(8, 'Through PgBouncer in transaction mode (migrations over the direct connection)', async () => {
  const tag = 'bouncer';
  cluster.psql('CREATE DATABASE faults_pooled OWNER tasks');
  cluster.psql('CREATE DATABASE faults_unpooled OWNER tasks');
  const bouncer = new Bouncer({ dir: join(WORK, 'pgbouncer'), port: await freePort(56430), cluster, poolSize: 3 });
  bouncers.push(bouncer);
  bouncer.start();
  try {
    const pooled = bouncer.url('faults_pooled');
    const app = await healthyApp(tag, {
      DATABASE_URL: pooled,
      DATABASE_TRANSACTION_POOLER: 'true',
      DATABASE_MIGRATION_URL: cluster.url('faults_pooled'),
    });
    const problems = [];
    const who = email(tag);
    let cookie = await signUp(app.base, who);
    const second = await logIn(app.base, who);
    const ops = [];
    const expect = async (what, promise, status = 200) => {
      const r = await promise;
      ops.push(what);
      if (r.status !== status) problems.push(`${what} answered ${r.status}: ${r.body.slice(0, 200)}`);
      return r;
    };
    const created = JSON.parse((await expect('create', call(app.base, '/api/tasks/create', { title: 'one', description: 'x' }, { cookie }))).body);
    const id = String(created.id);
    await expect('list', get(app.base, '/api/tasks/list', { cookie }));
    await expect('page', get(app.base, '/', { cookie: second }));
    await expect('get', get(app.base, `/api/tasks/get?id=${id}`, { cookie }));
    await expect('rename', call(app.base, '/api/tasks/rename', { id, title: 'renamed' }, { cookie }));
    await expect('toggle', call(app.base, '/api/tasks/set-completed', { id, completed: 'true' }, { cookie }));
    await expect('update', call(app.base, '/api/tasks/update', { id, title: 'updated', description: 'y' }, { cookie }));
    await expect('mark all', call(app.base, '/api/tasks/set-all-completed', { completed: 'true' }, { cookie }));
    await expect('clear completed', call(app.base, '/api/tasks/clear-completed', {}, { cookie }));
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify([{ title: 'imported' }])], { type: 'application/json' }), 'tasks.json');
    await expect('import', fetch(`${app.base}/api/tasks/import`, {
      method: 'POST', body: form, headers: { cookie: `session=${cookie}`, accept: 'application/json', 'sec-fetch-site': 'same-origin' },
    }).then(async (r) => ({ status: r.status, body: await r.text() })));
    await expect('export', get(app.base, '/tasks/export.json', { cookie }));
    const importedId = cluster.psql("SELECT id FROM tasks WHERE title = 'imported'", 'faults_pooled');
    await expect('delete', call(app.base, '/api/tasks/delete', { id: importedId }, { cookie }));
    await expect('rename account', call(app.base, '/api/account/name', { name: 'Pooled' }, { cookie }));
    // This browser stays signed in, under a new session id.
    cookie = (await expect('change password', call(app.base, '/api/account/password', { current_password: PASSWORD, new_password: 'another-password-456' }, { cookie }))).cookie ?? cookie;
    await expect('old session ended', whoami(app.base, second).then((me) => ({ status: me.email === null ? 200 : 500, body: JSON.stringify(me) })));
    // Many clients, few server connections: statements of different requests
    // interleave on the same servers.
    const stream = createStream({ bases: [app.base], cookie, prefix: tag, workers: 8 });
    await sleep(3000);
    const records = await stream.stop();
    await expect('log out', call(app.base, '/api/logout', {}, { cookie }));
    const writes = checkWrites({ psql: (sql) => cluster.psql(sql, 'faults_pooled') }, records, tag);
    if (!writes.ok || writes.failed) problems.push(`stream: ${JSON.stringify(writes)} ${JSON.stringify(statusCounts(records))}`);
    const migrated = Number(cluster.psql('SELECT count(*) FROM _sqlx_migrations', 'faults_pooled'));
    if (migrated < 5) problems.push(`only ${migrated} migrations applied`);
    await app.stop();

    // The same stream without the pooler mode, to show what it prevents.
    const plain = await healthyApp(`${tag}-plain`, {
      DATABASE_URL: bouncer.url('faults_unpooled'),
      DATABASE_TRANSACTION_POOLER: 'false',
      DATABASE_MIGRATION_URL: cluster.url('faults_unpooled'),
    });
    let withoutMode = '';
    try {
      const plainCookie = await signUp(plain.base, email(tag));
      const plainStream = createStream({ bases: [plain.base], cookie: plainCookie, prefix: `${tag}-plain`, workers: 8 });
      await sleep(3000);
      const plainRecords = await plainStream.stop();
      withoutMode = `${plainRecords.filter((r) => r.status !== 200).length} of ${plainRecords.length} creates failed`;
    } catch (error) {
      withoutMode = `failed at once (${String(error.message).slice(0, 60)})`;
    }
    await plain.stop();
    return {
      problems,
      figures: {
        operations: ops.length, streamSent: writes.sent, streamAcknowledged: writes.acknowledged,
        found: writes.found, lost: writes.lost, serverConnections: bouncer.poolSize, appPool: 10,
        migrationsApplied: migrated, withoutPoolerMode: withoutMode,
      },
    };
  } finally {
    await bouncer.stop();
  }
});

scenario(9, 'TLS: verify-full with a private CA; a certificate for another name; require without TLS', async () => {
  const problems = [];
  // sslmode=require against a server without TLS (the main cluster).
  const noTls = (await newApp('tls-require', { DATABASE_URL: cluster.url('faults', '127.0.0.1', '?sslmode=require') })).start();
  const noTlsExit = await noTls.waitExit(10000);
  const noTlsLog = noTls.tail();
  if (!noTlsExit || noTlsExit.code === 0) problems.push('sslmode=require against a server without TLS did not fail');
  if (!/TLS/i.test(noTlsLog)) problems.push(`no clear TLS message: ${noTlsLog.slice(-300)}`);

  const dir = join(WORK, 'tls');
  mkdirSync(dir, { recursive: true });
  const openssl = (args) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Tasks faults test CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  const tls = new Cluster({
    bin: PG_BIN, dir: join(WORK, 'pg-tls'), port: await freePort(55530), password: dbPassword,
    extraConf: `ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n`,
    // The key must belong to the server's user and be readable by it alone.
    beforeFirstStart: (data) => {
      for (const f of ['server.crt', 'server.key']) {
        copyFileSync(join(dir, f), join(data, f));
        ownByServer(join(data, f));
      }
      chmodSync(join(data, 'server.key'), 0o600);
    },
  });
  clusters.push(tls);
  await tls.init();
  try {
    const verified = await healthyApp('tls-verify-full', {
      DATABASE_URL: tls.url('faults', 'localhost', `?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}`),
    });
    const cookie = await signUp(verified.base, email('tls'));
    const create = await call(verified.base, '/api/tasks/create', { title: 'over TLS', description: '' }, { cookie });
    const encrypted = Number(tls.psql("SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename = 'tasks' AND ssl"));
    await verified.stop();
    if (create.status !== 200) problems.push(`create over verify-full answered ${create.status}`);
    if (encrypted === 0) problems.push("the app's connections were not encrypted");

    const wrongName = (await newApp('tls-wrong-name', {
      DATABASE_URL: tls.url('faults', '127.0.0.1', `?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}`),
    })).start();
    const wrongExit = await wrongName.waitExit(10000);
    const wrongLog = wrongName.tail();
    if (!wrongExit || wrongExit.code === 0) problems.push('a certificate for another host name was accepted');
    if (!/certificate|name/i.test(wrongLog)) problems.push(`no clear certificate message: ${wrongLog.slice(-300)}`);

    const unknownCa = (await newApp('tls-unknown-ca', {
      DATABASE_URL: tls.url('faults', 'localhost', '?sslmode=verify-full'),
    })).start();
    const unknownExit = await unknownCa.waitExit(10000);
    if (!unknownExit || unknownExit.code === 0) problems.push('a certificate from an unknown CA was accepted');
    return {
      problems,
      figures: {
        verifyFull: create.status === 200 ? 'connects, encrypted' : 'failed',
        requireWithoutTls: `exit ${noTlsExit?.code} in ${noTlsExit ? 'under 10 s' : 'more than 10 s'}: ${(noTlsLog.match(/refused the connection: ([^.]*)/) ?? [, '?'])[1]}`,
        otherHostName: `exit ${wrongExit?.code}: ${(wrongLog.match(/refused the connection: ([^.]*)/) ?? [, '?'])[1]}`,
        unknownCa: `exit ${unknownExit?.code}`,
      },
    };
  } finally {
    await tls.stop();
  }
});

scenario(10, 'Two app instances on two ports over one database', async () => {
  const tag = 'two';
  const a = await healthyApp(`${tag}-a`);
  const b = await healthyApp(`${tag}-b`);
  const who = email(tag);
  const cookie = await signUp(a.base, who);
  const onB = await whoami(b.base, cookie);
  const stream = createStream({ bases: [a.base, b.base], cookie, prefix: tag, workers: 6 });
  // Toggles from both instances meanwhile, on the tasks created so far.
  const toggles = [];
  for (let i = 0; i < 40; i++) {
    await sleep(50);
    const done = stream.records.filter((r) => r.status === 200);
    if (!done.length) continue;
    const task = JSON.parse(done[i % done.length].body);
    toggles.push(await call([a.base, b.base][i % 2], '/api/tasks/set-completed', { id: String(task.id), completed: String(i % 3 !== 0) }, { cookie }));
  }
  const records = await stream.stop();
  const writes = checkWrites(cluster, records, tag);
  const counts = cluster.psql(`SELECT c.active || ' ' || c.completed || ' ' ||
      (SELECT count(*) FILTER (WHERE NOT completed) FROM tasks t WHERE t.user_id = u.id) || ' ' ||
      (SELECT count(*) FILTER (WHERE completed) FROM tasks t WHERE t.user_id = u.id)
    FROM users u JOIN task_counts c ON c.user_id = u.id WHERE u.email = '${who}'`, 'faults').split(' ').map(Number);
  await call(b.base, '/api/logout', {}, { cookie });
  const afterLogout = await whoami(a.base, cookie);
  await a.stop();
  await b.stop();
  const problems = [];
  if (onB.email !== who) problems.push(`the session from instance A was not valid on B: ${JSON.stringify(onB)}`);
  if (!writes.ok || writes.failed) problems.push(`writes: ${JSON.stringify(writes)}`);
  const badToggles = toggles.filter((r) => r.status !== 200);
  if (badToggles.length) problems.push(`${badToggles.length} toggles failed`);
  if (counts[0] !== counts[2] || counts[1] !== counts[3]) problems.push(`counter ${counts[0]}/${counts[1]} but table ${counts[2]}/${counts[3]}`);
  if (afterLogout.email !== null) problems.push('logging out on B left the session valid on A');
  return {
    problems,
    figures: {
      sent: writes.sent, acknowledged: writes.acknowledged, found: writes.found, lost: writes.lost,
      toggles: toggles.length, counter: `${counts[0]} active / ${counts[1]} done, table agrees: ${counts[0] === counts[2] && counts[1] === counts[3]}`,
      sessionSharedAndEnded: onB.email === who && afterLogout.email === null,
    },
  };
});

scenario(11, 'Cold start: the app starts while the database is still down', async () => {
  await cluster.stop('fast');
  const app = (await newApp('cold-start')).start();
  await sleep(3000);
  const stillWaiting = !app.exited;
  await cluster.start();
  const backAt = now();
  let healthyAfter = Infinity;
  try {
    await app.waitHealthy(30000);
    healthyAfter = now() - backAt;
  } catch { /* reported below */ }
  let create = { status: 0 };
  if (healthyAfter < Infinity) {
    const cookie = await signUp(app.base, email('cold'));
    create = await call(app.base, '/api/tasks/create', { title: 'after a cold start', description: '' }, { cookie });
  }
  const retried = (app.tail(20000).match(/not reachable yet; retrying/g) ?? []).length;
  await app.stop();
  const problems = [];
  if (!stillWaiting) problems.push(`the app gave up while the database was down: ${app.tail(300)}`);
  // Start-up retries back off to at most 5 s between attempts.
  if (healthyAfter > 6000) problems.push(`serving ${seconds(healthyAfter)} after the database came up (limit 6 s)`);
  if (create.status !== 200) problems.push(`a create after the cold start answered ${create.status}`);
  return { problems, figures: { downForMs: 3000, retries: retried, servingAfterMs: Math.round(healthyAfter), create: create.status } };
});

scenario(12, 'Bad input at the HTTP level (plus a random-body fuzz)', async () => {
  const app = await healthyApp('bad-input');
  const cookie = await signUp(app.base, email('bad'));
  const count = () => cluster.psql('SELECT (SELECT count(*) FROM tasks) || \' \' || (SELECT count(*) FROM users)', 'faults');
  const before = count();
  const raw = (contentType, body, path = '/api/tasks/create') => call(app.base, path, null, { cookie, raw: { contentType, body } });
  const form = 'application/x-www-form-urlencoded';
  // The server refuses an oversized body from its Content-Length without reading
  // it; fetch may then fail writing instead of reading the answer, so curl (which
  // asks `Expect: 100-continue` first, as it does for large bodies) sends this one.
  const bigFile = join(WORK, 'big-body');
  writeFileSync(bigFile, `title=${'x'.repeat(3 * 1024 * 1024)}&description=`);
  const tooBig = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', `content-type: ${form}`,
    '-H', 'accept: application/json', '-H', 'sec-fetch-site: same-origin', '-H', `cookie: session=${cookie}`,
    '-H', 'expect: 100-continue', '--data-binary', `@${bigFile}`, `${app.base}/api/tasks/create`], { encoding: 'utf8' });
  const cases = [
    ['a 3 MiB body', Promise.resolve({ status: Number(tooBig.stdout), body: 'length limit exceeded' }), 413],
    ['a missing field', raw(form, 'description=only')],
    ['a body cut off after its first key', raw(form, 'title')],
    ['invalid UTF-8, escaped', raw(form, 'title=%FF%FE&description=')],
    ['invalid UTF-8, raw bytes', raw(form, Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x3d, 0xff, 0xfe]))],
    ['a NUL byte in a title', raw(form, 'title=a%00b&description=')],
    ['JSON instead of a form', raw('application/json', '{"title":"x","description":""}')],
    ['plain text', raw('text/plain', 'title=x&description=')],
    ['a truncated upload', raw('multipart/form-data; boundary=XYZ', '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="t.json"\r\n\r\n[{"title":', '/api/tasks/import')],
    ['an upload without a boundary', raw('multipart/form-data', 'whatever', '/api/tasks/import')],
    ['a form sent to the upload', raw(form, 'file=x', '/api/tasks/import')],
    ['a non-number id', raw(form, 'id=abc', '/api/tasks/delete')],
  ];
  const problems = [];
  const seen = [];
  for (const [what, promise, expected] of cases) {
    const r = await promise;
    let message = '';
    try { message = JSON.parse(r.body).message ?? ''; } catch { message = r.status === 413 ? 'length limit' : ''; }
    seen.push(`${what}: ${r.status}`);
    if (expected ? r.status !== expected : !(r.status >= 400 && r.status < 500)) problems.push(`${what} answered ${r.status}`);
    if (!message && r.status !== 413) problems.push(`${what}: no message in ${r.body.slice(0, 120)}`);
  }
  // Fuzz: random bytes under random content types to every writing server function.
  const endpoints = ['/api/tasks/create', '/api/tasks/update', '/api/tasks/rename', '/api/tasks/set-completed',
    '/api/tasks/delete', '/api/tasks/import', '/api/account/name', '/api/signup', '/api/login'];
  const types = [form, 'multipart/form-data; boundary=b', 'application/json', 'text/plain', ''];
  let fuzzed = 0;
  const fuzz5xx = [];
  for (let i = 0; i < 600; i++) {
    const body = randomBytes(Math.floor(Math.random() * 300));
    const r = await raw(types[i % types.length], body, endpoints[i % endpoints.length]);
    fuzzed++;
    if (r.status >= 500 || r.status === 0) fuzz5xx.push(`${endpoints[i % endpoints.length]} ${r.status}`);
  }
  const after = count();
  const health = await get(app.base, '/healthz');
  await app.stop();
  if (fuzz5xx.length) problems.push(`fuzz: ${fuzz5xx.length} answers were 5xx or none: ${fuzz5xx.slice(0, 3).join(', ')}`);
  if (after !== before) problems.push(`rows changed: ${before} -> ${after}`);
  if (health.status !== 200) problems.push('the server stopped serving');
  return { problems, figures: { cases: seen.join('; '), fuzzedRequests: fuzzed, fuzz5xx: fuzz5xx.length, rowsChanged: after !== before } };
});

scenario(13, 'pg_dump while creates stream in, restored into a fresh database', async () => {
  const tag = 'backup';
  const app = await healthyApp(tag);
  const who = email(tag);
  const cookie = await signUp(app.base, who);
  const stream = createStream({ bases: [app.base], cookie, prefix: tag });
  await sleep(1500);
  // As an operator takes one: the cluster's own pg_dump, in the custom format, as the
  // app's role (it owns every object the migrations made; Neon gives no superuser),
  // over TCP, while the stream goes on.
  const asApp = ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'tasks'];
  const pgEnv = { ...process.env, PGPASSWORD: dbPassword };
  const dumpFile = join(WORK, 'backup.dump');
  const dumpStartedAt = now();
  const dump = await runAsync(join(PG_BIN, 'pg_dump'), ['-Fc', ...asApp, '-d', 'faults', '-f', dumpFile], { env: pgEnv });
  const dumpEndedAt = now();
  await sleep(1000);
  const records = await stream.stop();
  await app.stop();
  const problems = [];
  if (dump.status !== 0) return { problems: [`pg_dump exited ${dump.status}: ${dump.output.slice(-500)}`], figures: {} };

  cluster.psql('CREATE DATABASE faults_restored OWNER tasks');
  const restoreStartedAt = now();
  const restore = await runAsync(join(PG_BIN, 'pg_restore'),
    ['--no-owner', '--exit-on-error', ...asApp, '-d', 'faults_restored', dumpFile], { env: pgEnv });
  const restoreMs = now() - restoreStartedAt;
  if (restore.status !== 0) return { problems: [`pg_restore exited ${restore.status}: ${restore.output.slice(-500)}`], figures: {} };

  // The source first: the stream itself lost nothing.
  const source = checkWrites(cluster, records, tag);
  if (!source.ok) problems.push(`writes to the source: ${JSON.stringify(source)}`);

  // The restore against the answers: every create acknowledged before pg_dump
  // started is there as sent, once; nothing sent after it ended is.
  const restoredRows = cluster.psql(
    `SELECT title || E'\\t' || coalesce(description, '') FROM tasks WHERE title LIKE '${tag}-%'`, 'faults_restored',
  ).split('\n').filter(Boolean);
  const restored = new Map(restoredRows.map((row) => row.split('\t')));
  const submissions = new Map();
  for (const r of records) submissions.set(r.n, [...(submissions.get(r.n) ?? []), r]);
  const answeredAt = (r) => r.sentAt + r.ms;
  const ackedWithin = (from, to) => [...submissions.values()]
    .filter((tries) => tries.some((r) => r.status === 200 && answeredAt(r) >= from && answeredAt(r) < to));
  const ackedBefore = ackedWithin(-Infinity, dumpStartedAt);
  const ackedDuring = ackedWithin(dumpStartedAt, dumpEndedAt);
  const missing = ackedBefore.filter((tries) => !restored.has(tries[0].title));
  const sent = new Map(records.map((r) => [r.title, r.description]));
  const altered = [...restored].filter(([title, description]) => sent.get(title) !== description);
  const duplicates = restoredRows.length - restored.size;
  const sentAfter = [...submissions.values()].filter((tries) => tries[0].sentAt > dumpEndedAt);
  const sentAfterRestored = sentAfter.filter((tries) => restored.has(tries[0].title));
  if (missing.length) problems.push(`${missing.length} of ${ackedBefore.length} creates acknowledged before the dump began are not in the restore, e.g. ${missing[0][0].title}`);
  if (altered.length) problems.push(`${altered.length} restored tasks differ from what was sent, e.g. ${altered[0][0]}`);
  if (duplicates) problems.push(`${duplicates} titles are in the restore twice`);
  if (sentAfterRestored.length) problems.push(`${sentAfterRestored.length} creates sent after pg_dump ended are in the restore: it is not the dump's snapshot`);
  if (!ackedBefore.length) problems.push('no create was acknowledged before the dump');
  if (!ackedDuring.length) problems.push('no create was acknowledged while pg_dump ran: the dump did not overlap the writes');
  if (!sentAfter.length) problems.push('no create was sent after the dump ended');

  // The schema and the rest of the data came along whole.
  const migrations = (db) => cluster.psql("SELECT version || ':' || encode(checksum, 'hex') || ':' || success FROM _sqlx_migrations ORDER BY version", db);
  const sourceMigrations = migrations('faults');
  const migrationsMatch = sourceMigrations === migrations('faults_restored');
  if (!migrationsMatch) problems.push('_sqlx_migrations differs between the source and the restore');
  // Nothing but the stream wrote while the dump ran: the rest must match exactly.
  const others = (db) => cluster.psql(`SELECT (SELECT count(*) FROM users) || ' users, ' ||
      (SELECT count(*) FROM tasks WHERE title NOT LIKE '${tag}-%') || ' other tasks'`, db);
  const sourceOthers = others('faults');
  const restoredOthers = others('faults_restored');
  if (sourceOthers !== restoredOthers) problems.push(`source has ${sourceOthers}, the restore ${restoredOthers}`);
  // One snapshot: the trigger-kept counters equal counting the tables, and each of
  // the stream's tasks has the submission row stored in its transaction.
  const counterOff = Number(cluster.psql(`SELECT count(*) FROM users u LEFT JOIN task_counts c ON c.user_id = u.id
    WHERE coalesce(c.active, 0) <> (SELECT count(*) FROM tasks t WHERE t.user_id = u.id AND NOT t.completed)
       OR coalesce(c.completed, 0) <> (SELECT count(*) FROM tasks t WHERE t.user_id = u.id AND t.completed)`, 'faults_restored'));
  if (counterOff) problems.push(`${counterOff} people's task counters disagree with their tasks in the restore`);
  const [restoredTasks, restoredSubmissions] = cluster.psql(`SELECT (SELECT count(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.email = '${who}')
      || ' ' || (SELECT count(*) FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.email = '${who}')`, 'faults_restored').split(' ').map(Number);
  if (restoredTasks !== restoredSubmissions) problems.push(`the restore has ${restoredTasks} of the person's tasks but ${restoredSubmissions} submissions`);

  // The app serves from the restore: migrations find nothing to do, the session
  // made before the dump still holds, the person logs in and sees their tasks, and a
  // new task gets an id (the identity sequences came along).
  const restoredApp = (await newApp(`${tag}-restored`, { DATABASE_URL: cluster.url('faults_restored') })).start();
  let servingAfter = Infinity;
  let login = { status: 0, body: '' };
  let create = { status: 0 };
  try {
    servingAfter = await restoredApp.waitHealthy(30000);
  } catch {
    problems.push(`the app did not serve from the restore: ${restoredApp.tail(400).trim()}`);
  }
  if (servingAfter < Infinity) {
    const oldSession = await whoami(restoredApp.base, cookie);
    login = await call(restoredApp.base, '/api/login', { email: who, password: PASSWORD });
    const list = login.cookie ? await get(restoredApp.base, '/api/tasks/list', { cookie: login.cookie }) : { status: 0, body: '' };
    const listed = list.status === 200 ? JSON.parse(list.body) : null;
    if (login.cookie) create = await call(restoredApp.base, '/api/tasks/create', { title: 'after the restore', description: '' }, { cookie: login.cookie });
    if (oldSession.email !== who) problems.push(`a session from before the dump is not valid on the restore: ${JSON.stringify(oldSession)}`);
    if (login.status !== 200) problems.push(`log-in on the restore answered ${login.status}: ${login.body.slice(0, 200)}`);
    if (!listed || listed.active_count !== restored.size) problems.push(`the list on the restore answered ${list.status} with ${listed?.active_count} active tasks, not ${restored.size}`);
    if (create.status !== 200) problems.push(`a create on the restore answered ${create.status}`);
  }
  await restoredApp.stop();

  return {
    problems,
    figures: {
      sent: source.sent, acknowledged: source.acknowledged,
      ackedBeforeDump: ackedBefore.length, foundInRestore: ackedBefore.length - missing.length,
      createdDuringDump: ackedDuring.length, restoredRows: restored.size,
      sentAfterDump: sentAfter.length, sentAfterDumpInRestore: sentAfterRestored.length, duplicates,
      dumpMs: Math.round(dumpEndedAt - dumpStartedAt), restoreMs: Math.round(restoreMs),
      dumpBytes: statSync(dumpFile).size, migrations: sourceMigrations.split('\n').length, migrationsMatch,
      restoredAppServingMs: Math.round(servingAfter), logIn: login.status, createOnRestore: create.status,
    },
  };
});
