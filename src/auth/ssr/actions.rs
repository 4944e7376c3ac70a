//! The work behind each account server function. Every input is parsed into a domain
//! type first; the person always comes from the session, never from the request.

use super::{
    client,
    passwords::Priority,
    refuse_guessable, session, throttle,
    throttle::{Keys, Throttle},
    tokens, trusted_devices, users, Passwords,
};
use crate::{
    auth::{
        domain::{Email, Name, Password, PasswordAttempt},
        SessionSummary,
    },
    error::AppError,
    identity::require_user,
    state::{expect_service, AppState},
    telemetry::{self, LogIn},
    validation::FieldError,
};

/// The window of the sign-up limit (`SIGNUP_MAX_PER_ADDRESS`).
pub const SIGN_UP_WINDOW: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Sign-ups from one client address are limited per hour (a script making accounts
/// would otherwise take every hashing slot); their hashes wait behind log-ins'.
pub async fn sign_up(name: &str, email: &str, password: &str) -> Result<(), AppError> {
    let name = Name::parse(name)?;
    let email = Email::parse(email)?;
    let password = Password::parse(password, "password")?;
    let state = AppState::from_context()?;
    if let Some(address) = client::of_this_request(&state.config.proxies) {
        let key = format!("signup:address:{address}");
        let limit = throttle::Limit {
            key: &key,
            max: state.config.max_sign_ups_per_address,
        };
        throttle::count(&state.db, &[limit], SIGN_UP_WINDOW).await?;
    }
    refuse_guessable(&password, "password", &[email.as_str(), name.as_str()]).await?;
    let hash = expect_service::<Passwords>()?
        .hash(&password, Priority::SignUp)
        .await?;
    let user_id = state
        .db
        .unit(async |conn| users::insert(conn, &email, &name, &hash).await)
        .await?;
    // Two racing sign-ups with one email: the loser hears why.
    let user_id = user_id.ok_or_else(|| {
        AppError::Conflict(FieldError::new(
            "email",
            "An account with this email already exists. Log in instead, or use another email.",
        ))
    })?;
    // The browser that made the account is one its owner uses.
    trusted_devices::trust_this_browser(&state, user_id, None).await;
    // A new account's epoch is the column's default.
    session::start(user_id, 0).await
}

/// Returns where to go next: `next` when it is a path on this site, else `/`.
pub async fn log_in(email: &str, password: &str, next: Option<&str>) -> Result<String, AppError> {
    let result = attempt_log_in(email, password, next).await;
    telemetry::log_in(match &result {
        Ok(_) => LogIn::Success,
        Err(AppError::RateLimited { .. }) => LogIn::Throttled,
        Err(AppError::InvalidCredentials | AppError::Validation(_)) => LogIn::Failure,
        Err(_) => LogIn::Error,
    });
    result
}

async fn attempt_log_in(
    email: &str,
    password: &str,
    next: Option<&str>,
) -> Result<String, AppError> {
    let email = Email::parse(email)?;
    let password = PasswordAttempt::for_log_in(password)?;
    let state = AppState::from_context()?;
    let secure = state.config.served_over_https;
    // A device this account trusts is judged by its own attempts only.
    let device = match trusted_devices::presented(secure) {
        Some(device) if trusted_devices::trusted_by(&state.db, &device, &email).await? => {
            Some(device)
        }
        _ => None,
    };
    let keys = match &device {
        Some(device) => Keys::trusted_device(&tokens::hex(device)),
        None => Keys::untrusted(
            email.as_str(),
            client::of_this_request(&state.config.proxies),
        ),
    };
    let throttle = Throttle::new(&state.db, &state.config.login_throttle);
    throttle.attempt(&keys).await?;
    if password.cannot_match() {
        return Err(AppError::InvalidCredentials);
    }

    let account = state
        .db
        .unit(async |conn| users::credentials(conn, &email).await)
        .await?;
    let verified = expect_service::<Passwords>()?
        .verify(
            password.expose(),
            account.as_ref().map(|a| a.password_hash.as_str()),
        )
        .await?;
    let Some(account) = account.filter(|_| verified) else {
        return Err(AppError::InvalidCredentials);
    };
    throttle.succeeded(&keys).await?;
    trusted_devices::trust_this_browser(&state, account.id, device.as_ref()).await;
    // The epoch read with the hash, before it was verified: a password change that
    // commits meanwhile raises it, and this session is refused on its first load.
    session::start(account.id, account.auth_epoch).await?;
    Ok(next
        .and_then(crate::validation::safe_next_path)
        .unwrap_or_else(|| "/".to_owned()))
}

pub use super::reset::{request as request_password_reset, reset as reset_password};

pub async fn log_out() -> Result<(), AppError> {
    session::end().await
}

pub async fn update_name(name: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let name = Name::parse(name)?;
    Ok(AppState::from_context()?
        .db
        .unit(async |conn| users::set_name(conn, user.id, &name).await)
        .await?)
}

/// Checks the signed-in person's current password, counting a wrong one against
/// this session (it is just as good a way to guess as a log-in, but a stranger's
/// failed log-ins must not stop the owner from changing a password they suspect).
async fn confirm_password(
    state: &AppState,
    user_id: i64,
    password: &PasswordAttempt,
) -> Result<(), AppError> {
    let session = session::handle().await?.ok_or(AppError::Unauthorized)?;
    let keys = Keys::session(&session);
    let throttle = Throttle::new(&state.db, &state.config.login_throttle);
    throttle.attempt(&keys).await?;
    if password.cannot_match() {
        return Err(not_correct());
    }
    let stored = state
        .db
        .unit(async |conn| users::password_hash(conn, user_id).await)
        .await?;
    if expect_service::<Passwords>()?
        .verify(password.expose(), stored.as_deref())
        .await?
    {
        throttle.succeeded(&keys).await
    } else {
        Err(not_correct())
    }
}

fn not_correct() -> AppError {
    AppError::validation("current_password", "Your current password is not correct.")
}

/// Changes the password and ends every other session of this person; this browser
/// stays signed in under a new session id.
pub async fn change_password(current_password: &str, new_password: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let new_password = Password::parse(new_password, "new_password")?;
    let current_password = PasswordAttempt::current(current_password)?;
    refuse_guessable(&new_password, "new_password", &[&user.email, &user.name]).await?;
    let state = AppState::from_context()?;
    confirm_password(&state, user.id, &current_password).await?;
    let hash = expect_service::<Passwords>()?
        .hash(&new_password, Priority::First)
        .await?;
    let renewal = session::Renewal::begin().await?;
    // One transaction: a new password never coexists with the old sessions.
    let epoch = state
        .db
        .atomic(async |conn| {
            let epoch = users::set_password_hash(conn, user.id, &hash).await?;
            renewal.end_others(conn, user.id).await?;
            Ok::<_, AppError>(epoch)
        })
        .await?;
    renewal.finish(epoch).await?;
    // The change forgot every trusted device; this one has just proved the password.
    trusted_devices::trust_this_browser(&state, user.id, None).await;
    Ok(())
}

/// The signed-in person's live sessions, this browser's first.
pub async fn sessions() -> Result<Vec<SessionSummary>, AppError> {
    let user = require_user()?;
    let state = AppState::from_context()?;
    session::list(&state.db, &state.config.session, user.id).await
}

pub async fn end_session(handle: &str) -> Result<(), AppError> {
    let user = require_user()?;
    session::end_one(&AppState::from_context()?.db, user.id, handle).await
}

pub async fn end_other_sessions() -> Result<(), AppError> {
    let user = require_user()?;
    session::end_others(&AppState::from_context()?.db, user.id).await
}

/// Deletes the person, their tasks and sessions (by cascade), and signs out.
pub async fn delete_account(current_password: &str) -> Result<(), AppError> {
    let user = require_user()?;
    let current_password = PasswordAttempt::current(current_password)?;
    let state = AppState::from_context()?;
    confirm_password(&state, user.id, &current_password).await?;
    state
        .db
        .unit(async |conn| users::delete(conn, user.id).await)
        .await?;
    session::end().await
}
