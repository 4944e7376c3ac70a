//! Server configuration: read once at start from the environment into one typed value.
//!
//! Every failure names the variable and says what to do about it, and no message ever
//! contains a database password.

use std::{fmt, net::SocketAddr, str::FromStr, time::Duration};

use sqlx::{postgres::PgConnectOptions, ConnectOptions};
use url::Url;

/// Everything the server needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseConfig,
    pub listen_addr: SocketAddr,
    /// Where Prometheus reads the metrics (`GET /metrics`); off when unset. Never
    /// the public address.
    pub metrics_addr: Option<SocketAddr>,
    pub session: SessionConfig,
    pub login_throttle: LoginThrottleConfig,
    /// The app is reached over HTTPS (directly or behind a TLS-terminating proxy):
    /// cookies get `Secure` and responses carry HSTS.
    pub served_over_https: bool,
    /// The proxies in front of the app, whose `X-Forwarded-For` entries are believed.
    pub proxies: Proxies,
    /// How many password hashes may run at once; more wait their turn so that a burst
    /// of log-ins cannot take every core from other requests.
    pub password_hash_concurrency: usize,
    /// Sign-ups allowed per client address per hour.
    pub max_sign_ups_per_address: u32,
    /// The most tasks one person may have (`TASK_QUOTA`).
    pub task_quota: i64,
    /// Imports and exports that may run at once (`BULK_CONCURRENCY`).
    pub bulk_concurrency: usize,
    pub mail: MailConfig,
    /// `PUBLIC_ORIGIN` as set (`https://tasks.example.com`): the cross-site check
    /// compares with it when a browser sends no `Sec-Fetch-Site`.
    pub public_origin: Option<String>,
    /// Serve `GET /__faults/panic`, a handler that panics, for `scripts/faults` to
    /// check that one failing request leaves the server serving. Never in production.
    pub fault_injection: bool,
}

#[derive(Clone, Debug)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    /// Migrations take an advisory lock, which a transaction-mode pooler (Neon's
    /// `-pooler` host) cannot hold, so they may use a direct connection instead.
    pub migration_url: Option<DatabaseUrl>,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
    pub idle_timeout: Option<Duration>,
    pub max_lifetime: Option<Duration>,
    /// How long start-up keeps retrying an unreachable (or waking) database.
    pub connect_retry_for: Duration,
    /// `url` is a transaction-mode pooler (PgBouncer, Neon's `-pooler` host): a
    /// connection is only ours for the length of a transaction, so each unit of
    /// work runs in one, with unnamed statements (see `db::Db`).
    pub transaction_pooler: bool,
    /// The longest one statement of the app may run (waiting for a lock included)
    /// before PostgreSQL cancels it, so one runaway query cannot hold a connection.
    pub statement_timeout: Option<Duration>,
    /// The longest a transaction may sit idle, holding its locks, before
    /// PostgreSQL ends its session.
    pub idle_in_transaction_timeout: Option<Duration>,
}

#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
}

#[derive(Clone, Debug)]
pub struct LoginThrottleConfig {
    /// Failures allowed per account from browsers it does not trust.
    pub max_failures_per_account: u32,
    /// Failures allowed per trusted device, and per signed-in session re-entering
    /// the password.
    pub max_failures_per_device: u32,
    pub max_failures_per_address: u32,
    pub window: Duration,
}

/// Who may say, in `X-Forwarded-For`, where a request came from.
#[derive(Clone, Debug, Default)]
pub struct Proxies {
    /// `TRUSTED_PROXIES`: addresses and ranges of our own proxies.
    pub trusted: Vec<ipnet::IpNet>,
    /// The deprecated `TRUST_FORWARDED_FOR=true` (and no `TRUSTED_PROXIES`): take the
    /// last hop, whoever the peer is.
    pub trust_last_hop: bool,
}

impl Proxies {
    /// `TRUSTED_PROXIES`: addresses and CIDR ranges, separated by commas or spaces.
    pub fn parse(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
        raw.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<ipnet::IpNet>()
                    .map(|net| net.trunc())
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!(
                            "`{entry}` is neither an address nor a CIDR range (like 10.0.0.0/8 \
                             or 2001:db8::/32)"
                        )
                    })
            })
            .collect()
    }

    pub fn trusts(&self, ip: std::net::IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|net| net.contains(&ip))
    }
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// The sender of every mail (`MAIL_FROM`), e.g. `Tasks <noreply@example.com>`.
    pub from: lettre::message::Mailbox,
    /// Scheme, host and port the app is reached at (`PUBLIC_ORIGIN`), without a
    /// trailing slash: links in mail point here.
    pub public_origin: String,
    /// How long a password-reset link works.
    pub reset_link_lifetime: Duration,
}

