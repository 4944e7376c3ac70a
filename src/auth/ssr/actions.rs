//! The work behind each account server function. Every input is parsed into a domain
//! type first; the person always comes from the session, never from the request.

use axum::http::request::Parts;
use leptos::prelude::use_context;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{
    client_address, require_user, store::USER_ID_KEY, throttle::Keys, throttle::Throttle,
    PgSessionStore, LOGGED_IN_AT_KEY, SEEN_AT_KEY,
};
use crate::{
    auth::domain::{safe_next_path, Email, Name, Password},
    error::AppError,
    server::AppState,
    validation::FieldError,
};

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })
}

fn session_error(error: tower_sessions::session::Error) -> AppError {
    super::session_error(error)
}

/// Signs `user_id` in on this browser with a fresh session id, so an id planted
/// before log-in (session fixation) is worthless.
async fn start_session(user_id: i64) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(LOGGED_IN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    session
        .insert(SEEN_AT_KEY, now)
        .await
        .map_err(session_error)?;
    Ok(())
}

pub async fn sign_up(name: &str, email: &str, password: &str) -> Result<(), AppError> {
    let name = Name::parse(name)?;
    let email = Email::parse(email)?;
    let password = Password::parse(password, "password")?;
    let state = AppState::from_context()?;
    let hash = state.passwords.hash(&password).await?;
    // ON CONFLICT makes two racing sign-ups with one email end in exactly one
    // account, and the loser hears why.
    let mut conn = state.db.conn().await?;
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING
         RETURNING id",
        email.as_str(),
        name.as_str(),
        hash
    )
    .fetch_optional(&mut *conn)
    .await?;
    conn.finish().await?;
    let user_id = user_id.ok_or_else(|| {
        AppError::Conflict(FieldError::new(
            "email",
            "An account with this email already exists. Log in instead, or use another email.",
        ))
    })?;
    start_session(user_id).await
}

/// Returns where to go next: `next` when it is a path on this site, else `/`.
pub async fn log_in(email: &str, password: &str, next: Option<&str>) -> Result<String, AppError> {
    let email = Email::parse(email)?;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password."));
    }
    let state = AppState::from_context()?;
    let address = use_context::<Parts>()
        .and_then(|parts| client_address(&parts, state.config.trust_forwarded_for));
    let keys = Keys::new(email.as_str(), address);
    let throttle = Throttle::new(&state.db, &state.config.login_throttle);
    throttle.attempt(&keys).await?;

    let mut conn = state.db.conn().await?;
    let account = sqlx::query!(
        "SELECT id, password_hash FROM users WHERE email = $1 AND is_active",
        email.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    conn.finish().await?;
    let verified = state
        .passwords
        .verify(password, account.as_ref().map(|a| a.password_hash.as_str()))
        .await?;
    let Some(account) = account.filter(|_| verified) else {
        return Err(AppError::InvalidCredentials);
    };
    throttle.succeeded(&keys).await?;
    start_session(account.id).await?;
    Ok(next
        .and_then(safe_next_path)
        .unwrap_or_else(|| "/".to_owned()))
}

pub async fn log_out() -> Result<(), AppError> {
    // Deletes the session row; the middleware then removes the cookie.
    session().await?.flush().await.map_err(session_error)
}

pub async fn update_name(name: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let name = Name::parse(name)?;
    let state = AppState::from_context()?;
    let mut conn = state.db.conn().await?;
    sqlx::query!(
        "UPDATE users SET name = $2 WHERE id = $1",
        user.id,
        name.as_str()
    )
    .execute(&mut *conn)
    .await?;
    Ok(conn.finish().await?)
}

/// Checks the signed-in person's current password, counting a wrong one against
/// the same throttle as log-ins (it is just as good a way to guess).
async fn confirm_password(
    state: &AppState,
    user_id: i64,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let wrong =
        || AppError::validation("current_password", "Your current password is not correct.");
    if password.is_empty() {
        return Err(AppError::validation(
            "current_password",
            "Enter your current password.",
        ));
    }
    let keys = Keys::new(email, None);
    let throttle = Throttle::new(&state.db, &state.config.login_throttle);
    throttle.attempt(&keys).await?;
    let mut conn = state.db.conn().await?;
    let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_optional(&mut *conn)
        .await?;
    conn.finish().await?;
    if state.passwords.verify(password, stored.as_deref()).await? {
        throttle.succeeded(&keys).await
    } else {
        Err(wrong())
    }
}

/// Changes the password and ends every other session of this person; this browser
/// stays signed in under a new session id.
pub async fn change_password(current_password: &str, new_password: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let new_password = Password::parse(new_password, "new_password")?;
    let state = AppState::from_context()?;
    confirm_password(&state, user.id, &user.email, current_password).await?;
    let hash = state.passwords.hash(&new_password).await?;
    let session = session().await?;
    // One transaction: a new password never coexists with the old sessions.
    let mut tx = state.db.transaction().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        user.id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    PgSessionStore::delete_others(&mut tx, user.id, session.id()).await?;
    tx.finish().await?;
    session.cycle_id().await.map_err(session_error)
}

/// Deletes the person, their tasks and sessions (by cascade), and signs out.
pub async fn delete_account(current_password: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let state = AppState::from_context()?;
    confirm_password(&state, user.id, &user.email, current_password).await?;
    let mut conn = state.db.conn().await?;
    sqlx::query!("DELETE FROM users WHERE id = $1", user.id)
        .execute(&mut *conn)
        .await?;
    conn.finish().await?;
    session().await?.flush().await.map_err(session_error)
}
