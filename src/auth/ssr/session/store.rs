//! Sessions in PostgreSQL, behind tower-sessions' `SessionStore` trait (why ours:
//! see the parent module).
//!
//! Saving an existing session only updates it: a request that was still running
//! when its session was ended (log out, password change, account deleted) finds no
//! row and cannot bring the session back.

use async_trait::async_trait;
use sqlx::PgConnection;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, ExpiredDeletion, SessionStore,
};

use tower_sessions::Session;

use crate::{db::Db, identity::User};

/// The session key holding the signed-in person's id; mirrored into the `user_id`
/// column so one statement can end all of a person's sessions.
pub(super) const USER_ID_KEY: &str = "user_id";

/// The session key holding the person's authentication epoch at log-in; `load`
/// finds the session's person only while the person's epoch is still this one.
pub(super) const AUTH_EPOCH_KEY: &str = "auth_epoch";

/// Where `load` leaves the session's person (`Option<User>`: null when the account
/// is gone or deactivated, or when its password changed after this session's log-in
/// read it: the epochs differ), read in the same statement as the session, so finding
/// out who a request is takes one unit of work instead of two (a pool ping and a
/// statement fewer). The trait's `load` can hand back only the session's data, so
/// the person rides in it under this key, which nothing but [`loaded_person`]
/// reads. Never stored: `encode` drops it, so it is always as fresh as this request.
const PERSON_KEY: &str = "_person";

/// The person `load` read beside this session; None when the account is gone or
/// deactivated.
pub(super) async fn loaded_person(
    session: &Session,
) -> Result<Option<User>, tower_sessions::session::Error> {
    Ok(session.get::<Option<User>>(PERSON_KEY).await?.flatten())
}

#[derive(Clone, Debug)]
pub struct PgSessionStore {
    db: Db,
}

impl PgSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Ends every session of `user_id` except `keep` (the one making the change),
    /// inside the caller's transaction.
    pub async fn delete_others(
        conn: &mut PgConnection,
        user_id: i64,
        keep: Option<Id>,
    ) -> Result<u64, sqlx::Error> {
        let keep = keep.map(|id| id.to_string()).unwrap_or_default();
        let result = sqlx::query!(
            "DELETE FROM sessions WHERE user_id = $1 AND id <> $2",
            user_id,
            keep
        )
        .execute(conn)
        .await?;
        Ok(result.rows_affected())
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn encode(record: &Record) -> Result<(serde_json::Value, Option<i64>), session_store::Error> {
    let mut data = serde_json::to_value(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    if let Some(map) = data.as_object_mut() {
        map.remove(PERSON_KEY);
    }
    let user_id = record
        .data
        .get(USER_ID_KEY)
        .and_then(serde_json::Value::as_i64);
    Ok((data, user_id))
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, user_id) = encode(record)?;
        // A 128-bit random id colliding is all but impossible; if it happens, draw again
        // rather than overwrite someone else's session.
        self.db
            .unit(async |conn| loop {
                let inserted = sqlx::query!(
                    "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
                    record.id.to_string(),
                    user_id,
                    data,
                    record.expiry_date
                )
                .execute(&mut *conn)
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(());
                }
                record.id = Id::default();
            })
            .await
            .map_err(backend)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, user_id) = encode(record)?;
        self.db
            .unit(async |conn| {
                sqlx::query!(
                    "UPDATE sessions SET data = $2, user_id = $3, expires_at = $4 WHERE id = $1",
                    record.id.to_string(),
                    data,
                    user_id,
                    record.expiry_date
                )
                .execute(conn)
                .await
                .map(drop)
            })
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = self
            .db
            .unit(async |conn| {
                sqlx::query!(
                    r#"SELECT s.data, s.expires_at,
                      u.id AS "person_id?", u.name AS "person_name?", u.email AS "person_email?"
               FROM sessions AS s
               LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
                 -- 'auth_epoch' is AUTH_EPOCH_KEY.
                 AND u.auth_epoch = COALESCE((s.data ->> 'auth_epoch')::bigint, 0)
               WHERE s.id = $1 AND s.expires_at > now()"#,
                    id.to_string()
                )
                .fetch_optional(conn)
                .await
            })
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut data: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_value(row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let person = match (row.person_id, row.person_name, row.person_email) {
            (Some(id), Some(name), Some(email)) => Some(User { id, name, email }),
            _ => None,
        };
        data.insert(
            PERSON_KEY.to_owned(),
            serde_json::to_value(person)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?,
        );
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: row.expires_at,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.db
            .unit(async |conn| {
                sqlx::query!("DELETE FROM sessions WHERE id = $1", id.to_string())
                    .execute(conn)
                    .await
                    .map(drop)
            })
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for PgSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.db
            .unit(async |conn| {
                let swept = sqlx::query!(
                    "DELETE FROM sessions WHERE expires_at <= $1",
                    OffsetDateTime::now_utc()
                )
                .execute(conn)
                .await?;
                crate::telemetry::sessions_swept(swept.rows_affected());
                Ok(())
            })
            .await
            .map_err(backend)
    }
}
