# shellcheck shell=bash
# Shared by scripts/dev, scripts/test and friends (sourced, not run): installs the
# tools the project needs when they are missing, and manages the project-local
# PostgreSQL cluster in .local/pg. Everything it starts is stopped by PID file.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL_DIR="$ROOT/.local"
PG_DIR="$LOCAL_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_APP_ROLE=tasks
PG_DEV_DB=tasks

CARGO_LEPTOS_VERSION=0.3.10
SQLX_CLI_VERSION=0.8.6

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_macos() { [ "$(uname -s)" = Darwin ]; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"; fi
}

apt_install() {
  command -v apt-get >/dev/null || die "please install $* with your system's package manager"
  say "Installing $* with apt-get"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
  fi
}

# --- Rust tools ---------------------------------------------------------------

lock_version() { # the version Cargo.lock pins for crate $1
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    # 0.3.11 needs a newer rustc than this project pins; this takes 10-15 minutes once.
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (one-time, slow)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want=$(lock_version wasm-bindgen)
  [ -n "$want" ] || die "wasm-bindgen is not in Cargo.lock"
  # cargo-leptos downloads a wasm-bindgen when none on PATH matches; install the
  # exact version Cargo.lock pins so it never needs to. (`--locked` fails for some
  # versions whose lockfile names crates the registry lacks, so it is not used.)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "Installing wasm-bindgen-cli $want (one-time, slow)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_sqlx_cli() {
  if ! cargo sqlx --version 2>/dev/null | grep -q " $SQLX_CLI_VERSION\$"; then
    say "Installing sqlx-cli $SQLX_CLI_VERSION (one-time, slow)"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features --features rustls,postgres --locked
  fi
}

ensure_rust_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_sqlx_cli
}

# --- Node tools -------------------------------------------------------------------

ensure_npm_packages() { # Playwright, in end2end/
  command -v npm >/dev/null || die "Node.js and npm are needed (https://nodejs.org or your package manager)"
  local dir="$ROOT/end2end"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "Installing npm packages in end2end/"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

ensure_chromium() {
  if [ -n "${PLAYWRIGHT_CHROMIUM:-}" ]; then return; fi
  if is_macos; then
    [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ] \
      && export PLAYWRIGHT_CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" \
      || die "set PLAYWRIGHT_CHROMIUM to a Chrome or Chromium executable"
    return
  fi
  local candidate
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$candidate" ]; then export PLAYWRIGHT_CHROMIUM="$candidate"; return; fi
  done
  apt_install chromium
  export PLAYWRIGHT_CHROMIUM=/usr/bin/chromium
}

# --- PostgreSQL ---------------------------------------------------------------------

pg_bindir() { # prints the directory holding initdb and pg_ctl, if any
  local dir
  for dir in \
    "$(pg_config --bindir 2>/dev/null || true)" \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r) \
    /opt/homebrew/opt/postgresql@15/bin /usr/local/opt/postgresql@15/bin; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"; return 0
    fi
  done
  return 1
}

ensure_postgres() {
  if [ -n "${PG_BIN:-}" ]; then return; fi
  if ! PG_BIN=$(pg_bindir); then
    if is_macos; then die "PostgreSQL is needed: brew install postgresql@15"; fi
    # Debian's package may also start the system's own cluster on port 5432; the
    # project never uses it.
    apt_install postgresql
    PG_BIN=$(pg_bindir) || die "PostgreSQL was installed but initdb was not found"
  fi
  export PG_BIN
}

# initdb refuses to run as root, so as root the cluster belongs to the `postgres`
# system user (created by Debian's package); otherwise to whoever runs the script.
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

local_pg_port() { cat "$PG_DIR/port"; }

