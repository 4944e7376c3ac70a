//! Who a request comes from: the signed-in person, as the session middleware of
//! `auth` found them. Every feature reads it from here; only `auth` sets it.

use serde::{Deserialize, Serialize};

/// The signed-in person, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use axum::http::request::Parts;
    use leptos::prelude::use_context;

    use super::User;
    use crate::error::AppError;

    /// The signed-in person of this request, in the request's extensions. Absent
    /// for anonymous requests.
    #[derive(Clone, Debug)]
    pub struct CurrentUser(pub User);

    /// The signed-in person, inside a server function or a server-rendered component.
    pub fn signed_in_user() -> Option<User> {
        use_context::<Parts>()?
            .extensions
            .get::<CurrentUser>()
            .map(|c| c.0.clone())
    }

    /// The signed-in person, or `Unauthorized`: the gate of every protected server
    /// function.
    pub fn require_user() -> Result<User, AppError> {
        signed_in_user().ok_or(AppError::Unauthorized)
    }
}
