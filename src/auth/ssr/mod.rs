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

/// One round of the sweeper (`server::sweeper::spawn_sweeper`): deletes expired sessions,
/// stale throttle counters (log-in counters after `window`, reset-request counters
/// after theirs) and lapsed trusted devices. A failure (database away) is logged;
/// the next round tries again.
pub async fn sweep(db: &Db, window: Duration) {
    if let Err(error) = session::delete_expired(db).await {
        tracing::warn!(%error, "deleting expired sessions failed; will retry");
    }
    // A failure is logged where the database error is turned into an AppError.
    let stale =
        throttle::delete_stale(db, window.max(reset::WINDOW).max(actions::SIGN_UP_WINDOW)).await;
    if stale.and(trusted_devices::delete_stale(db).await).is_err() {
        tracing::warn!("deleting stale log-in counters or devices failed; will retry");
    }
}