/// How mail leaves the app.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// Over SMTP (`SMTP_URL`).
    Smtp(SmtpUrl),
    /// Written to the log, link and all: a development build without `SMTP_URL`.
    Log,
    /// Not at all: a release build without `SMTP_URL`. Password reset by email is off.
    Off,
}

impl MailTransport {
    pub fn is_off(&self) -> bool {
        matches!(self, Self::Off)
    }
}

/// An `smtp://` or `smtps://` URL that prints without its password.
#[derive(Clone)]
pub struct SmtpUrl {
    url: String,
    redacted: String,
}

impl SmtpUrl {
    /// `release`: a release build, which refuses to send credentials without TLS
    /// (a development build may talk to a local test server in plain text).
    fn parse(raw: &str, release: bool) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::Invalid {
            var: "SMTP_URL",
            reason,
        };
        let url = Url::parse(raw).map_err(|error| {
            invalid(format!(
                "{error}; expected smtp://user:password@host:587?tls=required (STARTTLS) or \
                 smtps://user:password@host:465"
            ))
        })?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(invalid(format!(
                "the scheme is `{}`; expected smtp:// or smtps://",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it names no host".into()));
        }
        let tls_required = url.scheme() == "smtps"
            || url
                .query_pairs()
                .any(|(key, value)| key == "tls" && value == "required");
        if release && url.password().is_some() && !tls_required {
            return Err(invalid(
                "its password would cross the network in the clear; add ?tls=required \
                 (STARTTLS) or use smtps://"
                    .into(),
            ));
        }
        // lettre reads the same URL; checked here so a typo stops start-up, not the
        // first mail.
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(raw)
            .map_err(|error| invalid(redact_password(&error.to_string(), &url)))?;
        Ok(Self {
            url: raw.to_owned(),
            redacted: redacted(&url),
        })
    }

    /// The URL with its password, for the SMTP client only.
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// A parsed `postgres://` URL that prints without its password.
#[derive(Clone)]
pub struct DatabaseUrl {
    options: PgConnectOptions,
    redacted: String,
}

impl DatabaseUrl {
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    pub fn host(&self) -> &str {
        self.options.get_host()
    }

    pub fn port(&self) -> u16 {
        self.options.get_port()
    }

    /// Whether connections to it go in the clear over a network: the host is neither
    /// a Unix socket nor loopback, and TLS is not required (`sslmode` below
    /// `require`; `prefer`, the default, falls back to plain text when the server, or
    /// someone in between, declines TLS).
    fn plaintext_over_a_network(&self) -> bool {
        use sqlx::postgres::PgSslMode;
        let host = self.options.get_host();
        let local = self.options.get_socket().is_some()
            || host.starts_with('/')
            || host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let tls = matches!(
            self.options.get_ssl_mode(),
            PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull
        );
        !local && !tls
    }

    fn parse(var: &'static str, raw: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::InvalidDatabaseUrl { var, reason };
        let url = Url::parse(raw.trim()).map_err(|e| invalid(format!("it is not a URL ({e})")))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(invalid(format!(
                "the scheme is `{}:`, expected `postgres://` or `postgresql://`",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) && !url.query_pairs().any(|(k, _)| k == "host")
        {
            return Err(invalid("it names no host".into()));
        }
        let options = PgConnectOptions::from_url(&url)
            .map_err(|e| invalid(redact_password(&e.to_string(), &url)))?;
        Ok(Self {
            options,
            redacted: redacted(&url),
        })
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted)
    }
}

fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    // Query parameters can carry a password too (`?password=`); hide every value.
    if shown.query().is_some() {
        let keys: Vec<String> = shown.query_pairs().map(|(k, _)| k.into_owned()).collect();
        shown
            .query_pairs_mut()
            .clear()
            .extend_pairs(keys.iter().map(|k| (k.as_str(), "…")));
    }
    shown.to_string()
}

fn redact_password(message: &str, url: &Url) -> String {
    match url.password() {
        Some(password) if !password.is_empty() => message.replace(password, "***"),
        _ => message.to_owned(),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    MissingDatabaseUrl,
    InvalidDatabaseUrl { var: &'static str, reason: String },
    Invalid { var: &'static str, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingDatabaseUrl => write!(
                f,
                "DATABASE_URL is not set. Set it in the environment or in a `.env` file \
                 (see `.env.example`), e.g. DATABASE_URL=postgres://user:password@host:5432/tasks. \
                 For a local development database, run `scripts/dev`, which starts one and \
                 writes its URL to `.env`."
            ),
            Self::InvalidDatabaseUrl { var, reason } => write!(
                f,
                "{var} is not a valid PostgreSQL URL: {reason}. Expected the form \
                 postgres://user:password@host:5432/database (see `.env.example`)."
            ),
            Self::Invalid { var, reason } => write!(f, "{var} is invalid: {reason}."),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads first).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let url = get("DATABASE_URL").ok_or(ConfigError::MissingDatabaseUrl)?;
        let url = DatabaseUrl::parse("DATABASE_URL", &url)?;
        let migration_url = get("DATABASE_MIGRATION_URL")
            .map(|raw| DatabaseUrl::parse("DATABASE_MIGRATION_URL", &raw))
            .transpose()?;

        // A password and every row would cross the network readable by anyone on the
        // path: refuse, unless the operator says the network is private.
        if !parse_bool_or(&get, "DATABASE_ALLOW_PLAINTEXT", false)? {
            let urls = [
                ("DATABASE_URL", Some(&url)),
                ("DATABASE_MIGRATION_URL", migration_url.as_ref()),
            ];
            for (var, database_url) in urls {
                if let Some(database_url) = database_url.filter(|u| u.plaintext_over_a_network()) {
                    return Err(ConfigError::Invalid {
                        var,
                        reason: format!(
                            "it connects to {} without requiring TLS; add sslmode=verify-full \
                             (or at least sslmode=require) to the URL, or set \
                             DATABASE_ALLOW_PLAINTEXT=true if the network to the database is \
                             private",
                            database_url.host()
                        ),
                    });
                }
            }
        }

        // Neon names its pooled endpoint `<endpoint>-pooler.<region>...`.
        let transaction_pooler = parse_bool_or(
            &get,
            "DATABASE_TRANSACTION_POOLER",
            url.host().contains("-pooler."),
        )?;
        if transaction_pooler && migration_url.is_none() {
            return Err(ConfigError::Invalid {
                var: "DATABASE_MIGRATION_URL",
                reason: "it is required when DATABASE_URL is a transaction-mode pooler, because \
                         migrations hold a lock for the whole session; set it to the direct \
                         host (for Neon, the same URL without `-pooler` in the host name)"
                    .into(),
            });
        }

        let max_connections = parse_or(&get, "DATABASE_MAX_CONNECTIONS", 10u32)?;
        let min_connections = parse_or(&get, "DATABASE_MIN_CONNECTIONS", 0u32)?;
        if max_connections == 0 {
            return Err(ConfigError::Invalid {
                var: "DATABASE_MAX_CONNECTIONS",
                reason: "it must be at least 1".into(),
            });
        }
        if min_connections > max_connections {
            return Err(ConfigError::Invalid {
                var: "DATABASE_MIN_CONNECTIONS",
                reason: format!(
                    "{min_connections} is more than DATABASE_MAX_CONNECTIONS ({max_connections})"
                ),
            });
        }

        let database = DatabaseConfig {
            url,
            migration_url,
            max_connections,
            min_connections,
            acquire_timeout: duration_or(&get, "DATABASE_ACQUIRE_TIMEOUT", secs(5))?,
            idle_timeout: optional_duration(&get, "DATABASE_IDLE_TIMEOUT", Some(secs(600)))?,
            max_lifetime: optional_duration(&get, "DATABASE_MAX_LIFETIME", Some(secs(1800)))?,
            connect_retry_for: duration_or(&get, "DATABASE_CONNECT_RETRY_FOR", secs(30))?,
            transaction_pooler,
            statement_timeout: time_limit(&get, "DATABASE_STATEMENT_TIMEOUT", secs(5))?,
            idle_in_transaction_timeout: time_limit(
                &get,
                "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT",
                secs(10),
            )?,
        };

        let listen_addr = parse_or(
            &get,
            "LEPTOS_SITE_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
        )?;

        let metrics_addr = get("METRICS_ADDR")
            .filter(|raw| !raw.trim().is_empty())
            .map(|raw| {
                raw.trim()
                    .parse::<SocketAddr>()
                    .map_err(|e| ConfigError::Invalid {
                        var: "METRICS_ADDR",
                        reason: format!(
                            "`{raw}` ({e}); expected an address and port like 127.0.0.1:9100"
                        ),
                    })
            })
            .transpose()?;
        if let Some(metrics) = metrics_addr {
            let overlaps = metrics.ip() == listen_addr.ip()
                || metrics.ip().is_unspecified()
                || listen_addr.ip().is_unspecified();
            if metrics.port() == listen_addr.port() && overlaps {
                return Err(ConfigError::Invalid {
                    var: "METRICS_ADDR",
                    reason: format!(
                        "{metrics} is the app's public address (LEPTOS_SITE_ADDR {listen_addr}); \
                         metrics are for operators only: give them a port of their own, \
                         reachable from your Prometheus and not from the internet"
                    ),
                });
            }
        }

        let session = SessionConfig {
            idle_timeout: duration_or(&get, "SESSION_IDLE_TIMEOUT", days(14))?,
            absolute_lifetime: duration_or(&get, "SESSION_ABSOLUTE_LIFETIME", days(30))?,
        };

        let login_throttle = LoginThrottleConfig {
            max_failures_per_account: parse_or(&get, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 10)?,
            max_failures_per_device: parse_or(&get, "LOGIN_MAX_FAILURES_PER_DEVICE", 10)?,
            max_failures_per_address: parse_or(&get, "LOGIN_MAX_FAILURES_PER_ADDRESS", 100)?,
            window: duration_or(&get, "LOGIN_THROTTLE_WINDOW", secs(15 * 60))?,
        };

        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let password_hash_concurrency = parse_or(&get, "PASSWORD_HASH_CONCURRENCY", cores)?.max(1);

        let served_over_https = parse_bool_or(&get, "SERVED_OVER_HTTPS", true)?;
        let public_origin = get("PUBLIC_ORIGIN")
            .map(|raw| parse_origin(raw.trim()))
            .transpose()?;
        let mail = mail_config(
            &get,
            listen_addr,
            served_over_https,
            public_origin.as_deref(),
        )?;

        Ok(Self {
            database,
            listen_addr,
            metrics_addr,
            session,
            login_throttle,
            mail,
            public_origin,
            served_over_https,
            proxies: proxies(&get)?,
            password_hash_concurrency,
            max_sign_ups_per_address: parse_or(&get, "SIGNUP_MAX_PER_ADDRESS", 20)?,
            task_quota: parse_or(&get, "TASK_QUOTA", 100_000i64)?.max(1),
            bulk_concurrency: parse_or(&get, "BULK_CONCURRENCY", 4usize)?.max(1),
            fault_injection: parse_bool_or(&get, "FAULT_INJECTION", false)?,
        })
    }
}

fn proxies(get: &impl Fn(&str) -> Option<String>) -> Result<Proxies, ConfigError> {
    let trusted = match get("TRUSTED_PROXIES") {
        Some(raw) => Proxies::parse(&raw).map_err(|reason| ConfigError::Invalid {
            var: "TRUSTED_PROXIES",
            reason,
        })?,
        None => Vec::new(),
    };
    let legacy = parse_bool_or(get, "TRUST_FORWARDED_FOR", false)?;
    Ok(Proxies {
        trust_last_hop: legacy && trusted.is_empty(),
        trusted,
    })
}

/// `SMTP_URL`, `MAIL_FROM`, `PUBLIC_ORIGIN` and the reset link's lifetime. A release
/// build that sends mail must be told where links point and who sends; a
/// development build guesses both from its own address.
fn mail_config(
    get: &impl Fn(&str) -> Option<String>,
    listen_addr: SocketAddr,
    served_over_https: bool,
    public_origin: Option<&str>,
) -> Result<MailConfig, ConfigError> {
    let transport = match get("SMTP_URL") {
        Some(raw) => MailTransport::Smtp(SmtpUrl::parse(raw.trim(), !cfg!(debug_assertions))?),
        None if cfg!(debug_assertions) => MailTransport::Log,
        None => MailTransport::Off,
    };
    let sends = matches!(transport, MailTransport::Smtp(_)) && !cfg!(debug_assertions);
    let required = |var: &'static str, example: &str| ConfigError::Invalid {
        var,
        reason: format!("it is required when SMTP_URL is set, e.g. {var}={example}"),
    };
    let public_origin = match public_origin {
        Some(origin) => origin.to_owned(),
        None if sends => return Err(required("PUBLIC_ORIGIN", "https://tasks.example.com")),
        None => {
            let scheme = if served_over_https { "https" } else { "http" };
            format!("{scheme}://{listen_addr}")
        }
    };
    let from = match get("MAIL_FROM") {
        Some(raw) => raw.trim().parse().map_err(|error| ConfigError::Invalid {
            var: "MAIL_FROM",
            reason: format!("{error}; expected an address like `Tasks <noreply@example.com>`"),
        })?,
        None if sends => {
            return Err(required(
                "MAIL_FROM",
                "\"Tasks <noreply@tasks.example.com>\"",
            ))
        }
        None => "Tasks <noreply@localhost>"
            .parse()
            .expect("a fixed, valid mailbox"),
    };
    Ok(MailConfig {
        transport,
        from,
        public_origin,
        reset_link_lifetime: duration_or(get, "PASSWORD_RESET_LINK_LIFETIME", secs(60 * 60))?,
    })
}

/// `https://example.com:8443` from `PUBLIC_ORIGIN`: a scheme and a host, a port if
/// not the scheme's own, nothing else.
fn parse_origin(raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| {
        ConfigError::Invalid {
        var: "PUBLIC_ORIGIN",
        reason: format!("{reason}; expected the scheme, host and port people reach the app at, like https://tasks.example.com"),
    }
    };
    let url = Url::parse(raw).map_err(|_| invalid("it is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it names no host"));
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(invalid("it has more than a scheme, host and port"));
    }
    Ok(url.origin().ascii_serialization())
}

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

