//! The database: connecting (patiently, for a database that is waking up),
//! migrating, units of work that are safe behind a transaction-mode pooler, and
//! telling passing faults from permanent ones.

use std::{
    borrow::Cow,
    ops::{Deref, DerefMut},
    time::{Duration, Instant},
};

use sqlx::{
    migrate::Migrator,
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgPoolOptions},
    Connection, Executor, PgConnection, PgPool, Postgres, Transaction,
};

use crate::{
    config::{DatabaseConfig, DatabaseUrl},
    error::AppError,
    telemetry::{self, DbErrorKind},
};

/// The migrations this build knows. A database migrated further by a newer release
/// is accepted (sqlx would refuse it as "previously applied but missing"), so the
/// previous binary starts again after a rollback: migrations are additive, so it
/// runs on the newer schema (see `docs/operations.md`). The ones it knows are still
/// checked against their checksums.
fn migrator() -> Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.set_ignore_missing(true);
    migrator
}

/// The pool, and how units of work use it.
///
/// A transaction-mode pooler (PgBouncer; Neon's `-pooler` host) lends a server
/// connection for one transaction at a time. sqlx runs a statement with arguments
/// as two exchanges (parse and describe, then bind and execute), and outside a
/// transaction the pooler may send the second to another server, where the
/// statement does not exist or, worse, is another one with the same name. So
/// behind such a pooler every unit of work is a transaction, which keeps one server
/// for its length, and begins by dropping the statements an earlier client left on
/// that server (sqlx names them per connection, so names would clash). Against
/// PostgreSQL itself, statements autocommit and stay prepared.
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
    transaction_pooler: bool,
    /// How a transaction begins behind a pooler: with the time limits, which a
    /// session setting could not carry there (see [`Db::for_config`]).
    begin: Cow<'static, str>,
}

impl Db {
    /// `pool` as [`connect`] makes it for the mode: behind a pooler, without a
    /// statement cache (the statements it would remember are dropped).
    pub fn new(pool: PgPool, transaction_pooler: bool) -> Self {
        Self {
            pool,
            transaction_pooler,
            begin: Cow::Borrowed("BEGIN; DEALLOCATE ALL"),
        }
    }

    /// [`Db::new`] with the configured time limits. Against PostgreSQL itself the
    /// pool's connections carry them from their set-up (see [`pool_options`]);
    /// behind a transaction-mode pooler a session setting would stay on a server
    /// connection the pooler lends to others next, so each unit of work sets them
    /// for its own transaction, in the same round trip as its `BEGIN`.
    pub fn for_config(pool: PgPool, config: &DatabaseConfig) -> Self {
        let mut db = Self::new(pool, config.transaction_pooler);
        if config.transaction_pooler {
            let mut begin = String::from("BEGIN;");
            for (name, value) in time_limits(config) {
                begin.push_str(&format!(" SET LOCAL {name} = {value};"));
            }
            begin.push_str(" DEALLOCATE ALL");
            db.begin = Cow::Owned(begin);
        }
        db
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A connection for one unit of work. End it with [`Conn::finish`]: behind a
    /// pooler that commits, and a unit dropped unfinished is rolled back.
    async fn conn(&self) -> Result<Conn, sqlx::Error> {
        if self.transaction_pooler {
            self.transaction().await
        } else {
            Ok(Conn::Plain(self.acquire().await?))
        }
    }

    /// A connection from the pool, counted while it is awaited (`telemetry`).
    async fn acquire(&self) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        let _waiting = telemetry::Acquiring::start();
        self.pool.acquire().await
    }

    /// Runs `work` as one unit of work on one connection, committed when it
    /// succeeds. Whether it is a transaction depends on the deployment: behind a
    /// pooler it is (see above), against PostgreSQL itself each statement commits
    /// on its own. Where two statements must stand or fall together, use
    /// [`Db::atomic`].
    pub async fn unit<T, E: From<sqlx::Error>>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        finish_with(self.conn().await?, work).await
    }

    /// Like [`Db::unit`], but a transaction in every deployment: all of `work`'s
    /// statements are stored, or none (an error, a panic or an abandoned request
    /// rolls it back).
    pub async fn atomic<T, E: From<sqlx::Error>>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        finish_with(self.transaction().await?, work).await
    }

    /// A unit of work that is all or nothing, whatever the mode.
    async fn transaction(&self) -> Result<Conn, sqlx::Error> {
        let conn = self.acquire().await?;
        // Behind a pooler, one round trip, as one simple query.
        let begin = self.transaction_pooler.then(|| self.begin.clone());
        Ok(Conn::Transaction(Transaction::begin(conn, begin).await?))
    }
}

