//! A signed-in session's whole life: started at log in (under a fresh id), resolved
//! on every request against its idle and absolute limits, kept current, renewed at
//! a password change, listed on the account page, and ended at log out or from
//! another session.
//!
//! The cookie and its lifecycle come from tower-sessions; the store is our own
//! (`store`), not tower-sessions-sqlx-store's `PostgresStore`, for two reasons:
//! its `save` is an upsert, so a request still running when a session is ended
//! (log out, password change, account deleted) would bring it back, where ours only
//! updates; and ours reads the session's person in the same statement as the
//! session, so finding out who a request is takes one unit of work, not two.

mod devices;
mod store;

use axum::{
    extract::{Request, State},
    http::{header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::prelude::use_context;
use sqlx::PgConnection;
use time::OffsetDateTime;
use tower_sessions::{cookie::SameSite, ExpiredDeletion, Expiry, Session, SessionManagerLayer};

pub use store::PgSessionStore;

use crate::{
    auth::{Moment, SessionSummary},
    config::SessionConfig,
    db::Db,
    error::AppError,
    identity::{CurrentUser, User},
};

/// The cookie's name (`__Host-session` over HTTPS: no subdomain can plant a session,
/// which would be fixation, or overwrite this one).
pub fn cookie_name(secure: bool) -> &'static str {
    crate::forms::cookie_name("__Host-session", secure)
}

/// When the person signed in (Unix seconds): the absolute lifetime counts from here.
const LOGGED_IN_AT_KEY: &str = "logged_in_at";
/// When the session was last seen (Unix seconds), refreshed at most every
/// [`EXTEND_EVERY_SECS`].
const SEEN_AT_KEY: &str = "seen_at";
/// The browser's User-Agent at log-in (at most `USER_AGENT_MAX_CHARS`), so the
/// account page can name the device each session is on.
const USER_AGENT_KEY: &str = "user_agent";
const USER_AGENT_MAX_CHARS: usize = 512;
/// How stale the idle-timeout clock may get before a request refreshes it. Bounds
/// session writes to one a minute per active person instead of one per request.
const EXTEND_EVERY_SECS: i64 = 60;

pub fn layer(db: &Db, config: &SessionConfig, secure: bool) -> SessionManagerLayer<PgSessionStore> {
    let idle = time::Duration::try_from(config.idle_timeout).unwrap_or(time::Duration::days(14));
    SessionManagerLayer::new(PgSessionStore::new(db.clone()))
        .with_name(cookie_name(secure))
        .with_http_only(true)
        // Lax, not Strict: a person following a link to the app from elsewhere
        // arrives signed in. Cross-site writes are refused separately (security.rs).
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Middleware: resolves the session cookie to a person once per request and puts
/// them in the request's extensions (`identity::CurrentUser`), so pages and server
/// functions just read the result.
pub async fn authenticate(
    State(config): State<SessionConfig>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    match resolve(&config, &session).await {
        Ok(Some(user)) => {
            request.extensions_mut().insert(CurrentUser(user));
        }
        Ok(None) => {}
        Err(error) => return error.into_response(),
    }
    next.run(request).await
}

/// The session's person, if it has a live one. A session is ended when its person
/// is gone or deactivated, when their password changed after the log-in read it
/// (the authentication epoch), or when it is older than the absolute lifetime.
async fn resolve(config: &SessionConfig, session: &Session) -> Result<Option<User>, AppError> {
    if session.id().is_none() {
        return Ok(None); // no cookie: anonymous, and no query spent finding out
    }
    let get = async |key: &str| session.get::<i64>(key).await.map_err(unavailable);
    if get(store::USER_ID_KEY).await?.is_none() {
        return Ok(None);
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let logged_in_at = get(LOGGED_IN_AT_KEY).await?.unwrap_or(0);
    let lifetime = i64::try_from(config.absolute_lifetime.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(logged_in_at) > lifetime {
        session.flush().await.map_err(unavailable)?;
        return Ok(None);
    }
    let Some(user) = store::loaded_person(session).await.map_err(unavailable)? else {
        session.flush().await.map_err(unavailable)?;
        return Ok(None);
    };
    if now - get(SEEN_AT_KEY).await?.unwrap_or(0) >= EXTEND_EVERY_SECS {
        // Modifying the session makes tower-sessions save it, which pushes its expiry
        // (and the cookie's Max-Age) a full idle timeout into the future.
        session
            .insert(SEEN_AT_KEY, now)
            .await
            .map_err(unavailable)?;
    }
    Ok(Some(user))
}

/// The session of the request a server function is answering.
async fn current() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })
}

/// This browser's session as the account page names it (a SHA-256 of its id, as
/// `list` writes it); None without a session.
pub async fn handle() -> Result<Option<String>, AppError> {
    Ok(current()
        .await?
        .id()
        .map(|id| super::tokens::hex_digest(&id.to_string())))
}

/// Signs `user_id` in on this browser under a fresh session id, so an id planted
/// before log-in (session fixation) is worthless. `auth_epoch`: the person's
/// authentication epoch as read with the password hash that was verified; the
/// session is valid only while the person's epoch is still that one.
pub async fn start(user_id: i64, auth_epoch: i64) -> Result<(), AppError> {
    let session = current().await?;
    session.cycle_id().await.map_err(unavailable)?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    session
        .insert(store::USER_ID_KEY, user_id)
        .await
        .map_err(unavailable)?;
    session
        .insert(store::AUTH_EPOCH_KEY, auth_epoch)
        .await
        .map_err(unavailable)?;
    session
        .insert(LOGGED_IN_AT_KEY, now)
        .await
        .map_err(unavailable)?;
    let user_agent: String = use_context::<Parts>()
        .and_then(|parts| {
            let value = parts.headers.get(header::USER_AGENT)?.to_str().ok()?;
            Some(value.chars().take(USER_AGENT_MAX_CHARS).collect())
        })
        .unwrap_or_default();
    session
        .insert(USER_AGENT_KEY, user_agent)
        .await
        .map_err(unavailable)?;
    session.insert(SEEN_AT_KEY, now).await.map_err(unavailable)
}

/// One of a person's live sessions, as the account page lists it.
struct Live {
    handle: String,
    current: bool,
    user_agent: Option<String>,
    logged_in_at: i64,
    seen_at: i64,
}

/// Every live session of `user_id` (this browser's first, then the most recently
/// used), as the account page shows them. Sessions the store would refuse (expired,
/// past the absolute lifetime, from before a password change) are left out.
pub async fn list(
    db: &Db,
    config: &SessionConfig,
    user_id: i64,
) -> Result<Vec<SessionSummary>, AppError> {
    let here = current()
        .await?
        .id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let lifetime = i64::try_from(config.absolute_lifetime.as_secs()).unwrap_or(i64::MAX);
    let oldest = OffsetDateTime::now_utc()
        .unix_timestamp()
        .saturating_sub(lifetime);
    let rows = db
        .unit(async |conn| {
            sqlx::query_as!(
                Live,
                r#"SELECT encode(sha256(convert_to(s.id, 'UTF8')), 'hex') AS "handle!",
                          s.id = $2 AS "current!",
                          s.data ->> 'user_agent' AS user_agent,
                          COALESCE((s.data ->> 'logged_in_at')::bigint, 0) AS "logged_in_at!",
                          COALESCE((s.data ->> 'seen_at')::bigint, 0) AS "seen_at!"
                   FROM sessions AS s JOIN users AS u ON u.id = s.user_id
                   WHERE s.user_id = $1 AND s.expires_at > now()
                     AND u.auth_epoch = COALESCE((s.data ->> 'auth_epoch')::bigint, 0)
                     AND COALESCE((s.data ->> 'logged_in_at')::bigint, 0) >= $3
                   ORDER BY s.id = $2 DESC, 5 DESC"#,
                user_id,
                here,
                oldest
            )
            .fetch_all(conn)
            .await
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionSummary {
            handle: row.handle,
            current: row.current,
            device: devices::describe(row.user_agent.as_deref()),
            started: Moment::at(row.logged_in_at),
            last_used: Moment::at(row.seen_at),
        })
        .collect())
}

/// Ends the session of `user_id` whose handle is `handle`, unless it is this
/// browser's (that is "Log out"). Ending one that is already gone succeeds.
pub async fn end_one(db: &Db, user_id: i64, handle: &str) -> Result<(), AppError> {
    let here = current()
        .await?
        .id()
        .map(|id| id.to_string())
        .unwrap_or_default();
    db.unit(async |conn| {
        sqlx::query!(
            "DELETE FROM sessions WHERE user_id = $1 AND id <> $3
               AND encode(sha256(convert_to(id, 'UTF8')), 'hex') = $2",
            user_id,
            handle,
            here
        )
        .execute(conn)
        .await
        .map(drop)
    })
    .await?;
    Ok(())
}

/// Ends every session of `user_id` but this browser's.
pub async fn end_others(db: &Db, user_id: i64) -> Result<(), AppError> {
    let here = current().await?.id();
    db.unit(async |conn| PgSessionStore::delete_others(conn, user_id, here).await)
        .await?;
    Ok(())
}

/// Ends this browser's session: its row is deleted and the cookie removed.
pub async fn end() -> Result<(), AppError> {
    current().await?.flush().await.map_err(unavailable)
}

/// Ends every session of `user_id` but this browser's, inside the caller's unit of
/// work (with the change that calls for it), then gives this browser a new id.
pub struct Renewal(Session);

impl Renewal {
    pub async fn begin() -> Result<Self, AppError> {
        Ok(Self(current().await?))
    }

    pub async fn end_others(&self, conn: &mut PgConnection, user_id: i64) -> Result<(), AppError> {
        PgSessionStore::delete_others(conn, user_id, self.0.id()).await?;
        Ok(())
    }

    /// After the unit of work committed: a new id for this browser's session, which
    /// carries the person's new authentication `epoch`.
    pub async fn finish(self, epoch: i64) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(unavailable)?;
        self.0
            .insert(store::AUTH_EPOCH_KEY, epoch)
            .await
            .map_err(unavailable)
    }
}

/// Session store failures are database failures: most likely passing.
fn unavailable(error: tower_sessions::session::Error) -> AppError {
    tracing::warn!(%error, "session store unavailable");
    AppError::Unavailable
}

/// Deletes expired sessions (on the sweeper's schedule, see `auth::ssr`).
pub async fn delete_expired(db: &Db) -> Result<(), tower_sessions::session_store::Error> {
    PgSessionStore::new(db.clone()).delete_expired().await
}
