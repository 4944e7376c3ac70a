//! The server side of accounts: sessions, password hashing, throttling, password
//! reset by email, the accounts' SQL (`users`), and the work behind each account
//! server function.

mod actions;
mod passwords;
pub mod reset;
pub mod session;
mod throttle;
mod tokens;
mod trusted_devices;
pub mod users;

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use axum::{extract::ConnectInfo, http::request::Parts};

pub use actions::*;
pub use passwords::Passwords;
pub use session::PgSessionStore;

use crate::db::Db;

/// The client's address for throttling: the TCP peer, or the last `X-Forwarded-For`
/// hop when configured to sit behind a proxy that sets it.
fn client_address(parts: &Parts, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// How often the sweeper runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15 * 60);

/// Deletes expired sessions, stale throttle counters (log-in counters after
/// `window`, reset-request counters after theirs) and lapsed trusted devices every
/// `period`, for as long
/// as the server runs: a failed sweep (database away) is logged and retried next
/// time (tower-sessions' own `continuously_delete_expired` would stop at the first).
pub fn spawn_sweeper(db: Db, window: Duration, period: Duration) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(error) = session::delete_expired(&db).await {
                tracing::warn!(%error, "deleting expired sessions failed; will retry");
            }
            // A failure is logged where the database error is turned into an AppError.
            let stale =
                throttle::delete_stale(&db, window.max(reset::WINDOW).max(actions::SIGN_UP_WINDOW))
                    .await;
            if stale.and(trusted_devices::delete_stale(&db).await).is_err() {
                tracing::warn!("deleting stale log-in counters or devices failed; will retry");
            }
        }
    });
}
