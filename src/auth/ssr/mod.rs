//! The server side of accounts: sessions, password hashing, throttling, password
//! reset by email, the accounts' SQL (`users`), and the work behind each account
//! server function.

mod actions;
pub mod client;
mod passwords;
pub mod reset;
pub mod session;
mod throttle;
mod tokens;
mod trusted_devices;
pub mod users;

use std::time::Duration;

pub use actions::*;
pub use passwords::{refuse_guessable, Passwords};
pub use session::PgSessionStore;

use crate::db::Db;

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