local_pg_url() { # the app's URL for database $1 (default: the dev database)
  printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$PG_APP_ROLE" "$(cat "$PG_DIR/password")" "$(local_pg_port)" "${1:-$PG_DEV_DB}"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

local_psql() { # runs psql as the cluster's superuser over its private socket
  ensure_postgres
  PGOPTIONS="-c client_min_messages=warning" pg_as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$(local_pg_port)" -U postgres -d postgres "$@"
}

local_pg_running() {
  ensure_postgres
  [ -f "$PG_DATA/PG_VERSION" ] && pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

init_local_pg() {
  local port=${TASKS_PG_PORT:-54329}
  while port_in_use "$port"; do port=$((port + 1)); done
  say "Creating a project-local PostgreSQL cluster in .local/pg (port $port)"
  mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
  echo "$port" > "$PG_DIR/port"
  # The app's password: random, kept beside the cluster, readable by this user only.
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$PG_DIR/password")
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR" "$PG_SOCKET_DIR"; fi
  # Socket connections are trusted because only the owner can reach the socket
  # directory (0700); TCP needs the password.
  chmod 700 "$PG_SOCKET_DIR"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  cat >> "$PG_DATA/postgresql.conf" <<CONF

# project-local settings (scripts/lib.sh)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
CONF
}

# Starts the project-local cluster (creating it on first use) and makes sure the app
# role and the dev database exist. Idempotent.
start_local_pg() {
  ensure_postgres
  [ -f "$PG_DATA/PG_VERSION" ] || init_local_pg
  if ! local_pg_running; then
    say "Starting the project-local PostgreSQL on port $(local_pg_port)"
    if port_in_use "$(local_pg_port)"; then
      die "port $(local_pg_port) is taken by another program; stop it, or remove .local/pg/port and set TASKS_PG_PORT to a free port"
    fi
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 start >/dev/null \
      || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start (log: .local/pg/postgres.log)"; }
  fi
  local password
  password=$(cat "$PG_DIR/password")
  local_psql <<SQL
SELECT 'CREATE ROLE $PG_APP_ROLE LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_APP_ROLE')
\gexec
ALTER ROLE $PG_APP_ROLE PASSWORD '$password';
SELECT 'CREATE DATABASE $PG_DEV_DB OWNER $PG_APP_ROLE' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DEV_DB')
\gexec
SQL
}

stop_local_pg() {
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    ensure_postgres
    if local_pg_running; then
      say "Stopping the project-local PostgreSQL"
      # pg_ctl finds the server through the PID file in the data directory.
      pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    fi
  fi
}

recreate_local_db() { # drops and creates database $1, owned by the app role
  local_psql -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\" OWNER $PG_APP_ROLE"
}

# --- A real SMTP server for the tests (maildev, from end2end/'s npm packages) ------

MAILDEV_DIR="$LOCAL_DIR/maildev"

# Starts maildev on free ports, its mail kept in .local/maildev, and exports
# MAILDEV_SMTP_URL (where the app sends) and MAILDEV_API_URL (its REST API, where
# tests read what arrived).
start_maildev() {
  ensure_npm_packages
  command -v curl >/dev/null || apt_install curl
  mkdir -p "$MAILDEV_DIR"
  local smtp=${TASKS_SMTP_PORT:-10250} web
  while port_in_use "$smtp"; do smtp=$((smtp + 1)); done
  web=$((smtp + 1))
  while port_in_use "$web"; do web=$((web + 1)); done
  say "Starting maildev (SMTP on port $smtp, API on port $web)"
  # maildev writes each message to $TMPDIR/maildev as well: keep that here.
  TMPDIR="$MAILDEV_DIR" node "$ROOT/end2end/node_modules/maildev/dist/bin/maildev.js" \
    --smtp "$smtp" --web "$web" --ip 127.0.0.1 --web-ip 127.0.0.1 \
    >"$MAILDEV_DIR/maildev.log" 2>&1 &
  echo $! > "$MAILDEV_DIR/pid"
  local tries=0
  until curl -sf "http://127.0.0.1:$web/api/healthz" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$(cat "$MAILDEV_DIR/pid")" 2>/dev/null; then
      tail -n 20 "$MAILDEV_DIR/maildev.log" >&2
      die "maildev did not start (log: .local/maildev/maildev.log)"
    fi
    sleep 0.2
  done
  export MAILDEV_SMTP_URL="smtp://127.0.0.1:$smtp" MAILDEV_API_URL="http://127.0.0.1:$web"
}

stop_maildev() {
  [ -f "$MAILDEV_DIR/pid" ] || return 0
  local pid
  pid=$(cat "$MAILDEV_DIR/pid")
  rm -f "$MAILDEV_DIR/pid"
  if kill "$pid" 2>/dev/null; then
    say "Stopping maildev"
    local tries=0
    while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
  fi
}

# --- .env -----------------------------------------------------------------------------

dotenv_get() { # prints variable $1 from .env, if set there
  [ -f "$ROOT/.env" ] || return 0
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$ROOT/.env" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

# Builds the server, the WASM bundle and the site with cargo-leptos (debug profile).
leptos_build() {
  (cd "$ROOT" && cargo leptos build "$@")
}
