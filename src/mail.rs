//! Outgoing mail: the outbox that keeps a mail the app has promised to send through
//! restarts and passing SMTP failures, the worker that sends it, and the transport
//! (SMTP, or the log in a development build).
//!
//! A feature enqueues a row (`Outbox::enqueue`: what kind of mail, to whom) and
//! registers a [`Compose`] that writes that kind of mail at the moment it is sent.
//! Writing it late is what keeps secrets out of the table: a password-reset link's
//! token is made as its mail goes out, and only its hash is stored.
//!
//! The worker polls rather than LISTENs: a transaction-mode pooler (Neon's) does not
//! carry notifications. A local enqueue wakes it at once; rows enqueued by another
//! instance, and retries, wait for the next poll.

use std::{collections::HashMap, sync::Arc, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use tokio::sync::Notify;

use crate::{
    config::{MailConfig, MailTransport},
    db::Db,
    error::AppError,
    telemetry,
};

/// How often the worker looks for due mail when nothing woke it.
const POLL_EVERY: Duration = Duration::from_secs(5);
/// How long a worker owns a row it took: longer than any send may take (below), so
/// two workers never send one mail; a worker that died mid-send frees its row then.
const CLAIM_FOR: Duration = Duration::from_secs(5 * 60);
/// The longest one send may take, connecting included.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts before a mail is given up (with an error in the log). With the backoff
/// below they span about 21 minutes.
const MAX_ATTEMPTS: i32 = 8;

/// The wait before the attempt after `attempts` failed ones: 10 s, doubling, at
/// most 15 minutes.
fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
    Duration::from_secs(10u64.saturating_mul(1 << exponent)).min(Duration::from_secs(15 * 60))
}

/// One mail, ready to send.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Writes the mail of one kind for a recipient, at the moment it is sent; `None`
/// when there is nothing to send (a reset asked for an address with no account).
#[async_trait::async_trait]
pub trait Compose: Send + Sync {
    async fn compose(&self, recipient: &str) -> Result<Option<Mail>, AppError>;
}

/// The outbox as request handlers see it: enqueue, and wake this instance's worker.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    wake: Arc<Notify>,
    enabled: bool,
}

impl Outbox {
    pub fn new(db: Db, config: &MailConfig) -> Self {
        Self {
            db,
            wake: Arc::new(Notify::new()),
            enabled: !config.transport.is_off(),
        }
    }

    /// Whether mail goes anywhere (SMTP, or the log in development).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// How many mails wait to be sent (or retried).
    pub async fn depth(&self) -> Result<i64, AppError> {
        Ok(self
            .db
            .unit(async |conn| {
                sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM mail_outbox"#)
                    .fetch_one(conn)
                    .await
            })
            .await?)
    }

    /// Promises a mail of `kind` to `recipient`: once this returns, the mail goes
    /// out even if the app restarts before it is sent.
    pub async fn enqueue(&self, kind: &str, recipient: &str) -> Result<(), AppError> {
        self.db
            .unit(async |conn| {
                sqlx::query!(
                    "INSERT INTO mail_outbox (kind, recipient) VALUES ($1, $2)",
                    kind,
                    recipient
                )
                .execute(conn)
                .await
                .map(drop)
            })
            .await?;
        self.wake.notify_one();
        Ok(())
    }
}

/// Where mail goes.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

/// Why a send failed, as far as retrying goes.
#[derive(Debug)]
enum SendError {
    /// Worth another attempt later (a 4xx answer, a connection refused, a timeout).
    Passing(String),
    /// The server refused for good (a 5xx answer: no such mailbox, bad credentials).
    Permanent(String),
}

/// Sends what the outbox holds, one row at a time.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    wake: Arc<Notify>,
    transport: Transport,
    from: Mailbox,
    composers: Arc<HashMap<&'static str, Arc<dyn Compose>>>,
}

/// One row, claimed.
struct Job {
    id: i64,
    kind: String,
    recipient: String,
    attempts: i32,
}

