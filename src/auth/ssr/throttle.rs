//! Log-in throttling: failures counted per account and per client address in a
//! window that starts at the first failure, so nobody is locked out for longer than
//! one window however often an attacker tries.

use std::time::Duration;

use sqlx::PgPool;

use crate::{config::LoginThrottleConfig, error::AppError};

pub struct Throttle<'a> {
    pool: &'a PgPool,
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
    pub fn new(pool: &'a PgPool, config: &'a LoginThrottleConfig) -> Self {
        Self { pool, config }
    }

    fn window_secs(&self) -> f64 {
        self.config.window.as_secs_f64()
    }

    /// Refuses with `RateLimited` (and how long to wait) when either counter is full.
    pub async fn check(&self, keys: &Keys) -> Result<(), AppError> {
        let rows = sqlx::query!(
            r#"SELECT key, failures,
                      EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => $2) - now()))::float8 AS "remaining_secs!"
               FROM login_throttle
               WHERE key = ANY($1) AND window_started_at > now() - make_interval(secs => $2)"#,
            &[keys.account.clone(), keys.address.clone().unwrap_or_default()][..],
            self.window_secs()
        )
        .fetch_all(self.pool)
        .await?;
        let wait = rows
            .iter()
            .filter(|row| {
                let limit = if row.key == keys.account {
                    self.config.max_failures_per_account
                } else {
                    self.config.max_failures_per_address
                };
                i64::from(row.failures) >= i64::from(limit)
            })
            .map(|row| Duration::from_secs_f64(row.remaining_secs.max(1.0)))
            .max();
        match wait {
            Some(wait) => Err(AppError::RateLimited {
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            }),
            None => Ok(()),
        }
    }

    /// Counts a failure against both keys, opening a new window where the old one ended.
    pub async fn record_failure(&self, keys: &Keys) -> Result<(), AppError> {
        let mut all = vec![keys.account.clone()];
        all.extend(keys.address.clone());
        sqlx::query!(
            "INSERT INTO login_throttle AS t (key, failures, window_started_at)
             SELECT key, 1, now() FROM unnest($1::text[]) AS key
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                                 THEN 1 ELSE t.failures + 1 END,
                 window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2)
                                          THEN now() ELSE t.window_started_at END",
            &all[..],
            self.window_secs()
        )
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// A successful log-in forgives the account's failures (not the address's: one
    /// correct password must not reset an attacker's budget for other accounts).
    pub async fn reset_account(&self, keys: &Keys) -> Result<(), AppError> {
        sqlx::query!("DELETE FROM login_throttle WHERE key = $1", keys.account)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

/// Deletes counters whose window has long passed.
pub async fn delete_stale(pool: &PgPool, window: Duration) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM login_throttle WHERE window_started_at <= now() - make_interval(secs => $1)",
        window.as_secs_f64()
    )
    .execute(pool)
    .await?;
    Ok(())
}
