//! The accounts' SQL: one function a statement, on the unit of work's connection,
//! so integration tests can call them directly.

use sqlx::PgConnection;

use crate::auth::domain::{Email, Name};

/// The new account's id, or None when the email is taken. ON CONFLICT makes two
/// racing sign-ups with one email end in exactly one account.
pub async fn insert(
    conn: &mut PgConnection,
    email: &Email,
    name: &Name,
    password_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING
         RETURNING id",
        email.as_str(),
        name.as_str(),
        password_hash
    )
    .fetch_optional(conn)
    .await
}

/// An active account that can log in with `email`: its id, password hash, and the
/// authentication epoch read with the hash (the session started on it carries it).
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub auth_epoch: i64,
}

pub async fn credentials(
    conn: &mut PgConnection,
    email: &Email,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        "SELECT id, password_hash, auth_epoch FROM users WHERE email = $1 AND is_active",
        email.as_str()
    )
    .fetch_optional(conn)
    .await
}

pub async fn password_hash(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_optional(conn)
        .await
}

pub async fn set_name(
    conn: &mut PgConnection,
    user_id: i64,
    name: &Name,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET name = $2 WHERE id = $1",
        user_id,
        name.as_str()
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Sets a new password hash and raises the authentication epoch, which ends every
/// session started before (see `session::start`), drops any pending reset link (it
/// was asked for against the old password) and every trusted device (whoever knew
/// the old password may have signed in with it); answers the new epoch.
pub async fn set_password_hash(
    conn: &mut PgConnection,
    user_id: i64,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "WITH links AS (DELETE FROM password_resets WHERE user_id = $1),
              devices AS (DELETE FROM trusted_devices WHERE user_id = $1)
         UPDATE users SET password_hash = $2, auth_epoch = auth_epoch + 1
         WHERE id = $1 RETURNING auth_epoch",
        user_id,
        password_hash
    )
    .fetch_one(conn)
    .await
}

/// Deletes the account; its tasks and sessions go with it (ON DELETE CASCADE).
pub async fn delete(conn: &mut PgConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM users WHERE id = $1", user_id)
        .execute(conn)
        .await
        .map(drop)
}

/// A person as operators see them.
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub created_at: time::OffsetDateTime,
    pub is_active: bool,
}

/// Everyone with an account, oldest first.
pub async fn people(conn: &mut PgConnection) -> Result<Vec<Person>, sqlx::Error> {
    sqlx::query_as!(
        Person,
        "SELECT id, email, name, created_at, is_active FROM users ORDER BY created_at, id"
    )
    .fetch_all(conn)
    .await
}

/// What `set_active` found and did.
pub enum Activation {
    NoSuchAccount,
    AlreadySo,
    /// Changed; when deactivating, how many sessions it ended.
    Changed {
        sessions_ended: u64,
    },
}

/// Activates or deactivates the account with `email`. Deactivating ends every
/// session of it in the same transaction (each request checks `is_active` too, so
/// none outlives the commit).
pub async fn set_active(
    conn: &mut PgConnection,
    email: &Email,
    active: bool,
) -> Result<Activation, sqlx::Error> {
    let found = sqlx::query!(
        "SELECT id, is_active FROM users WHERE email = $1 FOR UPDATE",
        email.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(found) = found else {
        return Ok(Activation::NoSuchAccount);
    };
    if found.is_active == active {
        return Ok(Activation::AlreadySo);
    }
    sqlx::query!(
        "UPDATE users SET is_active = $2 WHERE id = $1",
        found.id,
        active
    )
    .execute(&mut *conn)
    .await?;
    let sessions_ended = if active {
        0
    } else {
        crate::auth::ssr::PgSessionStore::delete_others(conn, found.id, None).await?
    };
    Ok(Activation::Changed { sessions_ended })
}
