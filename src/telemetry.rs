//! What the app counts and times for operators: every metric's name and labels in
//! one place, and the Prometheus recorder that renders them (served on
//! `METRICS_ADDR` by `server::metrics`).
//!
//! The `metrics` facade keeps its recorder in a process-wide slot, as `tracing`
//! keeps its subscriber, so code that counts something calls these functions where
//! it happens instead of carrying a handle through every layer. Without a recorder
//! (METRICS_ADDR unset, most tests) each call costs a check of that slot.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        OnceLock,
    },
    time::{Duration, Instant},
};

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: a page or a query takes milliseconds, a log-in's
/// hash a few hundred, a passing fault up to the acquire timeout.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether a recorder is installed: work done only to be counted (a request's
/// labels) is skipped when nothing would read it.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The recorder, installed on first use (once per process: a second recorder could
/// not be installed, and tests start many apps in one process).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!(
                    "another metrics recorder was installed first; /metrics will be empty"
                );
            }
            ENABLED.store(true, Ordering::Relaxed);
            handle
        })
        .clone()
}

/// One answered request. `route`: the route's pattern (`/tasks/{id}`), never the
/// path itself, so that the number of series stays bounded.
pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    counter!("http_requests_total", &labels).increment(1);
    histogram!("http_request_duration_seconds", &labels).record(took.as_secs_f64());
}

/// The pool as it is now (sampled when metrics are read).
pub fn pool(size: u32, idle: usize) {
    gauge!("db_pool_connections").set(f64::from(size));
    gauge!("db_pool_idle_connections").set(idle as f64);
}

/// A unit of work waiting for a connection, from now until the value is dropped
/// (with its connection, or given up on).
pub struct Acquiring(Instant);

impl Acquiring {
    pub fn start() -> Self {
        gauge!("db_acquires_waiting").increment(1.0);
        Self(Instant::now())
    }
}

impl Drop for Acquiring {
    fn drop(&mut self) {
        gauge!("db_acquires_waiting").decrement(1.0);
        histogram!("db_acquire_duration_seconds").record(self.0.elapsed().as_secs_f64());
    }
}

/// What a database error was, for `db_errors_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbErrorKind {
    /// A passing fault: the database unreachable, restarting, out of connections.
    Transient,
    /// A statement or an idle transaction cut short by its time limit.
    Timeout,
    Other,
}

pub fn db_error(kind: DbErrorKind) {
    let kind = match kind {
        DbErrorKind::Transient => "transient",
        DbErrorKind::Timeout => "timeout",
        DbErrorKind::Other => "other",
    };
    counter!("db_errors_total", "kind" => kind).increment(1);
}

/// A password hash waiting for a slot, from now until the value is dropped.
pub struct HashWaiting(Instant);

impl HashWaiting {
    pub fn start() -> Self {
        gauge!("password_hash_waiting").increment(1.0);
        Self(Instant::now())
    }
}

impl Drop for HashWaiting {
    fn drop(&mut self) {
        gauge!("password_hash_waiting").decrement(1.0);
        histogram!("password_hash_wait_seconds").record(self.0.elapsed().as_secs_f64());
    }
}

/// A hash that found a free slot at once.
pub fn hash_waited_none() {
    histogram!("password_hash_wait_seconds").record(0.0);
}

/// How a log-in ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogIn {
    Success,
    /// Wrong email or password (or a form that could not be one).
    Failure,
    /// Refused by the throttle before the password was looked at.
    Throttled,
    /// The service could not answer (database away).
    Error,
}

pub fn log_in(outcome: LogIn) {
    let outcome = match outcome {
        LogIn::Success => "success",
        LogIn::Failure => "failure",
        LogIn::Throttled => "throttled",
        LogIn::Error => "error",
    };
    counter!("logins_total", "outcome" => outcome).increment(1);
}

pub fn sessions_swept(count: u64) {
    counter!("sessions_swept_total").increment(count);
}

/// Mails waiting in the outbox (sampled when metrics are read).
pub fn outbox_depth(depth: i64) {
    gauge!("mail_outbox_depth").set(depth as f64);
}

/// A mail that could not be sent: `retrying` after a passing failure, else dropped.
pub fn mail_failed(retrying: bool) {
    let outcome = if retrying { "retrying" } else { "dropped" };
    counter!("mail_failures_total", "outcome" => outcome).increment(1);
}