const fn days(n: u64) -> Duration {
    Duration::from_secs(n * 24 * 60 * 60)
}

fn parse_or<T: FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match get(var) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e| ConfigError::Invalid {
            var,
            reason: format!("`{raw}` ({e})"),
        }),
    }
}

fn parse_bool_or(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError::Invalid {
            var,
            reason: format!("`{v}` is not a boolean; use true or false"),
        }),
    }
}

fn duration_or(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    Ok(optional_duration(get, var, Some(default))?.unwrap_or(default))
}

/// `off` or `none` turns an optional limit off.
fn optional_duration(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Option<Duration>,
) -> Result<Option<Duration>, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) if matches!(raw.trim(), "off" | "none") => Ok(None),
        Some(raw) => parse_duration(&raw)
            .map(Some)
            .map_err(|reason| ConfigError::Invalid { var, reason }),
    }
}

/// A limit PostgreSQL enforces: `off` or `0` (PostgreSQL's own "off") leaves the
/// server's setting; anything else must fit PostgreSQL's range (under 24 days),
/// or every `SET` of it would fail at run time rather than here.
fn time_limit(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
) -> Result<Option<Duration>, ConfigError> {
    let limit = optional_duration(get, var, Some(default))?.filter(|limit| !limit.is_zero());
    if limit.is_some_and(|limit| limit.as_millis() > i32::MAX as u128) {
        return Err(ConfigError::Invalid {
            var,
            reason: "PostgreSQL takes at most 24 days; use `off` for no limit".into(),
        });
    }
    Ok(limit)
}

