//! Submissions that happen once: a create form carries a key made when it was
//! rendered, and the same submission sent again (a double click, a retry after an
//! answer lost once the work was committed, a browser sending a form again) is
//! answered like the first instead of being stored twice.

use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::{db::Db, error::AppError};

/// How long a submission is remembered: far longer than any retry, double click or
/// back-and-resend, and short enough that the table stays small.
pub const REMEMBERED_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// A key for a form being rendered: 128 random bits, URL-safe. A form used in place
/// (hydrated) sends `<key>.<n>` for its n-th next submission (see
/// `components::SubmissionKey`), so the key's alphabet includes the dot.
pub fn new_key() -> String {
    let mut raw = [0u8; 16];
    OsRng.fill_bytes(&mut raw);
    Base64UrlUnpadded::encode_string(&raw)
}

/// One submission: the form's key and what it sent. The same form sent again with
/// other text (left open after its first use, or edited after an answer that never
/// came) is a new submission, so what a person typed last is never dropped for what
/// they typed first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Submission([u8; 32]);

impl Submission {
    /// `None` without a key (a client that does not send one: each request is new).
    pub fn new(key: Option<&str>, action: &str, sent: &[&[u8]]) -> Result<Option<Self>, AppError> {
        let Some(key) = key.map(str::trim).filter(|key| !key.is_empty()) else {
            return Ok(None);
        };
        let well_formed = (16..=64).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !well_formed {
            return Err(AppError::BadRequest {
                detail: "the form's submission key is malformed".into(),
            });
        }
        let mut digest = Sha256::new();
        // Each part with its length first, so no two different submissions run
        // together into the same bytes.
        for part in [key.as_bytes(), action.as_bytes()]
            .into_iter()
            .chain(sent.iter().copied())
        {
            digest.update((part.len() as u64).to_be_bytes());
            digest.update(part);
        }
        Ok(Some(Self(digest.finalize().into())))
    }
}

/// Runs `work` unless this person sent `submission` before, and answers with its
/// value; `work` also answers the number to remember for it (an id, a count), from
/// which `again` answers a repeat. Without a submission (a client that sends no
/// key), `work` is one plain unit of work. With one, the submission and the work
/// are one transaction, stored together or not at all: the same submission
/// arriving while the first is still running waits on the first's row until it
/// commits, then is answered from it; if the first fails, the second does the work.
pub async fn once<T>(
    db: &Db,
    user_id: i64,
    submission: Option<Submission>,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<(T, i64), AppError>,
    again: impl AsyncFnOnce(&mut PgConnection, i64) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let Some(Submission(key)) = submission else {
        return Ok(db.unit(work).await?.0);
    };
    db.atomic(async |conn| {
        let claimed = sqlx::query!(
            "INSERT INTO submissions (user_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            user_id,
            &key[..]
        )
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            let outcome = sqlx::query_scalar!(
                "SELECT outcome FROM submissions WHERE user_id = $1 AND key = $2",
                user_id,
                &key[..]
            )
            .fetch_one(&mut *conn)
            .await?;
            // The row is only ever seen committed, and it is committed with its
            // outcome.
            return again(conn, outcome.ok_or(AppError::Internal)?).await;
        }
        let (value, outcome) = work(conn).await?;
        sqlx::query!(
            "UPDATE submissions SET outcome = $3 WHERE user_id = $1 AND key = $2",
            user_id,
            &key[..],
            outcome
        )
        .execute(&mut *conn)
        .await?;
        Ok(value)
    })
    .await
}

/// Forgets submissions older than [`REMEMBERED_FOR`] (on the sweeper's schedule).
pub async fn delete_stale(db: &Db) -> Result<u64, AppError> {
    let cutoff = time::OffsetDateTime::now_utc() - REMEMBERED_FOR;
    db.unit(async |conn| {
        Ok(
            sqlx::query!("DELETE FROM submissions WHERE created_at < $1", cutoff)
                .execute(conn)
                .await?
                .rows_affected(),
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(key: &str, sent: &[&[u8]]) -> Submission {
        Submission::new(Some(key), "create", sent).unwrap().unwrap()
    }

    #[test]
    fn the_same_form_sending_the_same_text_is_the_same_submission() {
        let key = new_key();
        assert_eq!(
            submission(&key, &[b"Milk", b""]),
            submission(&key, &[b"Milk", b""])
        );
    }

    #[test]
    fn other_text_another_form_or_another_action_is_a_new_submission() {
        let key = new_key();
        let first = submission(&key, &[b"Milk", b""]);
        assert_ne!(first, submission(&key, &[b"Milk!", b""]));
        assert_ne!(first, submission(&new_key(), &[b"Milk", b""]));
        assert_ne!(first, submission(&format!("{key}.1"), &[b"Milk", b""]));
        // Parts do not run together.
        assert_ne!(first, submission(&key, &[b"Mil", b"k"]));
        let import = Submission::new(Some(&key), "import", &[b"Milk", b""]).unwrap();
        assert_ne!(Some(first), import);
    }

    #[test]
    fn a_form_without_a_key_is_never_taken_for_another() {
        assert_eq!(Submission::new(None, "create", &[b"Milk"]).unwrap(), None);
        assert_eq!(
            Submission::new(Some(" "), "create", &[b"Milk"]).unwrap(),
            None
        );
    }

    #[test]
    fn a_malformed_key_is_refused() {
        for key in [
            "short",
            "has spaces in it, which no form sends",
            &"x".repeat(65),
            "ключключключключключ",
        ] {
            assert!(
                matches!(
                    Submission::new(Some(key), "create", &[]),
                    Err(AppError::BadRequest { .. })
                ),
                "{key}"
            );
        }
    }

    #[test]
    fn new_keys_are_well_formed_and_differ() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a, b);
        assert!(Submission::new(Some(&a), "create", &[]).unwrap().is_some());
    }
}