impl Worker {
    /// None when mail is off (a release build without `SMTP_URL`).
    pub fn new(
        outbox: &Outbox,
        config: &MailConfig,
        composers: HashMap<&'static str, Arc<dyn Compose>>,
    ) -> Option<Self> {
        let transport = match &config.transport {
            MailTransport::Off => return None,
            MailTransport::Log => Transport::Log,
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .expect("SMTP_URL was checked when the configuration was read")
                    .timeout(Some(SEND_TIMEOUT))
                    .build(),
            ),
        };
        Some(Self {
            db: outbox.db.clone(),
            wake: Arc::clone(&outbox.wake),
            transport,
            from: config.from.clone(),
            composers: Arc::new(composers),
        })
    }

    /// Runs for as long as the server does: sends what is due, then sleeps until an
    /// enqueue wakes it or the next poll. A database fault is logged and retried.
    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                if let Err(error) = self.deliver_due().await {
                    tracing::warn!(%error, "the mail outbox could not be read; will retry");
                }
                let _ = tokio::time::timeout(POLL_EVERY, self.wake.notified()).await;
            }
        });
    }

    /// Sends every row that is due now; answers how many rows it handled (sent,
    /// rescheduled or given up).
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let mut handled = 0;
        while let Some(job) = self.claim().await? {
            self.deliver(job).await?;
            handled += 1;
        }
        Ok(handled)
    }

    /// Takes the oldest due row for `CLAIM_FOR`. `SKIP LOCKED` lets two workers
    /// claim at once without waiting on, or both taking, the same row.
    async fn claim(&self) -> Result<Option<Job>, AppError> {
        Ok(self
            .db
            .unit(async |conn| {
                sqlx::query_as!(
                    Job,
                    "UPDATE mail_outbox
                     SET attempts = attempts + 1,
                         next_attempt_at = now() + make_interval(secs => $1)
                     WHERE id = (SELECT id FROM mail_outbox WHERE next_attempt_at <= now()
                                 ORDER BY next_attempt_at, id LIMIT 1
                                 FOR UPDATE SKIP LOCKED)
                     RETURNING id, kind, recipient, attempts",
                    CLAIM_FOR.as_secs_f64()
                )
                .fetch_optional(conn)
                .await
            })
            .await?)
    }

    /// Writes the mail afresh at every attempt. For a reset that means a new token
    /// each time, so when a mail reached its reader but the answer did not reach us
    /// (or we stopped before noting it), the retry's mail replaces its link: the
    /// newest mail's link is the one that works, as with a second request.
    async fn deliver(&self, job: Job) -> Result<(), AppError> {
        let Some(composer) = self.composers.get(job.kind.as_str()) else {
            tracing::error!(kind = %job.kind, id = job.id, "no composer for this kind of mail; dropping it");
            return self.finish(job.id).await;
        };
        // Writing it may fail like any database work: the row is retried later.
        let mail = match composer.compose(&job.recipient).await {
            Ok(Some(mail)) => mail,
            Ok(None) => return self.finish(job.id).await,
            Err(error) => return self.retry(&job, &error.to_string()).await,
        };
        match self.send(mail).await {
            Ok(()) => {
                tracing::info!(kind = %job.kind, id = job.id, "mail sent");
                self.finish(job.id).await
            }
            Err(SendError::Passing(reason)) => self.retry(&job, &reason).await,
            Err(SendError::Permanent(reason)) => {
                telemetry::mail_failed(false);
                tracing::error!(kind = %job.kind, id = job.id, %reason, "the mail server refused a mail for good; dropping it");
                self.finish(job.id).await
            }
        }
    }

    async fn send(&self, mail: Mail) -> Result<(), SendError> {
        let transport = match &self.transport {
            Transport::Log => {
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    body = %mail.body,
                    "mail (not sent: SMTP_URL is not set in this development build)"
                );
                return Ok(());
            }
            Transport::Smtp(transport) => transport,
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|error| SendError::Permanent(format!("the recipient: {error}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|error| SendError::Permanent(error.to_string()))?;
        match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
            Err(_) => Err(SendError::Passing("timed out".into())),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) if error.is_permanent() => Err(SendError::Permanent(error.to_string())),
            Ok(Err(error)) => Err(SendError::Passing(error.to_string())),
        }
    }

    /// Sent, or nothing to send: the row is done.
    async fn finish(&self, id: i64) -> Result<(), AppError> {
        Ok(self
            .db
            .unit(async |conn| {
                sqlx::query!("DELETE FROM mail_outbox WHERE id = $1", id)
                    .execute(conn)
                    .await
                    .map(drop)
            })
            .await?)
    }

    /// A passing failure: try again after the backoff, or give up after
    /// `MAX_ATTEMPTS`.
    async fn retry(&self, job: &Job, reason: &str) -> Result<(), AppError> {
        let giving_up = job.attempts >= MAX_ATTEMPTS;
        telemetry::mail_failed(!giving_up);
        if giving_up {
            tracing::error!(kind = %job.kind, id = job.id, attempts = job.attempts, %reason, "giving up on a mail");
            return self.finish(job.id).await;
        }
        let wait = backoff(job.attempts);
        tracing::warn!(kind = %job.kind, id = job.id, attempts = job.attempts, %reason, retry_in = ?wait, "sending a mail failed; will retry");
        Ok(self
            .db
            .unit(async |conn| {
                sqlx::query!(
                    "UPDATE mail_outbox SET next_attempt_at = now() + make_interval(secs => $2),
                         last_error = $3
                     WHERE id = $1",
                    job.id,
                    wait.as_secs_f64(),
                    reason
                )
                .execute(conn)
                .await
                .map(drop)
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_ten_seconds_doubling_to_at_most_fifteen_minutes() {
        let waits: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 900, 900]);
    }
}
