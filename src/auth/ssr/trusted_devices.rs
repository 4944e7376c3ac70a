//! Trusted devices, after OWASP's "device cookies": a browser that signs in to an
//! account gets a long-lived cookie vouching for it (a random token whose hash is
//! stored with the account), and its later log-in attempts are throttled per device
//! (see `throttle`) rather than against the account, which strangers can exhaust.

use std::time::Duration;

use axum::http::request::Parts;
use leptos::prelude::use_context;
use tower_sessions::cookie::{Cookie, SameSite};

use super::tokens;
use crate::{
    auth::domain::Email,
    db::Db,
    error::AppError,
    forms::{self, request_cookie},
    state::AppState,
};

/// The most devices one account trusts at once.
const MAX_PER_ACCOUNT: i64 = 20;

/// How long a device stays trusted after its last log-in (it is renewed by each).
const TRUST_FOR: Duration = Duration::from_secs(365 * 24 * 60 * 60);

fn cookie_name(secure: bool) -> &'static str {
    forms::cookie_name("__Host-device", secure)
}

/// The hash of the device token this request presents, if it presents one of the
/// issued shape.
pub fn presented(secure: bool) -> Option<[u8; 32]> {
    let parts = use_context::<Parts>()?;
    tokens::hash_of(&request_cookie(&parts, cookie_name(secure))?)
}

/// Whether the device with token hash `device` is trusted by the account `email`.
pub async fn trusted_by(db: &Db, device: &[u8; 32], email: &Email) -> Result<bool, AppError> {
    let max_age = TRUST_FOR.as_secs_f64();
    Ok(db
        .unit(async |conn| {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM trusted_devices AS d JOIN users AS u ON u.id = d.user_id
                   WHERE d.token_hash = $1 AND u.email = $2
                     AND d.created_at > now() - make_interval(secs => $3)) AS "trusted!""#,
                &device[..],
                email.as_str(),
                max_age
            )
            .fetch_one(conn)
            .await
        })
        .await?)
}

/// Trusts this browser for `user_id` for `TRUST_FOR` from now: a new token, its
/// hash stored, the cookie set on this answer. `replacing`: the token this browser
/// presented, retired (each log-in rotates it; one for another account stays
/// with that account until it lapses).
pub async fn trust(
    db: &Db,
    user_id: i64,
    secure: bool,
    replacing: Option<&[u8; 32]>,
) -> Result<(), AppError> {
    let (token, hash) = tokens::issue();
    let retired = replacing.map(|old| old.to_vec());
    db.atomic(async |conn| {
        sqlx::query!(
            "DELETE FROM trusted_devices WHERE token_hash = $1 AND user_id = $2",
            retired.as_deref(),
            user_id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "INSERT INTO trusted_devices (token_hash, user_id) VALUES ($1, $2)",
            &hash[..],
            user_id
        )
        .execute(&mut *conn)
        .await?;
        // Each device has its own budget of failures, so their number is bounded:
        // the oldest lose their trust first.
        sqlx::query!(
            "DELETE FROM trusted_devices WHERE user_id = $1 AND token_hash NOT IN (
                 SELECT token_hash FROM trusted_devices WHERE user_id = $1
                 ORDER BY created_at DESC LIMIT $2)",
            user_id,
            MAX_PER_ACCOUNT
        )
        .execute(&mut *conn)
        .await
        .map(drop)
    })
    .await?;
    let cookie = Cookie::build((cookie_name(secure), token))
        .http_only(true)
        // Only this site's own pages ever send it: it is read by the log-in only.
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(
            i64::try_from(TRUST_FOR.as_secs()).unwrap_or(i64::MAX),
        ))
        .build();
    forms::set_cookie(&cookie);
    Ok(())
}

/// `trust` for the browser of this request, which has just proved the password:
/// a failure is logged, not answered, since the person is in all the same (they
/// only lose the device's protection until their next log-in).
pub async fn trust_this_browser(state: &AppState, user_id: i64, replacing: Option<&[u8; 32]>) {
    if let Err(error) = trust(
        &state.db,
        user_id,
        state.config.served_over_https,
        replacing,
    )
    .await
    {
        tracing::warn!(%error, "could not trust this browser for the account");
    }
}

/// Forgets devices whose trust has lapsed (on the sweeper's schedule).
pub async fn delete_stale(db: &Db) -> Result<(), AppError> {
    db.unit(async |conn| {
        sqlx::query!(
            "DELETE FROM trusted_devices WHERE created_at <= now() - make_interval(secs => $1)",
            TRUST_FOR.as_secs_f64()
        )
        .execute(conn)
        .await
        .map(drop)
    })
    .await?;
    Ok(())
}
