//! The one place every error answer passes through, so each caller gets it in the
//! form it reads: the hydrated app's server-function client gets `AppError` JSON
//! with the error's status; a browser (a page, or a plain form post without
//! JavaScript) gets an HTML page.
//!
//! Errors arrive here in three shapes: an `AppError` a middleware or handler
//! answered with (`IntoResponse` leaves it in the response's extensions), the JSON
//! a server function answered with, or a bare status from a library layer. The
//! libraries' shapes and why each is read as it is:
//! - Leptos 0.8 (server_fn 0.8.13) answers every server-function error with 500,
//!   whatever the error says, including arguments it could not decode: the status
//!   is taken from the decoded error instead. Guarded by
//!   `malformed_arguments_answer_400_with_the_reason`.
//! - tower-sessions 0.14.0 answers a bare 500 (no body, no content type) when it
//!   cannot save the session after the handler ran (`service.rs`,
//!   `SessionManager::call`): that is the session table out of reach, a passing
//!   fault, so it becomes `Unavailable`. Guarded by
//!   `a_session_that_cannot_be_saved_answers_temporarily_unavailable`.
//! - tower-http 0.6's `RequestBodyLimitLayer` answers 413 with a plain-text body.

use axum::{
    body::Body,
    extract::Request,
    http::{header, response::Parts, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
use leptos::server_fn::Decodes;

use crate::{
    error::{AppError, AppErrorEncoding},
    forms::accepts_html,
};

/// Error bodies of ours are a few hundred bytes; a larger one is not ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Who is asking, as far as the form of an error answer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reader {
    /// The hydrated app's server-function client (or any other API client).
    ServerFnClient,
    /// A browser showing what it gets: a page, or a plain form post.
    Browser,
}

impl Reader {
    fn of(request: &Request) -> Self {
        if request.uri().path().starts_with(super::SERVER_FNS) && !accepts_html(request.headers()) {
            Self::ServerFnClient
        } else {
            Self::Browser
        }
    }
}

/// Middleware, outside every layer that can refuse a request.
pub async fn error_answers(request: Request, next: Next) -> Response {
    let reader = Reader::of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // A browser keeps any answer that explains itself (a page the app rendered,
    // the health check's reason); only errors of ours and bare statuses become a page.
    if reader == Reader::Browser
        && parts.extensions.get::<AppError>().is_none()
        && parts.headers.contains_key(header::CONTENT_TYPE)
    {
        return Response::from_parts(parts, body);
    }
    // A body too large to be one of ours, or one that fails mid-read, is judged by
    // its status alone.
    let bytes = axum::body::to_bytes(body, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let error = parts
        .extensions
        .remove::<AppError>()
        .or_else(|| decode_server_fn_error(&parts, &bytes))
        .unwrap_or_else(|| from_status(status, &bytes));
    parts.status = match error {
        // A malformed request keeps the more precise 4xx it was refused with
        // (413, 415, 405); every other error has its own status.
        AppError::BadRequest { .. } if status.is_client_error() => status,
        _ => error.status_code(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let AppError::RateLimited { retry_after_secs } = &error {
        parts
            .headers
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    let (content_type, body) = match reader {
        Reader::ServerFnClient => ("application/json", error.server_fn_body()),
        Reader::Browser => ("text/html; charset=utf-8", Body::from(error_page(&error))),
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Response::from_parts(parts, body)
}

/// A server function's own error answer, decoded as its client would.
fn decode_server_fn_error(parts: &Parts, bytes: &[u8]) -> Option<AppError> {
    parts.headers.get("serverfnerror")?;
    AppErrorEncoding::decode(bytes.to_vec().into()).ok()
}

/// What a bare status from a library layer means to the person who asked.
fn from_status(status: StatusCode, body: &[u8]) -> AppError {
    let detail = || {
        let text = String::from_utf8_lossy(body).trim().to_owned();
        if text.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("unknown error")
                .to_lowercase()
        } else {
            text
        }
    };
    match status {
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::BadRequest {
            detail: format!(
                "the request is larger than the {} MiB limit",
                super::MAX_BODY_BYTES / (1024 * 1024)
            ),
        },
        // Only tower-sessions answers a bare 500 (see the module comment).
        StatusCode::INTERNAL_SERVER_ERROR if body.is_empty() => AppError::Unavailable,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => AppError::Unavailable,
        s if s.is_client_error() => AppError::BadRequest { detail: detail() },
        _ => {
            tracing::error!(%status, detail = detail(), "an error answer of unknown origin");
            AppError::Internal
        }
    }
}

/// A small self-contained page (the default CSP of such answers allows no
/// stylesheet) that says what happened and where to go from here.
fn error_page(error: &AppError) -> String {
    let title = match error {
        AppError::Unavailable => "Temporarily unavailable",
        AppError::NotFound => "Not found",
        AppError::Unauthorized | AppError::InvalidCredentials => "Please log in",
        AppError::RateLimited { .. } => "Too many attempts",
        AppError::CrossSite => "Refused",
        AppError::Internal => "Something went wrong",
        _ => "That did not work",
    };
    let message = html_escape::encode_text(&error.to_string()).into_owned();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>\
         <p role=\"alert\">{message}</p><p><a href=\"/\">Go to your tasks</a></p>\
         </main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_500_is_a_passing_fault_and_a_500_with_a_reason_is_not() {
        assert_eq!(
            from_status(StatusCode::INTERNAL_SERVER_ERROR, b""),
            AppError::Unavailable
        );
        assert_eq!(
            from_status(StatusCode::INTERNAL_SERVER_ERROR, b"boom"),
            AppError::Internal
        );
    }

    #[test]
    fn an_oversized_body_says_what_the_limit_is() {
        let error = from_status(StatusCode::PAYLOAD_TOO_LARGE, b"length limit exceeded");
        assert!(error.to_string().contains("2 MiB"), "{error}");
    }

    #[test]
    fn the_error_page_escapes_the_message() {
        let page = error_page(&AppError::BadRequest {
            detail: "<script>".into(),
        });
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
    }
}