impl From<sqlx::Error> for AppError {
    /// The one place a database error becomes what people are told: a passing fault
    /// is "temporarily unavailable", anything else is logged and "internal".
    fn from(error: sqlx::Error) -> Self {
        let kind = if is_timeout(&error) {
            DbErrorKind::Timeout
        } else if is_transient(&error) {
            DbErrorKind::Transient
        } else {
            DbErrorKind::Other
        };
        telemetry::db_error(kind);
        if kind == DbErrorKind::Other {
            tracing::error!(error = ?error, "database error");
            Self::Internal
        } else {
            tracing::warn!(error = %error, "database temporarily unavailable");
            Self::Unavailable
        }
    }
}

async fn finish_with<T, E: From<sqlx::Error>>(
    mut conn: Conn,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E> {
    let value = work(&mut conn).await?;
    conn.finish().await?;
    Ok(value)
}

/// One unit of work's connection: use it as `&mut *conn`, then [`Conn::finish`].
#[must_use = "finish the unit of work, or its writes are rolled back"]
enum Conn {
    Plain(PoolConnection<Postgres>),
    Transaction(Transaction<'static, Postgres>),
}

impl Conn {
    /// Commits, if this unit is a transaction; the caller may then report success.
    async fn finish(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Plain(_) => Ok(()),
            Self::Transaction(tx) => tx.commit().await,
        }
    }
}

impl Deref for Conn {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match self {
            Self::Plain(conn) => conn,
            Self::Transaction(tx) => tx,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self {
            Self::Plain(conn) => conn,
            Self::Transaction(tx) => tx,
        }
    }
}

/// Why start-up could not reach the database, phrased for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "could not connect to PostgreSQL at {host}:{port} within {waited:?} ({attempts} attempts); \
         last error: {last_error}. Check that the server is running and reachable from here \
         (for the local database run `scripts/dev`; for Neon check the host name in DATABASE_URL \
         and that the project is not suspended), or allow more time with DATABASE_CONNECT_RETRY_FOR."
    )]
    Unreachable {
        host: String,
        port: u16,
        waited: Duration,
        attempts: u32,
        last_error: String,
    },
    #[error(
        "PostgreSQL at {host}:{port} refused the connection: {reason}. Retrying will not help; \
         check the user name, password, database name and TLS settings (sslmode, \
         sslrootcert) in DATABASE_URL."
    )]
    Refused {
        host: String,
        port: u16,
        reason: String,
    },
    #[error("applying database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Builds the pool and opens its first connection, retrying with exponential backoff
/// while the server is unreachable or starting up (a Neon compute waking from
/// suspension takes a few hundred milliseconds; a restarting server, seconds).
pub async fn connect(config: &DatabaseConfig) -> Result<Db, ConnectError> {
    let pool_options = pool_options(config);
    let options = connect_options(config.url.connect_options(), config);
    let pool = retry_connect(&config.url, config.connect_retry_for, || {
        let pool_options = pool_options.clone();
        let options = options.clone();
        async move { pool_options.connect_with(options).await }
    })
    .await?;
    Ok(Db::for_config(pool, config))
}

/// The app's pool for `config`, with what each new connection is set up with.
pub fn pool_options(config: &DatabaseConfig) -> PgPoolOptions {
    let settings = session_settings(config);
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        // A web request should fail fast with "temporarily unavailable" rather than
        // queue behind a dead database for sqlx's default 30 s.
        .acquire_timeout(config.acquire_timeout)
        .idle_timeout(config.idle_timeout)
        .max_lifetime(config.max_lifetime)
        // Pinging a connection before handing it out is what lets the pool recover
        // on its own after the database restarts.
        .test_before_acquire(true)
        .after_connect(move |conn, _meta| {
            let settings = settings.clone();
            Box::pin(async move {
                if let Some(settings) = settings {
                    conn.execute(&*settings).await?;
                }
                Ok(())
            })
        })
}

/// What a new connection is set up with, in one round trip, against PostgreSQL
/// itself (behind a transaction-mode pooler a session setting would stay on a
/// server connection lent to others next; see [`Db::for_config`]):
/// - the time limits. A `SET`, not the start-up packet's `options`, which
///   PgBouncer refuses in any mode ("unsupported startup parameter").
/// - `plan_cache_mode`. Statements are prepared once per connection and reused.
///   After five runs PostgreSQL may switch to a generic plan that no longer knows
///   whose tasks are asked for, and walk the primary key filtering by person: fine
///   for one person, slow for the one with 100,000 tasks. Planning each time costs
///   a fraction of a millisecond. (Behind a pooler statements are prepared afresh
///   in each unit of work, never run often enough for a generic plan.)
fn session_settings(config: &DatabaseConfig) -> Option<String> {
    if config.transaction_pooler {
        return None;
    }
    let mut settings = String::from("SET plan_cache_mode = force_custom_plan;");
    for (name, value) in time_limits(config) {
        settings.push_str(&format!(" SET {name} = {value};"));
    }
    Some(settings)
}

