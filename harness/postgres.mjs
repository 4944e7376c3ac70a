// Owns the PostgreSQL clusters the harness starts, stops, kills and queries, and the
// PgBouncer it puts in front of one.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { alive, childrenOf, ownByServer, run, runAsync, serverDir, sleep, stopPid } from './process.mjs';

/**
 * A PostgreSQL cluster in `dir` (data/, run/ for its socket, postgres.log), on
 * `port`, reachable over TCP by role `tasks` with `password`.
 */
export class Cluster {
  // `beforeFirstStart(dataDir)` runs after initdb, e.g. to put certificates in place.
  constructor({ bin, dir, port, password, maxConnections = 40, extraConf = '', beforeFirstStart }) {
    Object.assign(this, { bin, dir, port, password, maxConnections, extraConf, beforeFirstStart });
    this.data = join(dir, 'data');
    this.socket = join(dir, 'run');
    this.log = join(dir, 'postgres.log');
  }

  /** The project-local cluster scripts/lib.sh made, which keeps its port and password in files beside it. */
  static existing(bin, dir) {
    const read = (name) => readFileSync(join(dir, name), 'utf8').trim();
    return new Cluster({ bin, dir, port: Number(read('port')), password: read('password') });
  }

  /** A new cluster with database `faults` owned by `tasks`. */
  async init() {
    serverDir(this.dir);
    serverDir(this.socket);
    this.#ctl('initdb', ['-D', this.data, '-U', 'postgres', '-E', 'UTF8', '--no-locale',
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

  #ctl(tool, args, options = {}) {
    return run(join(this.bin, tool), args, { asServer: true, ...options });
  }

  // Asynchronous, so the load keeps flowing while the server starts or stops.
  async start() {
    const r = await runAsync(join(this.bin, 'pg_ctl'), ['-D', this.data, '-l', this.log, '-w', '-t', '60', 'start'], { asServer: true });
    if (r.status !== 0) throw new Error(`PostgreSQL did not start: ${readFileSync(this.log, 'utf8').slice(-2000)}`);
  }

  async stop(mode = 'fast') {
    await runAsync(join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', mode, '-w', 'stop'], { asServer: true });
  }

  running() {
    return this.#ctl('pg_ctl', ['-D', this.data, 'status'], { allowFail: true }).status === 0;
  }

  postmasterPid() {
    const file = join(this.data, 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
  }

  /** The postmaster and every process it runs now (backends, checkpointer, ...). */
  pids() {
    const pid = this.postmasterPid();
    return pid ? [pid, ...childrenOf(pid)] : [];
  }

  /** SIGKILL to the postmaster and every process it started: a crash, not a shutdown. */
  async kill9() {
    const pids = this.pids();
    for (const p of pids) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(50);
  }

  /** Runs `sql` as the superuser over the private socket; returns the unaligned rows. */
  psql(sql, db = 'postgres') {
    const r = this.#ctl('psql', ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-h', this.socket,
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
    serverDir(this.dir);
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
    ownByServer(ini);
    ownByServer(users);
    run('pgbouncer', ['-d', ini], { asServer: true });
  }

  async stop() {
    if (!existsSync(this.pidFile)) return;
    await stopPid(Number(readFileSync(this.pidFile, 'utf8').trim()), 5000);
  }

  url(db = 'faults') {
    return `postgres://tasks:${this.cluster.password}@127.0.0.1:${this.port}/${db}`;
  }
}
