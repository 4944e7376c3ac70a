//! `AppError`: the one error that crosses the server-function boundary, with meanings
//! a person understands. Internal details are logged on the server, never sent.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// On the wire: `{"error": "<kind>", ...fields, "message": "<what to tell people>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error")]
pub enum AppError {
    /// The input broke a rule; the message names the field and what to fix.
    #[error("{0}")]
    Validation(FieldError),
    /// No valid session.
    #[error("Please log in to continue.")]
    Unauthorized,
    /// Log-in failed. One message for unknown email and wrong password alike.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// Missing, or belonging to someone else: the two are indistinguishable.
    #[error("Not found. It may have been deleted.")]
    NotFound,
    /// The input clashes with what is stored (an email already registered).
    #[error("{0}")]
    Conflict(FieldError),
    #[error("Too many attempts. Please wait {} and try again.", wait_phrase(*retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    /// A passing fault (database unreachable, pool exhausted): retrying will work.
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// A state-changing request sent by another website's page (CSRF).
    #[error(
        "This request came from another website, so it was refused. \
         If you submitted a form on this site, reload the page and try again."
    )]
    CrossSite,
    /// The request itself was malformed (a bypassed form, a hand-made request).
    #[error("The request was not understood: {detail}")]
    BadRequest { detail: String },
    /// The browser could not reach the server at all.
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldError::new(field, message))
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) => 422,
            Self::BadRequest { .. } => 400,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::CrossSite => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unavailable | Self::Network => 503,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        Self::Validation(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = AppErrorEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            // Raised in the browser: the request never got an answer.
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Network,
            // Raised on the server while decoding the arguments: the client's fault.
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::UnsupportedRequestMethod(m) => Self::BadRequest { detail: m },
            ServerFnErrorErr::Registration(_) => Self::NotFound,
            ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_) => Self::Internal,
        }
    }
}

/// JSON with the human message added, so any client (and anyone reading a log of
/// responses) sees what went wrong without knowing the variants.
pub struct AppErrorEncoding;

impl ContentType for AppErrorEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for AppErrorEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<AppError> for AppErrorEncoding {
    type Error = serde_json::Error;

    fn encode(error: &AppError) -> Result<Bytes, Self::Error> {
        let mut value = serde_json::to_value(error)?;
        if let Some(object) = value.as_object_mut() {
            object
                .entry("message")
                .or_insert_with(|| serde_json::Value::String(error.to_string()));
        }
        serde_json::to_vec(&value).map(Bytes::from)
    }
}

impl Decodes<AppError> for AppErrorEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<AppError, Self::Error> {
        serde_json::from_slice(&bytes)
    }
}

fn wait_phrase(secs: u64) -> String {
    match secs {
        0..=59 => format!("{} second{}", secs.max(1), if secs == 1 { "" } else { "s" }),
        _ => {
            let minutes = secs.div_ceil(60);
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_says_how_long_to_wait_in_words() {
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 1
            }
            .to_string(),
            "Too many attempts. Please wait 1 second and try again."
        );
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 61
            }
            .to_string(),
            "Too many attempts. Please wait 2 minutes and try again."
        );
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 900
            }
            .to_string(),
            "Too many attempts. Please wait 15 minutes and try again."
        );
    }

    #[test]
    fn errors_survive_the_trip_across_the_wire() {
        for error in [
            AppError::validation("title", "Title can't be empty."),
            AppError::Unauthorized,
            AppError::RateLimited {
                retry_after_secs: 30,
            },
            AppError::BadRequest {
                detail: "missing field `title`".into(),
            },
        ] {
            assert_eq!(AppError::de(error.ser()), error);
        }
    }

    #[test]
    fn the_wire_format_names_the_kind_and_carries_the_message() {
        let json: serde_json::Value =
            serde_json::from_slice(&AppError::InvalidCredentials.ser()).unwrap();
        assert_eq!(json["error"], "InvalidCredentials");
        assert_eq!(json["message"], "Invalid email or password.");
        let json: serde_json::Value = serde_json::from_slice(
            &AppError::validation("email", "Enter your email address.").ser(),
        )
        .unwrap();
        assert_eq!(json["field"], "email");
        assert_eq!(json["message"], "Enter your email address.");
    }

    #[test]
    fn malformed_arguments_are_the_clients_fault_not_the_servers() {
        let error =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `title`".into()));
        assert_eq!(error.status(), 400);
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! How an `AppError` becomes an HTTP answer on the server.

    use axum::{body::Body, http::StatusCode, response::Response};
    use leptos::server_fn::Encodes;

    use super::{AppError, AppErrorEncoding};

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }

        /// The body a server function's client decodes: this error's JSON.
        pub fn server_fn_body(&self) -> Body {
            Body::from(AppErrorEncoding::encode(self).unwrap_or_default())
        }
    }

    /// For middleware and plain handlers (downloads): the status and the message as
    /// text, with the error itself in the response's extensions, where
    /// `server::errors` finds it to answer in the form the caller reads.
    impl axum::response::IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (self.status_code(), self.to_string()).into_response();
            response.extensions_mut().insert(self);
            response
        }
    }
}
