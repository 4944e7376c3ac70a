// The pieces scripts/faults is made of: PostgreSQL clusters, PgBouncer and app
// processes it starts (and stops by PID), an HTTP client that speaks to the app
// the way the browser does, and a stream of creates whose every answer is kept.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync, openSync, chownSync, readdirSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();

const IS_ROOT = process.getuid?.() === 0;
// initdb and PgBouncer refuse to run as root; as root they run as `postgres`.
const OWNER = IS_ROOT ? Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()) : null;

function asOwner(cmd, args) {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Gives `path` to the user the database servers run as (a no-op unless root). */
export function ownByServer(path) {
  if (OWNER !== null) chownSync(path, OWNER, OWNER);
}

function ownedDir(path, mode = 0o700) {
  mkdirSync(path, { recursive: true, mode });
  if (OWNER !== null) chownSync(path, OWNER, OWNER);
}

function run(cmd, args, { allowFail = false, input } = {}) {
  const [c, a] = asOwner(cmd, args);
  const result = spawnSync(c, a, { encoding: 'utf8', input });
  if (result.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  }
  return result;
}

function runAsync(cmd, args) {
  const [c, a] = asOwner(cmd, args);
  return new Promise((resolve) => {
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (status) => resolve({ status, output }));
  });
}

export async function freePort(from) {
  for (let port = from; port < from + 200; port++) {
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port from ${from}`);
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function childrenOf(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** A PostgreSQL cluster of its own, in `dir`, on `port`, reachable over TCP by role `tasks`. */
export class Cluster {
  // `beforeFirstStart(dataDir)` runs after initdb, e.g. to put certificates in place.
  constructor({ bin, dir, port, password, maxConnections = 40, extraConf = '', beforeFirstStart }) {
    Object.assign(this, { bin, dir, port, password, maxConnections, extraConf, beforeFirstStart });
    this.data = join(dir, 'data');
    this.socket = join(dir, 'run');
    this.log = join(dir, 'postgres.log');
  }

  async init() {
    ownedDir(this.dir);
    ownedDir(this.socket);
    run(join(this.bin, 'initdb'), ['-D', this.data, '-U', 'postgres', '-E', 'UTF8', '--no-locale',
      '--auth-local=trust', '--auth-host=scram-sha-256']);
    appendFileSync(join(this.data, 'postgresql.conf'), `
port = ${this.port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${this.socket}'
max_connections = ${this.maxConnections}
superuser_reserved_connections = 3
${this.extraConf}
`);
    this.beforeFirstStart?.(this.data);
    await this.start();
    this.psql(`CREATE ROLE tasks LOGIN PASSWORD '${this.password}'`);
    this.psql('CREATE DATABASE faults OWNER tasks');
  }

  // Asynchronous, so the load keeps flowing while the server starts or stops.
  async start() {
    const r = await runAsync(join(this.bin, 'pg_ctl'), ['-D', this.data, '-l', this.log, '-w', '-t', '60', 'start']);
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${readFileSync(this.log, 'utf8').slice(-2000)}`);
  }

  async stop(mode = 'fast') {
    await runAsync(join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', 'stop']);
  }

  running() {
    return run(join(this.bin, 'pg_ctl'), ['-D', this.data, 'status'], { allowFail: true }).status === 0;
  }

  postmasterPid() {
    const file = join(this.data, 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
  }

  /** SIGKILL to the postmaster and every process it started: a crash, not a shutdown. */
  async kill9() {
    const pid = this.postmasterPid();
    if (!pid) return;
    const children = childrenOf(pid);
    for (const p of [pid, ...children]) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (let i = 0; i < 100 && [pid, ...children].some(alive); i++) await sleep(50);
  }

  psql(sql, db = 'postgres') {
    const r = run(join(this.bin, 'psql'), ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-h', this.socket,
      '-p', String(this.port), '-U', 'postgres', '-d', db], { input: sql });
    return r.stdout.trim();
  }

  url(db = 'faults', host = '127.0.0.1', query = '') {
    return `postgres://tasks:${this.password}@${host}:${this.port}/${db}${query}`;
  }
}

/** PgBouncer (the Debian package) in transaction mode in front of `cluster`. */
export class Bouncer {
  constructor({ dir, port, cluster, poolSize }) {
    Object.assign(this, { dir, port, cluster, poolSize });
    this.pidFile = join(dir, 'pgbouncer.pid');
  }

  start() {
    ownedDir(this.dir);
    const ini = join(this.dir, 'pgbouncer.ini');
    const users = join(this.dir, 'userlist.txt');
    writeFileSync(users, `"tasks" "${this.cluster.password}"\n`, { mode: 0o600 });
    writeFileSync(ini, `[databases]
* = host=127.0.0.1 port=${this.cluster.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${this.port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${users}
pool_mode = transaction
default_pool_size = ${this.poolSize}
max_client_conn = 200
; what Neon's pooler ignores too; the app sends none in pooler mode
ignore_startup_parameters = extra_float_digits
logfile = ${join(this.dir, 'pgbouncer.log')}
pidfile = ${this.pidFile}
`);
    if (OWNER !== null) {
      chownSync(ini, OWNER, OWNER);
      chownSync(users, OWNER, OWNER);
    }
    run('pgbouncer', ['-d', ini]);
  }

  stop() {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }

  url() {
    return `postgres://tasks:${this.cluster.password}@127.0.0.1:${this.port}/faults`;
  }
}

/** One release server process, with its output in `<name>.log` in the work directory. */
export class App {
  constructor({ bin, work, name, port, env }) {
    Object.assign(this, { bin, work, name, port, env });
    this.base = `http://127.0.0.1:${port}`;
    this.logFile = join(work, `${name}.log`);
  }

  start(extraEnv = {}) {
    const out = openSync(this.logFile, 'a');
    this.exited = null;
    this.proc = spawn(this.bin, [], {
      // The work directory has no .env, so a developer's settings cannot leak in.
      cwd: this.work,
      env: { PATH: process.env.PATH, ...this.env, ...extraEnv, LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}` },
      stdio: ['ignore', out, out],
    });
    this.exitedPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal, at: now() };
        resolve(this.exited);
      });
    });
    return this;
  }

  async waitHealthy(timeoutMs = 60000) {
    const start = now();
    while (now() - start < timeoutMs) {
      if (this.exited) throw new Error(`${this.name} exited (${JSON.stringify(this.exited)}): ${this.tail()}`);
      try {
        const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) return now() - start;
      } catch { /* not up yet */ }
      await sleep(50);
    }
    throw new Error(`${this.name} not healthy within ${timeoutMs} ms: ${this.tail()}`);
  }

  async waitExit(timeoutMs) {
    return Promise.race([this.exitedPromise, sleep(timeoutMs).then(() => null)]);
  }

  signal(sig) {
    if (this.proc && !this.exited) this.proc.kill(sig);
  }

  async stop() {
    if (!this.proc || this.exited) return;
    this.signal('SIGTERM');
    if (!(await this.waitExit(15000))) {
      this.signal('SIGKILL');
      await this.waitExit(5000);
    }
  }

  tail(chars = 1500) {
    try { return readFileSync(this.logFile, 'utf8').slice(-chars); } catch { return ''; }
  }
}

// --- HTTP, as the hydrated app speaks it ---------------------------------------------

export async function call(base, path, fields, { cookie, timeoutMs = 15000, raw } = {}) {
  const headers = {
    accept: 'application/json',
    'sec-fetch-site': 'same-origin',
  };
  let body;
  if (raw) {
    headers['content-type'] = raw.contentType;
    body = raw.body;
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(fields).toString();
  }
  if (cookie) headers.cookie = `session=${cookie}`;
  const started = now();
  try {
    const response = await fetch(base + path, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('session='));
    return {
      status: response.status,
      body: text,
      ms: now() - started,
      cookie: setCookie ? setCookie.slice('session='.length).split(';')[0] : undefined,
    };
  } catch (error) {
    return { status: 0, body: String(error.cause?.code ?? error.name ?? error), ms: now() - started };
  }
}

export async function get(base, path, { cookie, timeoutMs = 15000 } = {}) {
  const headers = { accept: 'application/json' };
  if (cookie) headers.cookie = `session=${cookie}`;
  const started = now();
  try {
    const response = await fetch(base + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text(), ms: now() - started };
  } catch (error) {
    return { status: 0, body: String(error.cause?.code ?? error.name ?? error), ms: now() - started };
  }
}

export const PASSWORD = 'faults-password-0123';

/** Signs a new person up; returns their session cookie. */
export async function signUp(base, email) {
  const r = await call(base, '/api/signup', { name: 'Fault Tester', email, password: PASSWORD });
  if (r.status !== 200 || !r.cookie) throw new Error(`sign-up of ${email} answered ${r.status}: ${r.body}`);
  return r.cookie;
}

export async function logIn(base, email, password = PASSWORD) {
  const r = await call(base, '/api/login', { email, password });
  if (r.status !== 200 || !r.cookie) throw new Error(`log-in of ${email} answered ${r.status}: ${r.body}`);
  return r.cookie;
}

export async function whoami(base, cookie) {
  const r = await call(base, '/api/me', {}, { cookie });
  if (r.status !== 200) return { status: r.status };
  const me = JSON.parse(r.body);
  return { status: 200, email: me?.email ?? null };
}

/**
 * Creates tasks titled `<prefix>-<n>` from `workers` loops until stopped, keeping
 * every answer. `bases` are used in turn (two instances share one stream).
 */
export function createStream({ bases, cookie, prefix, workers = 4 }) {
  const records = [];
  let next = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const n = next++;
      const base = bases[n % bases.length];
      const title = `${prefix}-${n}`;
      const description = `written by worker ${w} as request ${n}`;
      const sentAt = now();
      const r = await call(base, '/api/tasks/create', { title, description }, { cookie });
      records.push({ n, title, description, sentAt, ...r });
      // A refused connection answers at once; do not spin.
      if (r.status === 0) await sleep(20);
    }
  });
  return {
    records,
    async stop() {
      running = false;
      await Promise.all(loops);
      return records;
    },
  };
}

/**
 * Holds the stream's answers against the table: every acknowledged create must be
 * there with exactly what was sent, nothing may be there that was not sent.
 */
export function checkWrites(cluster, records, prefix) {
  const rows = cluster.psql(
    `SELECT title || E'\\t' || coalesce(description, '') FROM tasks WHERE title LIKE '${prefix}-%'`, 'faults',
  ).split('\n').filter(Boolean);
  const stored = new Map(rows.map((row) => {
    const [title, description] = row.split('\t');
    return [title, description];
  }));
  const acked = records.filter((r) => r.status === 200);
  const failed = records.filter((r) => r.status !== 200);
  const sent = new Map(records.map((r) => [r.title, r.description]));
  const lost = acked.filter((r) => !stored.has(r.title));
  const altered = [...stored].filter(([title, description]) => sent.get(title) !== description);
  const duplicates = rows.length - stored.size;
  const ambiguous = failed.filter((r) => stored.has(r.title)).length;
  return {
    sent: records.length,
    acknowledged: acked.length,
    found: stored.size,
    lost: lost.length,
    altered: altered.length,
    duplicates,
    failed: failed.length,
    // answered with an error (or no answer) yet committed: allowed, and counted
    failedButStored: ambiguous,
    ok: lost.length === 0 && altered.length === 0 && duplicates === 0,
  };
}

export function statusCounts(records) {
  const counts = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
