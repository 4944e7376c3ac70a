//! Throttling: attempts counted per key in a window that starts at the key's first
//! attempt, so nobody is held back for longer than one window however often an
//! attacker tries.
//!
//! Password attempts (`Throttle`) follow OWASP's device-cookie design: a browser
//! that has signed in to the account before presents its trusted-device cookie,
//! and its attempts count against that device alone; every other attempt counts
//! against the account and the client address. So a stranger's guesses can hold
//! back other strangers but never a device the owner uses. Re-entering the password
//! while signed in counts per session. Other flows (reset requests, sign-ups) count
//! through `count`.

use std::time::Duration;

use crate::{config::LoginThrottleConfig, db::Db, error::AppError};

pub struct Throttle<'a> {
    db: &'a Db,
    config: &'a LoginThrottleConfig,
}

/// The counters one password attempt touches: the one it is judged by (`own`,
/// forgiven entirely by a correct password), and the client address's.
pub struct Keys {
    own: String,
    limit: Judged,
    address: Option<String>,
}

/// Which configured limit `own` is held to.
#[derive(Clone, Copy)]
enum Judged {
    Account,
    Device,
}

impl Keys {
    /// A log-in from a browser the account does not trust: counted against the
    /// account, and against the client address.
    pub fn untrusted(email: &str, client: Option<String>) -> Self {
        Self {
            own: format!("account:{email}"),
            limit: Judged::Account,
            address: client.map(|client| format!("address:{client}")),
        }
    }

    /// A log-in from a device the account trusts (`device`: its token's hash, in
    /// hex): counted against that device alone.
    pub fn trusted_device(device: &str) -> Self {
        Self {
            own: format!("device:{device}"),
            limit: Judged::Device,
            address: None,
        }
    }

    /// The password typed again in a signed-in session (`session`: its handle):
    /// counted against that session alone.
    pub fn session(session: &str) -> Self {
        Self {
            own: format!("session:{session}"),
            limit: Judged::Device,
            address: None,
        }
    }
}

impl<'a> Throttle<'a> {
    pub fn new(db: &'a Db, config: &'a LoginThrottleConfig) -> Self {
        Self { db, config }
    }

    /// Counts this attempt against both keys before the password is checked, and
    /// refuses with `RateLimited` (and how long to wait) once either is over its
    /// limit. Counting first, in one statement, is what stops a burst of parallel
    /// guesses from all passing a check made before any of them failed.
    pub async fn attempt(&self, keys: &Keys) -> Result<(), AppError> {
        let mut limits = vec![Limit {
            key: &keys.own,
            max: match keys.limit {
                Judged::Account => self.config.max_failures_per_account,
                Judged::Device => self.config.max_failures_per_device,
            },
        }];
        limits.extend(keys.address.as_deref().map(|key| Limit {
            key,
            max: self.config.max_failures_per_address,
        }));
        count(self.db, &limits, self.config.window).await
    }

    /// A correct password: the attempt was not a failure. The own count (account,
    /// device or session) is forgiven entirely; the address only gets this attempt back, so one correct
    /// password does not reset an attacker's budget for other accounts.
    ///
    /// Both statements or neither: forgiving the account but not the address (or
    /// the reverse) would leave the counts wrong for the next attempt.
    pub async fn succeeded(&self, keys: &Keys) -> Result<(), AppError> {
        self.db
            .atomic(async |conn| {
                sqlx::query!("DELETE FROM login_throttle WHERE key = $1", keys.own)
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

/// One counter an attempt touches, and how many attempts it allows per window.
pub struct Limit<'k> {
    pub key: &'k str,
    pub max: u32,
}

/// Counts one attempt against every key and refuses with `RateLimited` (and how
/// long to wait) once any of them is over its limit. The window starts at a key's
/// first attempt and is never extended, so nobody waits longer than one window.
pub async fn count(db: &Db, limits: &[Limit<'_>], window: Duration) -> Result<(), AppError> {
    let keys: Vec<&str> = limits.iter().map(|limit| limit.key).collect();
    let window_secs = window.as_secs_f64();
    let counts = db
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
                &keys as &[&str],
                window_secs
            )
            .fetch_all(conn)
            .await
        })
        .await?;
    let wait = counts
        .iter()
        .filter(|row| {
            limits
                .iter()
                .any(|limit| limit.key == row.key && i64::from(row.failures) > i64::from(limit.max))
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