/// How the app's connections to `config`'s database are opened, from `options`
/// (the URL's).
pub fn connect_options(options: PgConnectOptions, config: &DatabaseConfig) -> PgConnectOptions {
    if config.transaction_pooler {
        // No statement cache (a server's statements are dropped at each unit of
        // work, see `Db`), and no startup parameter PgBouncer does not know (it
        // refuses the connection over `extra_float_digits`); results come back in
        // binary, so the float text format does not matter.
        options.statement_cache_capacity(0).extra_float_digits(None)
    } else {
        options
    }
}

/// The settings that stop one statement or one idle transaction from holding a
/// connection, in milliseconds (PostgreSQL's unit when none is given); a limit
/// that is off is left to the server's default.
fn time_limits(config: &DatabaseConfig) -> Vec<(&'static str, u128)> {
    [
        ("statement_timeout", config.statement_timeout),
        (
            "idle_in_transaction_session_timeout",
            config.idle_in_transaction_timeout,
        ),
    ]
    .into_iter()
    .filter_map(|(name, limit)| Some((name, limit?.as_millis().max(1))))
    .collect()
}

/// Applies pending migrations over a single connection to the migration URL (a
/// direct host, not a transaction-mode pooler: migrations hold an advisory lock).
pub async fn migrate(config: &DatabaseConfig) -> Result<(), ConnectError> {
    let url = config.migration_url.as_ref().unwrap_or(&config.url);
    let mut conn = retry_connect(url, config.connect_retry_for, || {
        let options: PgConnectOptions = url.connect_options();
        async move { PgConnection::connect_with(&options).await }
    })
    .await?;
    migrator().run(&mut conn).await?;
    let _ = conn.close().await;
    Ok(())
}

async fn retry_connect<T, F, Fut>(
    url: &DatabaseUrl,
    retry_for: Duration,
    mut attempt: F,
) -> Result<T, ConnectError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    let started = Instant::now();
    let mut delay = Duration::from_millis(100);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match attempt().await {
            Ok(connected) => {
                if attempts > 1 {
                    tracing::info!(attempts, "connected to PostgreSQL");
                }
                return Ok(connected);
            }
            Err(error) => error,
        };
        if !is_transient(&error) {
            return Err(ConnectError::Refused {
                host: url.host().to_owned(),
                port: url.port(),
                reason: error.to_string(),
            });
        }
        let waited = started.elapsed();
        if waited + delay > retry_for {
            return Err(ConnectError::Unreachable {
                host: url.host().to_owned(),
                port: url.port(),
                waited,
                attempts,
                last_error: error.to_string(),
            });
        }
        tracing::warn!(
            attempt = attempts,
            host = url.host(),
            port = url.port(),
            retry_in_ms = delay.as_millis() as u64,
            error = %error,
            "PostgreSQL is not reachable yet; retrying"
        );
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// A statement cancelled by `statement_timeout` (or by an operator), or a
/// transaction ended for idling too long.
fn is_timeout(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().is_some_and(|code| matches!(&*code, "57014" | "25P03")))
}

/// True for faults that can clear up by themselves: the network, a server that is
/// starting, shutting down or out of connections, a pool that timed out. False for
/// wrong credentials, a missing database and other mistakes only a person can fix.
pub fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        // A certificate that does not verify surfaces as invalid data on the
        // socket (rustls inside sqlx): as permanent as a wrong password.
        sqlx::Error::Io(io) => io.kind() != std::io::ErrorKind::InvalidData,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        // A certificate that does not verify, or a server without TLS when TLS is
        // required, does not get better by waiting.
        sqlx::Error::Tls(_) => false,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exceptions; 57P01-03: admin shutdown, crash shutdown,
            // cannot connect now (starting up); 53300: too many connections;
            // 57014: cancelled, which is what `statement_timeout` does to a
            // statement that ran (or waited for a lock) too long; 25P03: a
            // transaction ended for idling too long.
            code.starts_with("08")
                || matches!(
                    &*code,
                    "57P01" | "57P02" | "57P03" | "53300" | "57014" | "25P03"
                )
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use super::is_transient;

    #[test]
    fn an_unreachable_or_busy_database_is_a_passing_fault() {
        for kind in [
            ErrorKind::ConnectionRefused,
            ErrorKind::ConnectionReset,
            ErrorKind::UnexpectedEof,
        ] {
            assert!(
                is_transient(&sqlx::Error::Io(Error::from(kind))),
                "{kind:?}"
            );
        }
        assert!(is_transient(&sqlx::Error::PoolTimedOut));
    }

    #[test]
    fn a_certificate_that_does_not_verify_is_not_retried() {
        let refused = Error::new(
            ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        assert!(!is_transient(&sqlx::Error::Io(refused)));
    }
}
