// Owns the app's server processes and the HTTP client that speaks to them the way
// the hydrated app does (server functions as same-origin form posts).

import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { now, sleep } from './process.mjs';

/** One server process, its output in `<name>.log` in the work directory. */
export class App {
  constructor({ bin, work, name, port, env }) {
    Object.assign(this, { bin, work, name, port, env });
    this.base = `http://127.0.0.1:${port}`;
    this.logFile = join(work, `${name}.log`);
  }

  get pid() {
    return this.exited ? null : this.proc?.pid ?? null;
  }

  start(extraEnv = {}) {
    const out = openSync(this.logFile, 'a');
    this.exited = null;
    this.proc = spawn(this.bin, [], {
      // The work directory has no .env, and only PATH comes from this environment,
      // so a developer's settings cannot leak in.
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

  /** Resolves with the milliseconds until /healthz answered 200; throws if the process exits first. */
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

  /** SIGTERM (the server drains), SIGKILL if it has not exited 15 s later. */
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

const failure = (error, started) => ({ status: 0, body: String(error.cause?.code ?? error.name ?? error), ms: now() - started });

/**
 * POSTs a server function: `fields` as a form, or `raw` ({ contentType, body }).
 * Never throws: no answer at all is status 0, with the error's code as the body.
 */
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
    return failure(error, started);
  }
}

export async function get(base, path, { cookie, timeoutMs = 15000, accept = 'application/json' } = {}) {
  const headers = { accept };
  if (cookie) headers.cookie = `session=${cookie}`;
  const started = now();
  try {
    const response = await fetch(base + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text(), ms: now() - started };
  } catch (error) {
    return failure(error, started);
  }
}

/** Signs a new person up; returns their session cookie. */
export async function signUp(base, { email, password, name }) {
  const r = await call(base, '/api/signup', { name, email, password });
  if (r.status !== 200 || !r.cookie) throw new Error(`sign-up of ${email} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return r.cookie;
}

/** Logs in; returns the new session cookie. */
export async function logIn(base, email, password) {
  const r = await call(base, '/api/login', { email, password });
  if (r.status !== 200 || !r.cookie) throw new Error(`log-in of ${email} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return r.cookie;
}

/** Who the session belongs to: { status, email } (email null when signed out). */
export async function whoami(base, cookie) {
  const r = await call(base, '/api/me', {}, { cookie });
  if (r.status !== 200) return { status: r.status };
  const me = JSON.parse(r.body);
  return { status: 200, email: me?.email ?? null };
}
