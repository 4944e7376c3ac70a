//! Accounts: sign up, log in, log out, and account settings. Shared by both builds:
//! the domain types, the server functions' signatures, and the forms (islands);
//! the pages around them and everything in `ssr` exist on the server only.

pub mod domain;
pub mod islands;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::forms::{redirect_plain_form, redirect_plain_form_noting, respond};
pub use crate::identity::User;
pub use crate::moment::Moment;

/// What a used, expired or unknown password-reset link answers, whatever the reason:
/// telling them apart would help nobody but someone guessing.
pub const LINK_NO_LONGER_WORKS: &str =
    "This link no longer works: it was used already, it expired, or a newer one was sent.";

/// One of a person's live sessions, as the account page lists it. `handle` names it
/// for "Sign out" without revealing its id (the id is the cookie's secret): a
/// SHA-256 of the id, in hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub handle: String,
    /// "Chrome on Linux".
    pub device: String,
    pub started: Moment,
    pub last_used: Moment,
    /// The session of the browser looking at the page.
    pub current: bool,
}

/// The person this request is signed in as, if any.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    Ok(crate::identity::signed_in_user())
}

#[server(endpoint = "signup")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<(), AppError> {
    let result = ssr::sign_up(&name, &email, &password).await;
    if result.is_ok() {
        redirect_plain_form("/");
    }
    respond::<SignUp, _>(result, &[("name", &name), ("email", &email)])
}

/// Answers where to go next (`next` when safe, else `/`).
#[server(endpoint = "login")]
pub async fn log_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let result = ssr::log_in(&email, &password, next.as_deref()).await;
    if let Ok(destination) = &result {
        redirect_plain_form(destination);
    }
    let next = next.unwrap_or_default();
    respond::<LogIn, _>(result, &[("email", &email), ("next", &next)])
}

#[server(endpoint = "logout")]
pub async fn log_out() -> Result<(), AppError> {
    let result = ssr::log_out().await;
    if result.is_ok() {
        redirect_plain_form("/login");
    }
    respond::<LogOut, _>(result, &[])
}

/// Asks for a password-reset link by mail. The answer is the same whether or not an
/// account has this email.
#[server(endpoint = "password/forgot")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let result = ssr::request_password_reset(&email).await;
    if result.is_ok() {
        redirect_plain_form_noting("/forgot-password", ("sent", "1"));
    }
    respond::<RequestPasswordReset, _>(result, &[("email", &email)])
}

/// Sets a new password with the token from a reset link, and signs in.
#[server(endpoint = "password/reset")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    let result = ssr::reset_password(&token, &new_password).await;
    if result.is_ok() {
        redirect_plain_form("/");
    }
    // The page's own address still holds the token.
    respond::<ResetPassword, _>(result, &[])
}

#[server(endpoint = "account/name")]
pub async fn update_name(name: String) -> Result<(), AppError> {
    let result = ssr::update_name(&name).await;
    if result.is_ok() {
        redirect_plain_form_noting("/account", ("saved", "name"));
    }
    respond::<UpdateName, _>(result, &[("name", &name)])
}

#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let result = ssr::change_password(&current_password, &new_password).await;
    if result.is_ok() {
        redirect_plain_form_noting("/account", ("saved", "password"));
    }
    respond::<ChangePassword, _>(result, &[])
}

/// Ends one of the signed-in person's other sessions; answers its handle.
#[server(endpoint = "account/sessions/end")]
pub async fn end_session(handle: String) -> Result<String, AppError> {
    let result = ssr::end_session(&handle).await.map(|()| handle);
    if result.is_ok() {
        redirect_plain_form_noting("/account", ("saved", "session"));
    }
    respond::<EndSession, _>(result, &[])
}

/// Ends every session of the signed-in person but this one.
#[server(endpoint = "account/sessions/end-others")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let result = ssr::end_other_sessions().await;
    if result.is_ok() {
        redirect_plain_form_noting("/account", ("saved", "sessions"));
    }
    respond::<EndOtherSessions, _>(result, &[])
}

#[server(endpoint = "account/delete")]
pub async fn delete_account(current_password: String) -> Result<(), AppError> {
    let result = ssr::delete_account(&current_password).await;
    if result.is_ok() {
        redirect_plain_form("/signup");
    }
    respond::<DeleteAccount, _>(result, &[])
}
