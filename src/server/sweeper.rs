//! The sweeper: one background task that deletes what has expired (sessions,
//! counters, devices, remembered submissions) for as long as the server runs.

use std::time::Duration;

use crate::db::Db;

/// How often the sweeper runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15 * 60);

/// Sweeps every `period`, the first round at once. A failed round (database away)
/// is logged and tried again next time (tower-sessions' own
/// `continuously_delete_expired` would stop at the first). `window`: the log-in
/// throttle's.
pub fn spawn_sweeper(db: Db, window: Duration, period: Duration) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            crate::auth::ssr::sweep(&db, window).await;
            // A failure is logged where the database error becomes an AppError.
            let _ = crate::submissions::delete_stale(&db).await;
        }
    });
}