/// Parses `250ms`, `5s`, `10m`, `2h`, `14d`; a bare number means seconds.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let help =
        || format!("`{raw}` is not a duration; use a number with ms, s, m, h or d (e.g. 5s, 14d)");
    let n: u64 = number.parse().map_err(|_| help())?;
    let unit_ms: u64 = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(help()),
    };
    n.checked_mul(unit_ms)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("`{raw}` is too long"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const URL: &str = "postgres://app:s3cret-pw@db.example.com:6543/tasks?sslmode=verify-full";

    #[test]
    fn a_missing_database_url_names_the_variable_the_example_file_and_the_dev_script() {
        let message = config(&[]).unwrap_err().to_string();
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(message.contains(".env.example"), "{message}");
        assert!(message.contains("scripts/dev"), "{message}");
    }

    #[test]
    fn a_blank_database_url_counts_as_missing() {
        assert_eq!(
            config(&[("DATABASE_URL", "  ")]).unwrap_err(),
            ConfigError::MissingDatabaseUrl
        );
    }

    #[test]
    fn a_url_with_the_wrong_scheme_says_which_scheme_is_expected() {
        let message = config(&[("DATABASE_URL", "mysql://u:hunter2pass@h/db")])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("`mysql:`") && message.contains("postgres://"),
            "{message}"
        );
        assert!(!message.contains("hunter2pass"), "{message}");
    }

    #[test]
    fn text_that_is_not_a_url_says_so() {
        let message = config(&[("DATABASE_URL", "localhost:5432/tasks")])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("DATABASE_URL is not a valid PostgreSQL URL"),
            "{message}"
        );
    }

    #[test]
    fn a_url_without_a_host_says_so() {
        let message = config(&[("DATABASE_URL", "postgres:///tasks")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("names no host"), "{message}");
    }

    #[test]
    fn an_invalid_port_is_reported_without_the_password() {
        let message = config(&[("DATABASE_URL", "postgres://u:topsecretpw@h:notaport/db")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(!message.contains("topsecretpw"), "{message}");
    }

    #[test]
    fn an_invalid_sslmode_is_reported_without_the_password() {
        let message = config(&[(
            "DATABASE_URL",
            "postgres://u:topsecretpw@h/db?sslmode=sometimes",
        )])
        .unwrap_err()
        .to_string();
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(!message.contains("topsecretpw"), "{message}");
    }

    #[test]
    fn the_displayed_url_hides_the_password_and_query_values() {
        let cfg = config(&[(
            "DATABASE_URL",
            "postgres://app:s3cret-pw@h:5432/db?password=other-secret&sslmode=require",
        )])
        .unwrap();
        let shown = format!("{} {:?}", cfg.database.url, cfg);
        assert!(
            !shown.contains("s3cret-pw") && !shown.contains("other-secret"),
            "{shown}"
        );
        assert!(shown.contains("app:***@h:5432/db"), "{shown}");
    }

    const NEON_POOLED: &str = "postgresql://neondb_owner:npg_abc123@ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require";
    const NEON_DIRECT: &str = "postgresql://neondb_owner:npg_abc123@ep-cool-name-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require";

    #[test]
    fn a_neon_connection_string_pasted_as_is_is_accepted() {
        let cfg = config(&[("DATABASE_URL", NEON_DIRECT)]).unwrap();
        assert_eq!(
            cfg.database.url.host(),
            "ep-cool-name-123456.eu-central-1.aws.neon.tech"
        );
        assert_eq!(cfg.database.url.port(), 5432);
        assert!(!cfg.database.transaction_pooler);
    }

    #[test]
    fn a_neon_pooled_host_is_recognised_as_a_transaction_pooler() {
        let cfg = config(&[
            ("DATABASE_URL", NEON_POOLED),
            ("DATABASE_MIGRATION_URL", NEON_DIRECT),
        ])
        .unwrap();
        assert!(cfg.database.transaction_pooler);
    }

    #[test]
    fn a_pooler_without_a_direct_url_for_migrations_says_what_to_set() {
        let message = config(&[("DATABASE_URL", NEON_POOLED)])
            .unwrap_err()
            .to_string();
        assert!(message.contains("DATABASE_MIGRATION_URL"), "{message}");
        assert!(message.contains("without `-pooler`"), "{message}");
        assert!(!message.contains("npg_abc123"), "{message}");

        let explicit = config(&[
            ("DATABASE_URL", URL),
            ("DATABASE_TRANSACTION_POOLER", "true"),
        ]);
        assert!(explicit.is_err());
    }

    #[test]
    fn defaults_suit_a_small_web_server() {
        let cfg = config(&[("DATABASE_URL", URL)]).unwrap();
        assert_eq!(cfg.database.max_connections, 10);
        assert_eq!(cfg.database.min_connections, 0);
        assert_eq!(cfg.database.acquire_timeout, secs(5));
        assert_eq!(cfg.database.statement_timeout, Some(secs(5)));
        assert_eq!(cfg.database.idle_in_transaction_timeout, Some(secs(10)));
        assert_eq!(cfg.metrics_addr, None);
        assert_eq!(cfg.listen_addr, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(cfg.session.idle_timeout, days(14));
        assert_eq!(cfg.session.absolute_lifetime, days(30));
        assert!(cfg.served_over_https);
        assert!(cfg.database.migration_url.is_none());
        assert!(!cfg.database.transaction_pooler);
    }

    #[test]
    fn a_time_limit_of_zero_is_off_and_one_postgresql_cannot_hold_is_refused() {
        let cfg = config(&[("DATABASE_URL", URL), ("DATABASE_STATEMENT_TIMEOUT", "0")]).unwrap();
        assert_eq!(cfg.database.statement_timeout, None);
        let message = config(&[
            ("DATABASE_URL", URL),
            ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "30d"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT") && message.contains("24 days"),
            "{message}"
        );
    }

    #[test]
    fn metrics_get_an_address_of_their_own_never_the_public_one() {
        let cfg = config(&[("DATABASE_URL", URL), ("METRICS_ADDR", "127.0.0.1:9100")]).unwrap();
        assert_eq!(cfg.metrics_addr, Some("127.0.0.1:9100".parse().unwrap()));
        for (site, metrics) in [
            ("127.0.0.1:3000", "127.0.0.1:3000"),
            ("0.0.0.0:3000", "127.0.0.1:3000"),
            ("127.0.0.1:3000", "0.0.0.0:3000"),
        ] {
            let message = config(&[
                ("DATABASE_URL", URL),
                ("LEPTOS_SITE_ADDR", site),
                ("METRICS_ADDR", metrics),
            ])
            .unwrap_err()
            .to_string();
            assert!(
                message.contains("METRICS_ADDR") && message.contains("public"),
                "{message}"
            );
        }
        let message = config(&[("DATABASE_URL", URL), ("METRICS_ADDR", "9100")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("127.0.0.1:9100"), "{message}");
    }

    #[test]
    fn every_setting_can_be_overridden() {
        let cfg = config(&[
            ("DATABASE_URL", URL),
            (
                "DATABASE_MIGRATION_URL",
                "postgres://app:pw@direct.example.com/tasks?sslmode=verify-full",
            ),
            ("DATABASE_MAX_CONNECTIONS", "4"),
            ("DATABASE_MIN_CONNECTIONS", "1"),
            ("DATABASE_ACQUIRE_TIMEOUT", "1500ms"),
            ("DATABASE_IDLE_TIMEOUT", "off"),
            ("DATABASE_MAX_LIFETIME", "1h"),
            ("DATABASE_CONNECT_RETRY_FOR", "2m"),
            ("DATABASE_STATEMENT_TIMEOUT", "off"),
            ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "30s"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("SESSION_IDLE_TIMEOUT", "1d"),
            ("SESSION_ABSOLUTE_LIFETIME", "7d"),
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
            ("LOGIN_THROTTLE_WINDOW", "60"),
            ("SERVED_OVER_HTTPS", "false"),
            ("PASSWORD_HASH_CONCURRENCY", "3"),
        ])
        .unwrap();
        assert_eq!(
            cfg.database.migration_url.unwrap().host(),
            "direct.example.com"
        );
        assert_eq!(cfg.database.max_connections, 4);
        assert_eq!(cfg.database.min_connections, 1);
        assert_eq!(cfg.database.acquire_timeout, Duration::from_millis(1500));
        assert_eq!(cfg.database.idle_timeout, None);
        assert_eq!(cfg.database.max_lifetime, Some(secs(3600)));
        assert_eq!(cfg.database.connect_retry_for, secs(120));
        assert_eq!(cfg.database.statement_timeout, None);
        assert_eq!(cfg.database.idle_in_transaction_timeout, Some(secs(30)));
        assert_eq!(cfg.listen_addr, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(cfg.session.idle_timeout, days(1));
        assert_eq!(cfg.session.absolute_lifetime, days(7));
        assert_eq!(cfg.login_throttle.max_failures_per_account, 3);
        assert_eq!(cfg.login_throttle.window, secs(60));
        assert!(!cfg.served_over_https);
        assert_eq!(cfg.password_hash_concurrency, 3);
    }

    #[test]
    fn a_bad_number_names_the_variable_and_the_value() {
        let message = config(&[("DATABASE_URL", URL), ("DATABASE_MAX_CONNECTIONS", "lots")])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("DATABASE_MAX_CONNECTIONS") && message.contains("lots"),
            "{message}"
        );
    }

    #[test]
    fn more_minimum_than_maximum_connections_is_refused() {
        let message = config(&[
            ("DATABASE_URL", URL),
            ("DATABASE_MAX_CONNECTIONS", "2"),
            ("DATABASE_MIN_CONNECTIONS", "5"),
        ])
        .unwrap_err()
        .to_string();
        assert!(message.contains("DATABASE_MIN_CONNECTIONS"), "{message}");
    }

    #[test]
    fn a_bad_duration_explains_the_accepted_units() {
        let message = config(&[
            ("DATABASE_URL", URL),
            ("DATABASE_ACQUIRE_TIMEOUT", "5 minutes"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("DATABASE_ACQUIRE_TIMEOUT") && message.contains("ms, s, m, h or d"),
            "{message}"
        );
    }

    #[test]
    fn durations_accept_each_unit_and_bare_seconds() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5"), Ok(secs(5)));
        assert_eq!(parse_duration("5s"), Ok(secs(5)));
        assert_eq!(parse_duration("10m"), Ok(secs(600)));
        assert_eq!(parse_duration("2h"), Ok(secs(7200)));
        assert_eq!(parse_duration("14d"), Ok(days(14)));
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn an_smtp_url_prints_without_its_password_and_a_bad_one_says_what_is_expected() {
        let config = config(&[
            ("DATABASE_URL", URL),
            (
                "SMTP_URL",
                "smtps://mailer:m41l-secret@smtp.example.com:465",
            ),
        ])
        .unwrap();
        let shown = format!("{:?}", config.mail);
        assert!(!shown.contains("m41l-secret"), "{shown}");
        assert!(shown.contains("smtp.example.com"), "{shown}");

        let message = super::tests::config(&[
            ("DATABASE_URL", URL),
            ("SMTP_URL", "http://mailer:m41l-secret@smtp.example.com"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("SMTP_URL") && message.contains("smtps://"),
            "{message}"
        );
        assert!(!message.contains("m41l-secret"), "{message}");
    }

    #[test]
    fn a_public_origin_is_a_scheme_host_and_port_only() {
        let origin = |raw: &str| {
            super::tests::config(&[("DATABASE_URL", URL), ("PUBLIC_ORIGIN", raw)])
                .map(|c| c.mail.public_origin)
        };
        assert_eq!(
            origin("https://tasks.example.com/").unwrap(),
            "https://tasks.example.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:3000").unwrap(),
            "http://127.0.0.1:3000"
        );
        for bad in [
            "tasks.example.com",
            "ftp://tasks.example.com",
            "https://tasks.example.com/app",
            "https://a.example.com?x=1",
        ] {
            let message = origin(bad).unwrap_err().to_string();
            assert!(message.contains("PUBLIC_ORIGIN"), "{bad}: {message}");
        }
    }

    #[test]
    fn without_smtp_a_development_build_logs_mail_and_links_point_at_its_own_address() {
        let config = config(&[
            ("DATABASE_URL", URL),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3100"),
            ("SERVED_OVER_HTTPS", "false"),
        ])
        .unwrap();
        // Tests are debug builds; a release build turns mail off instead.
        assert!(matches!(config.mail.transport, MailTransport::Log));
        assert_eq!(config.mail.public_origin, "http://127.0.0.1:3100");
        assert_eq!(config.mail.reset_link_lifetime, Duration::from_secs(3600));
    }

    #[test]
    fn a_bad_trusted_proxy_entry_is_named_and_a_good_list_is_read() {
        let message = config(&[
            ("DATABASE_URL", URL),
            ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("TRUSTED_PROXIES") && message.contains("proxy.internal"),
            "{message}"
        );
        let config = config(&[
            ("DATABASE_URL", URL),
            ("TRUSTED_PROXIES", "10.0.0.0/8 192.0.2.1,2001:db8::/32"),
        ])
        .unwrap();
        assert_eq!(config.proxies.trusted.len(), 3);
        assert!(config.proxies.trusts("10.200.0.1".parse().unwrap()));
        assert!(config.proxies.trusts("::ffff:192.0.2.1".parse().unwrap()));
        assert!(!config.proxies.trusts("192.0.2.2".parse().unwrap()));
        assert!(!config.proxies.trust_last_hop);
    }

    #[test]
    fn a_release_build_refuses_smtp_credentials_without_tls() {
        let plain = "smtp://mailer:m41l-secret@smtp.example.com:587";
        let message = SmtpUrl::parse(plain, true).unwrap_err().to_string();
        assert!(
            message.contains("tls=required") && !message.contains("m41l-secret"),
            "{message}"
        );
        assert!(SmtpUrl::parse(&format!("{plain}?tls=required"), true).is_ok());
        assert!(SmtpUrl::parse("smtps://mailer:m41l-secret@smtp.example.com:465", true).is_ok());
        assert!(
            SmtpUrl::parse("smtp://127.0.0.1:1025", true).is_ok(),
            "no credentials to protect"
        );
        assert!(
            SmtpUrl::parse(plain, false).is_ok(),
            "a development build may"
        );
    }

    #[test]
    fn a_database_across_a_network_without_tls_is_refused_with_what_to_add() {
        for (url, var) in [
            ("postgres://app:pw@db.example.com/tasks", "DATABASE_URL"),
            (
                "postgres://app:pw@db.example.com/tasks?sslmode=prefer",
                "DATABASE_URL",
            ),
            (
                "postgres://app:pw@10.0.0.5/tasks?sslmode=disable",
                "DATABASE_URL",
            ),
        ] {
            let message = config(&[("DATABASE_URL", url)]).unwrap_err().to_string();
            assert!(
                message.contains(var)
                    && message.contains("sslmode=verify-full")
                    && message.contains("DATABASE_ALLOW_PLAINTEXT"),
                "{url}: {message}"
            );
            assert!(!message.contains("pw@"), "{message}");
            assert!(config(&[("DATABASE_URL", url), ("DATABASE_ALLOW_PLAINTEXT", "true")]).is_ok());
        }
        let message = config(&[
            ("DATABASE_URL", URL),
            (
                "DATABASE_MIGRATION_URL",
                "postgres://app:pw@direct.example.com/tasks",
            ),
        ])
        .unwrap_err()
        .to_string();
        assert!(message.contains("DATABASE_MIGRATION_URL"), "{message}");
    }

    #[test]
    fn a_local_database_or_one_that_requires_tls_is_accepted() {
        for url in [
            "postgres://app:pw@localhost/tasks",
            "postgres://app:pw@127.0.0.1:5432/tasks",
            "postgres://app:pw@[::1]:5432/tasks",
            "postgres://app@%2Fvar%2Frun%2Fpostgresql/tasks",
            "postgres://app:pw@db.example.com/tasks?sslmode=require",
            "postgres://app:pw@db.example.com/tasks?sslmode=verify-ca",
            "postgres://app:pw@db.example.com/tasks?sslmode=verify-full",
        ] {
            assert!(config(&[("DATABASE_URL", url)]).is_ok(), "{url}");
        }
    }
}
