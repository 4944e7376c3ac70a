//! Log-in throttling: failures counted per account and per client address in a
//! window that starts at the first failure, so nobody is locked out for longer than
//! one window however often an attacker tries.

use std::time::Duration;

use crate::{config::LoginThrottleConfig, db::Db, error::AppError};

pub struct Throttle<'a> {
    db: &'a Db,
    config: &'a LoginThrottleConfig,
}

/// The two counters one log-in attempt touches.
pub struct Keys {
    pub account: String,
    pub address: Option<String>,
}

impl Keys {
    pub fn new(email: &str, address: Option<std::net::IpAddr>) -> Self {
        Self {
            account: format!("account:{email}"),
            address: address.map(|ip| format!("address:{ip}")),
        }
    }
}

impl<'a> Throttle<'a> {
    pub fn new(db: &'a Db, config: &'a LoginThrottleConfig) -> Self {
        Self { db, config }
    }

    fn window_secs(&self) -> f64 {
        self.config.window.as_secs_f64()
    }

    /// Counts this attempt against both keys before the password is checked, and
    /// refuses with `RateLimited` (and how long to wait) once either is over its
    /// limit. Counting first, in one statement, is what stops a burst of parallel
    /// guesses from all passing a check made before any of them failed. The window
    /// starts at the first attempt and is never extended, so nobody is locked out
    /// for longer than one window.
    pub async fn attempt(&self, keys: &Keys) -> Result<(), AppError> {
        let mut all = vec![keys.account.clone()];
        all.extend(keys.address.clone());
        let window_secs = self.window_secs();
        let counts = self
            .db
            .unit(async |conn| {
                sqlx::query!(
            r#"INSERT INTO login_throttle AS t (key, failures, window_started_at)
               SELECT key, 1, now() FROM unnest($1::text[]) AS key
               ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                                   THEN 1 ELSE t.failures + 1 END,
                   window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                                            THEN now() ELSE t.window_started_at END
               RETURNING key, failures,
                   EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => $2) - now()))::float8 AS "remaining_secs!""#,
                    &all[..],
                    window_secs
                )
                .fetch_all(conn)
                .await
            })
            .await?;
        let wait = counts
            .iter()
            .filter(|row| {
                let limit = if row.key == keys.account {
                    self.config.max_failures_per_account
                } else {
                    self.config.max_failures_per_address
                };
                i64::from(row.failures) > i64::from(limit)
            })
            .map(|row| row.remaining_secs.max(1.0))
            .reduce(f64::max);
        match wait {
            Some(secs) => Err(AppError::RateLimited {
                retry_after_secs: secs.ceil() as u64,
            }),
            None => Ok(()),
        }
    }

    /// A correct password: the attempt was not a failure. The account's count is
    /// forgiven entirely; the address only gets this attempt back, so one correct
    /// password does not reset an attacker's budget for other accounts.
    ///
    /// Both statements or neither: forgiving the account but not the address (or
    /// the reverse) would leave the counts wrong for the next attempt.
    pub async fn succeeded(&self, keys: &Keys) -> Result<(), AppError> {
        self.db
            .atomic(async |conn| {
                sqlx::query!("DELETE FROM login_throttle WHERE key = $1", keys.account)
                    .execute(&mut *conn)
                    .await?;
                if let Some(address) = &keys.address {
                    sqlx::query!(
                        "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 1",
                        address
                    )
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            })
            .await
    }
}

/// Deletes counters whose window has long passed.
pub async fn delete_stale(db: &Db, window: Duration) -> Result<(), AppError> {
    db.unit(async |conn| {
        sqlx::query!(
            "DELETE FROM login_throttle WHERE window_started_at <= now() - make_interval(secs => $1)",
            window.as_secs_f64()
        )
        .execute(conn)
        .await?;
        Ok(())
    })
    .await
}
