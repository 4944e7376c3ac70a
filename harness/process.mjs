// Owns the processes the harness starts and how they are stopped (by PID, never by
// name), plus what it reads about them from /proc, free ports and scratch directories.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();
export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

const IS_ROOT = process.getuid?.() === 0;
// initdb and PgBouncer refuse to run as root; as root they run as `postgres`.
const SERVER_USER = IS_ROOT ? Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()) : null;

function asServerUser(cmd, args) {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Gives `path` to the user the database servers run as (a no-op unless root). */
export function ownByServer(path) {
  if (SERVER_USER !== null) chownSync(path, SERVER_USER, SERVER_USER);
}

export function serverDir(path, mode = 0o700) {
  mkdirSync(path, { recursive: true, mode });
  ownByServer(path);
}

/** A fresh directory under TMPDIR that the database servers can reach too. */
export function workDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}.`));
  if (IS_ROOT) chmodSync(dir, 0o755);
  return dir;
}

/** Runs a command to its end; throws with its output unless it succeeds or `allowFail`. */
export function run(cmd, args, { allowFail = false, input, env, asServer = false, encoding = 'utf8' } = {}) {
  const [c, a] = asServer ? asServerUser(cmd, args) : [cmd, args];
  const result = spawnSync(c, a, { encoding, input, env: env ?? process.env, maxBuffer: 64 << 20 });
  if ((result.status !== 0 || result.error) && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.error ?? ''}${result.stderr || result.stdout}`);
  }
  return result;
}

/**
 * Starts a command and resolves with its exit status and output when it ends, so
 * other work goes on meanwhile; `.child` is the process, to stop by its PID.
 */
export function runAsync(cmd, args, { env, asServer = false } = {}) {
  const [c, a] = asServer ? asServerUser(cmd, args) : [cmd, args];
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const done = new Promise((resolve) => {
    child.on('error', (error) => resolve({ status: null, output: output + String(error) }));
    child.on('close', (status, signal) => resolve({ status, signal, output }));
  });
  done.child = child;
  return done;
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

/** SIGTERM, then SIGKILL if `pid` is still there after `graceMs`. */
export async function stopPid(pid, graceMs = 10000) {
  if (!pid || !alive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let waited = 0; waited < graceMs && alive(pid); waited += 50) await sleep(50);
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Parent and CPU clock ticks (its own and its waited-for children's) from /proc/PID/stat. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields from the third (state) on; the command name before may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { ppid: f[1], ticks: f[11] + f[12] + f[13] + f[14] };
  } catch {
    return null; // gone meanwhile
  }
}

/** A kB figure of /proc/PID/status, e.g. VmHWM (peak RSS) or VmRSS. */
export function procStatusKb(pid, key) {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : null;
}

export const CLOCK_TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export function childrenOf(pid) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && procStat(entry)?.ppid === pid)
    .map(Number);
}

/**
 * On SIGINT or SIGTERM, runs `cleanup` (stopping what was started) before exiting,
 * since an interrupted process runs no `finally`.
 */
export function cleanUpOnSignal(cleanup) {
  let once = false;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.on(signal, async () => {
      if (once) return;
      once = true;
      try { await cleanup(); } finally { process.exit(code); }
    });
  }
}
