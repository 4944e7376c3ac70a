//! Password reset by email: asking for a link (throttled, the same answer whatever
//! the address), the mail that carries it, and using it.
//!
//! A link's token (`tokens`) is made as its mail goes out; the database keeps only
//! its hash, one per person (a newer request replaces it), until it is used or
//! expires.

use std::time::Duration;

use sqlx::PgConnection;

use super::{
    client, passwords::Priority, refuse_guessable, session, throttle, tokens, trusted_devices,
    users, Passwords, PgSessionStore,
};
use crate::{
    auth::{
        domain::{Email, Password},
        LINK_NO_LONGER_WORKS,
    },
    db::Db,
    error::AppError,
    mail::{Compose, Mail},
    state::{expect_service, AppState},
};

/// The outbox's name for this kind of mail.
pub const KIND: &str = "password_reset";

/// Requests allowed per account (by email) and per client address in `WINDOW`.
/// More get the same answer and no mail.
const PER_ACCOUNT: u32 = 3;
const PER_ADDRESS: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(60 * 60);

/// The answer to a link that does not work, on the `token` field (the form shows it
/// with the way to a new link).
pub fn link_no_longer_works() -> AppError {
    AppError::validation("token", LINK_NO_LONGER_WORKS)
}

/// Asks for a reset link for `email`. Every address gets the same answer in the
/// same time: the request only enqueues, and whether an account exists is found out
/// by the outbox worker, which sends nothing when none does.
pub async fn request(email: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    let state = AppState::from_context()?;
    if !state.outbox.enabled() {
        // The page says reset by email is off and shows no form.
        return Err(AppError::NotFound);
    }
    let account_key = format!("reset:account:{}", email.as_str());
    let address = client::of_this_request(&state.config.proxies)
        .map(|client| format!("reset:address:{client}"));
    let mut limits = vec![throttle::Limit {
        key: &account_key,
        max: PER_ACCOUNT,
    }];
    limits.extend(address.as_deref().map(|key| throttle::Limit {
        key,
        max: PER_ADDRESS,
    }));
    match throttle::count(&state.db, &limits, WINDOW).await {
        Err(AppError::RateLimited { .. }) => {
            // Someone may be spending a person's requests to keep their mail away.
            tracing::warn!("a password reset request was throttled; answered as if sent");
            return Ok(());
        }
        other => other?,
    }
    state.outbox.enqueue(KIND, email.as_str()).await
}

/// Whether `token` is a live link (for the page to say so before anyone types).
pub async fn link_works(db: &Db, token: &str) -> Result<bool, AppError> {
    Ok(link_owner(db, token).await?.is_some())
}

/// Whose live link `token` is: their email and name (which a new password must not
/// be made of).
async fn link_owner(db: &Db, token: &str) -> Result<Option<(String, String)>, AppError> {
    let Some(hash) = tokens::hash_of(token) else {
        return Ok(None);
    };
    let owner = db
        .unit(async |conn| {
            sqlx::query!(
                "SELECT u.email, u.name FROM password_resets AS r JOIN users AS u ON u.id = r.user_id
                 WHERE r.token_hash = $1 AND r.expires_at > now() AND u.is_active",
                &hash[..]
            )
            .fetch_optional(conn)
            .await
        })
        .await?;
    Ok(owner.map(|row| (row.email, row.name)))
}

/// Sets a new password with the link's `token`: the link is used up, every session
/// of the person ends (and every device they trusted: the password may have been
/// known to someone else), and this browser is signed in afresh.
pub async fn reset(token: &str, new_password: &str) -> Result<(), AppError> {
    let new_password = Password::parse(new_password, "new_password")?;
    let hash_of_token = tokens::hash_of(token).ok_or_else(link_no_longer_works)?;
    let state = AppState::from_context()?;
    // A dead link costs neither a strength check nor a password hash.
    let (email, name) = link_owner(&state.db, token)
        .await?
        .ok_or_else(link_no_longer_works)?;
    refuse_guessable(&new_password, "new_password", &[&email, &name]).await?;
    let password_hash = expect_service::<Passwords>()?
        .hash(&new_password, Priority::First)
        .await?;
    let (user_id, epoch) = state
        .db
        .atomic(async |conn| {
            // The link is taken in the same transaction that uses it: of two
            // racing uses, one finds no row.
            let Some(user_id) = take(conn, &hash_of_token).await? else {
                return Ok(None);
            };
            let epoch = users::set_password_hash(conn, user_id, &password_hash).await?;
            PgSessionStore::delete_others(conn, user_id, None).await?;
            Ok::<_, AppError>(Some((user_id, epoch)))
        })
        .await?
        .ok_or_else(link_no_longer_works)?;
    trusted_devices::trust_this_browser(&state, user_id, None).await;
    session::start(user_id, epoch).await
}

/// Deletes the live reset with this token hash and answers whose it was.
async fn take(conn: &mut PgConnection, hash: &[u8; 32]) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "DELETE FROM password_resets AS r USING users AS u
         WHERE r.token_hash = $1 AND r.expires_at > now() AND u.id = r.user_id AND u.is_active
         RETURNING r.user_id",
        &hash[..]
    )
    .fetch_optional(conn)
    .await
}

/// Writes reset mails as the outbox sends them.
pub struct ResetMail {
    pub db: Db,
    /// `PUBLIC_ORIGIN`: where the link points.
    pub origin: String,
    pub lifetime: Duration,
}

#[async_trait::async_trait]
impl Compose for ResetMail {
    /// A fresh token for the account with this email, replacing any earlier one;
    /// nothing when no active account has it.
    async fn compose(&self, recipient: &str) -> Result<Option<Mail>, AppError> {
        let (token, hash) = tokens::issue();
        let stored = self
            .db
            .unit(async |conn| {
                sqlx::query_scalar!(
                    "INSERT INTO password_resets (user_id, token_hash, expires_at)
                     SELECT id, $2, now() + make_interval(secs => $3)
                     FROM users WHERE email = $1 AND is_active
                     ON CONFLICT (user_id) DO UPDATE
                         SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
                             created_at = now()
                     RETURNING user_id",
                    recipient,
                    &hash[..],
                    self.lifetime.as_secs_f64()
                )
                .fetch_optional(conn)
                .await
            })
            .await?;
        if stored.is_none() {
            return Ok(None);
        }
        let link = format!("{}/reset-password?token={token}", self.origin);
        Ok(Some(Mail {
            to: recipient.to_owned(),
            subject: "Reset your password".to_owned(),
            body: format!(
                "Someone, hopefully you, asked to reset the password of your Tasks account.\n\
                 \n\
                 To choose a new password, open this link within {}:\n\
                 \n\
                 {link}\n\
                 \n\
                 The link works once. Using it signs you out everywhere else.\n\
                 If you did not ask, ignore this mail: your password stays as it is.\n",
                lifetime_phrase(self.lifetime)
            ),
        }))
    }
}

/// "1 hour", "30 minutes", "2 hours".
fn lifetime_phrase(lifetime: Duration) -> String {
    let minutes = lifetime.as_secs().div_ceil(60).max(1);
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes.is_multiple_of(60) {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_says_how_long_the_link_works_in_words() {
        assert_eq!(lifetime_phrase(Duration::from_secs(3600)), "1 hour");
        assert_eq!(lifetime_phrase(Duration::from_secs(7200)), "2 hours");
        assert_eq!(lifetime_phrase(Duration::from_secs(1800)), "30 minutes");
        assert_eq!(lifetime_phrase(Duration::from_secs(60)), "1 minute");
    }
}
