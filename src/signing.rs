//! Signed return URLs. Without JavaScript, a form post that fails (or succeeds with
//! something to say) goes back to its page with the message and what was typed in
//! the query string; a crafted link could put any text there. So the app signs
//! the query it writes (an HMAC-SHA256 with a key kept in PostgreSQL, which every
//! instance shares, made on first start) with the time and the browser it writes it
//! for, and pages show those values only from a URL it signed for this browser
//! within the last hour.
//!
//! The browser is named by a random cookie of its own (`binding`), set by the first
//! plain form post that needs it: a URL someone got signed by posting a form
//! themselves (with text of their choosing) is worthless in anyone else's browser.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::OnceCell;

use crate::{db::Db, error::AppError};

const KEY_NAME: &str = "form_return";
/// How long a signed URL stays good: a reload of the page a failed post returned
/// to still shows its message; a link kept for later does not.
const GOOD_FOR_SECS: i64 = 60 * 60;

#[derive(Clone)]
pub struct Signer {
    db: Db,
    key: Arc<OnceCell<Vec<u8>>>,
    /// When loading the key last failed: requests do not all wait on a database
    /// that is away (they go on unsigned, and try again a few seconds later).
    failed_at: Arc<Mutex<Option<Instant>>>,
}

/// How long after a failed load requests go on without trying again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Middleware: the key, loaded before pages and server functions need it. Without
/// it (database away) requests still run: nothing is signed, so pages show no
/// returned values, the safe side.
pub async fn with_key(State(signer): State<Signer>, request: Request, next: Next) -> Response {
    if signer.key.get().is_none() {
        let recently_failed = signer
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < RETRY_AFTER);
        if !recently_failed {
            if let Err(error) = signer.ensure().await {
                tracing::warn!(%error, "the form-return signing key could not be loaded; will retry");
                *signer
                    .failed_at
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            }
        }
    }
    next.run(request).await
}

impl Signer {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            key: Arc::new(OnceCell::new()),
            failed_at: Arc::new(Mutex::new(None)),
        }
    }

    /// Loads the key, making it if this is the first start; later calls are free.
    pub async fn ensure(&self) -> Result<(), AppError> {
        self.key
            .get_or_try_init(|| async {
                let mut fresh = [0u8; 32];
                OsRng.fill_bytes(&mut fresh);
                self.db
                    .unit(async |conn| {
                        // Two statements, not one: the read must see the key of an
                        // instance that made it first, after this insert's snapshot.
                        sqlx::query!(
                            "INSERT INTO app_secrets (name, value) VALUES ($1, $2)
                             ON CONFLICT (name) DO NOTHING",
                            KEY_NAME,
                            &fresh[..]
                        )
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query_scalar!(
                            "SELECT value FROM app_secrets WHERE name = $1",
                            KEY_NAME
                        )
                        .fetch_one(&mut *conn)
                        .await
                    })
                    .await
                    .map_err(AppError::from)
            })
            .await
            .map(drop)
    }

    fn mac(&self) -> Option<Hmac<Sha256>> {
        let key = self.key.get()?;
        Hmac::<Sha256>::new_from_slice(key).ok()
    }

    /// `path_and_query` (which has a query) with `__t` (`now`, Unix seconds) and
    /// `__sig` added, for the browser holding `binding`; unchanged when the key could
    /// not be loaded (the page then shows nothing it was sent, the safe side).
    pub fn sign(&self, binding: &str, path_and_query: &str, now: i64) -> String {
        let Some(mut mac) = self.mac() else {
            return path_and_query.to_owned();
        };
        let signed = format!("{path_and_query}&__t={now}");
        mac.update(binding.as_bytes());
        mac.update(b"\n");
        mac.update(signed.as_bytes());
        let sig = hex(&mac.finalize().into_bytes());
        format!("{signed}&__sig={sig}")
    }

    /// Whether this app signed `path_and_query` for the browser holding `binding`
    /// in the last hour.
    pub fn verify(&self, binding: &str, path_and_query: &str, now: i64) -> bool {
        let Some((signed, sig)) = path_and_query.rsplit_once("&__sig=") else {
            return false;
        };
        let Some((_, time)) = signed.rsplit_once("&__t=") else {
            return false;
        };
        let Ok(time) = time.parse::<i64>() else {
            return false;
        };
        let (Some(mut mac), Some(sig)) = (self.mac(), unhex(sig)) else {
            return false;
        };
        mac.update(binding.as_bytes());
        mac.update(b"\n");
        mac.update(signed.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&sig).is_ok() && (-60..=GOOD_FOR_SECS).contains(&(now - time))
    }
}

/// Bytes in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        let db = Db::new(
            sqlx::PgPool::connect_lazy("postgres://unused@localhost/unused").unwrap(),
            false,
        );
        let signer = Signer::new(db);
        signer.key.set(vec![7; 32]).unwrap();
        signer
    }

    const NOW: i64 = 1_796_146_800;
    const BROWSER: &str = "0123456789abcdef";

    #[tokio::test]
    async fn a_url_it_signed_verifies_for_an_hour() {
        let signer = signer();
        let url = signer.sign(BROWSER, "/account?saved=name", NOW);
        assert!(url.starts_with("/account?saved=name&__t="), "{url}");
        assert!(signer.verify(BROWSER, &url, NOW));
        assert!(signer.verify(BROWSER, &url, NOW + 3600));
        assert!(!signer.verify(BROWSER, &url, NOW + 3601), "too old");
    }

    #[tokio::test]
    async fn a_changed_or_unsigned_url_does_not_verify() {
        let signer = signer();
        let url = signer.sign(BROWSER, "/account?imported=3", NOW);
        assert!(!signer.verify(BROWSER, &url.replace("imported=3", "imported=9"), NOW));
        assert!(!signer.verify(BROWSER, &url.replace("/account", "/"), NOW));
        assert!(!signer.verify(BROWSER, &format!("{url}&saved=name"), NOW));
        assert!(!signer.verify(BROWSER, "/account?imported=3", NOW));
        assert!(
            !signer.verify("another browser", &url, NOW),
            "another browser"
        );
        let other = Signer::new(signer.db.clone());
        other.key.set(vec![8; 32]).unwrap();
        assert!(!other.verify(BROWSER, &url, NOW), "another key");
    }

    #[tokio::test]
    async fn without_its_key_it_signs_nothing() {
        let signer = Signer::new(signer().db);
        assert_eq!(
            signer.sign(BROWSER, "/account?saved=name", NOW),
            "/account?saved=name"
        );
    }
}
