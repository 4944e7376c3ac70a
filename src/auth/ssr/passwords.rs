//! Password hashing with argon2id, off the async runtime and bounded, so a burst of
//! log-ins queues for CPU instead of stalling every other request.

use std::sync::Arc;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use tokio::sync::Semaphore;

use crate::{auth::domain::Password, error::AppError};

/// The longest a request waits for a free hashing slot.
const QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that answer costs the same
    /// time as a wrong password and timing does not reveal who has an account.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        let dummy = SaltString::generate(&mut OsRng);
        let dummy_hash =
            hash_blocking(dummy.as_str()).expect("hashing a fixed-size random string cannot fail");
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: dummy_hash.into(),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) for the new password.
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(|error| {
                tracing::error!(%error, "password hashing failed");
                AppError::Internal
            })
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown email) it
    /// does the same work against a dummy hash and answers false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let password = password.to_owned();
        let (stored, known) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy_hash.to_string(), false),
        };
        let matches = self
            .run(move || {
                let parsed = PasswordHash::new(&stored)?;
                match Argon2::default().verify_password(password.as_bytes(), &parsed) {
                    Ok(()) => Ok(true),
                    Err(argon2::password_hash::Error::Password) => Ok(false),
                    Err(error) => Err(error),
                }
            })
            .await?
            .map_err(|error| {
                tracing::error!(%error, "a stored password hash could not be checked");
                AppError::Internal
            })?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        // A flood of log-ins waits its turn, but not forever: past this, the
        // server is overloaded and says so rather than hang the request.
        let _permit = tokio::time::timeout(QUEUE_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| {
                tracing::warn!("password hashing queue full; answering temporarily unavailable");
                AppError::Unavailable
            })?
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(work).await.map_err(|error| {
            tracing::error!(%error, "a password hashing task failed");
            AppError::Internal
        })
    }
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    // Argon2::default() is argon2id with m = 19 MiB, t = 2, p = 1: OWASP's minimum.
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}
