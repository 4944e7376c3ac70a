//! The server side of accounts: sessions, the current person, password hashing,
//! throttling, and the work behind each account server function.

mod actions;
mod passwords;
mod store;
mod throttle;

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::request::Parts,
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::prelude::use_context;
use time::OffsetDateTime;
use tower_sessions::{cookie::SameSite, ExpiredDeletion, Expiry, Session, SessionManagerLayer};

pub use actions::*;
pub use passwords::Passwords;
pub use store::PgSessionStore;

use super::User;
use crate::{
    config::SessionConfig,
    error::AppError,
    server::{db::Db, AppState},
};

const LOGGED_IN_AT_KEY: &str = "logged_in_at";
const SEEN_AT_KEY: &str = "seen_at";
/// How stale the idle-timeout clock may get before a request refreshes it. Bounds
/// session writes to one a minute per active person instead of one per request.
const EXTEND_EVERY_SECS: i64 = 60;

pub const SESSION_COOKIE: &str = "session";

pub fn session_layer(state: &AppState) -> SessionManagerLayer<PgSessionStore> {
    let idle = time::Duration::try_from(state.config.session.idle_timeout)
        .unwrap_or(time::Duration::days(14));
    SessionManagerLayer::new(PgSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        // Lax, not Strict: a person following a link to the app from elsewhere
        // arrives signed in. Cross-site writes are refused separately (security.rs).
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.served_over_https)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// What the authentication middleware needs, cut from `AppState`.
#[derive(Clone)]
pub struct AuthLayerState {
    session: SessionConfig,
}

impl From<&AppState> for AuthLayerState {
    fn from(state: &AppState) -> Self {
        Self {
            session: state.config.session.clone(),
        }
    }
}

/// The signed-in person of this request, put in the request's extensions by
/// `authenticate`. Absent for anonymous requests.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// Resolves the session cookie to a person once per request, so pages and server
/// functions just read the result. A session is dropped when its person is gone or
/// deactivated, or when it is older than the absolute lifetime.
pub async fn authenticate(
    State(auth): State<AuthLayerState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    match resolve(&auth, &session).await {
        Ok(Some(user)) => {
            request.extensions_mut().insert(CurrentUser(user));
        }
        Ok(None) => {}
        Err(error) => return error.into_response(),
    }
    next.run(request).await
}

async fn resolve(auth: &AuthLayerState, session: &Session) -> Result<Option<User>, AppError> {
    if session.id().is_none() {
        return Ok(None); // no cookie: anonymous, and no query spent finding out
    }
    if session
        .get::<i64>(store::USER_ID_KEY)
        .await
        .map_err(session_error)?
        .is_none()
    {
        return Ok(None);
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let logged_in_at = session
        .get::<i64>(LOGGED_IN_AT_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    let lifetime = i64::try_from(auth.session.absolute_lifetime.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(logged_in_at) > lifetime {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    // Read in the same statement as the session (store.rs `load`).
    let user = session
        .get::<Option<User>>(store::PERSON_KEY)
        .await
        .map_err(session_error)?
        .flatten();
    let Some(user) = user else {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    };
    let seen_at = session
        .get::<i64>(SEEN_AT_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    if now - seen_at >= EXTEND_EVERY_SECS {
        // Modifying the session makes tower-sessions save it, which pushes its expiry
        // (and the cookie's Max-Age) a full idle timeout into the future.
        session
            .insert(SEEN_AT_KEY, now)
            .await
            .map_err(session_error)?;
    }
    Ok(Some(user))
}

/// tower-sessions answers a bare 500 (no body, no content type) when saving the
/// session fails after the handler ran: that is the session table being out of
/// reach, a passing fault, so it becomes the same "temporarily unavailable" as any
/// other. Sits directly outside the session layer.
pub async fn unsaved_session_is_unavailable(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() == axum::http::StatusCode::INTERNAL_SERVER_ERROR
        && !response
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
    {
        return AppError::Unavailable.into_server_fn_response();
    }
    response
}

/// Session store failures are database failures: most likely passing.
fn session_error(error: tower_sessions::session::Error) -> AppError {
    tracing::warn!(%error, "session store unavailable");
    AppError::Unavailable
}

/// The signed-in person, inside a server function or a server-rendered component.
pub fn current_user() -> Option<User> {
    use_context::<Parts>()?
        .extensions
        .get::<CurrentUser>()
        .map(|c| c.0.clone())
}

/// The signed-in person, or `Unauthorized`: the gate of every protected server function.
pub fn require_user() -> Result<User, AppError> {
    current_user().ok_or(AppError::Unauthorized)
}

/// The client's address for throttling: the TCP peer, or the last `X-Forwarded-For`
/// hop when configured to sit behind a proxy that sets it.
fn client_address(parts: &Parts, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Deletes expired sessions and stale throttle counters every `period`, for as long
/// as the server runs: a failed sweep (database away) is logged and retried next time.
pub fn spawn_sweeper(db: Db, window: Duration, period: Duration) {
    let store = PgSessionStore::new(db.clone());
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "deleting expired sessions failed; will retry");
            }
            if let Err(error) = throttle::delete_stale(&db, window).await {
                tracing::warn!(%error, "deleting stale log-in counters failed; will retry");
            }
        }
    });
}
