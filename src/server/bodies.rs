//! Server-function bodies checked before Leptos decodes them: an encoding it is
//! meant to decode, holding UTF-8 text.
//!
//! Works around two behaviours of server_fn 0.8.13 (Leptos 0.8): `PostUrl`
//! (`codec/url.rs`) decodes a body as a form whatever its `Content-Type`, with
//! `serde_qs` in non-strict mode, which turns invalid UTF-8 into U+FFFD (then stored
//! as if the person had typed it); and `MultipartFormData` (`codec/multipart.rs`)
//! panics (`expect("couldn't parse boundary")`) on a multipart body without a
//! boundary. Guarded by
//! `malformed_server_function_bodies_get_a_4xx_with_a_message_and_store_nothing`
//! and `no_body_of_any_shape_makes_a_server_function_fail_with_a_5xx_or_store_garbage`.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::MAX_BODY_BYTES;
use crate::error::AppError;

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

fn refuse(detail: &str) -> Response {
    AppError::BadRequest {
        detail: detail.to_owned(),
    }
    .into_response()
}

/// A body of a type the server function does not decode: 415, saying which it takes.
fn unsupported(detail: &str) -> Response {
    let error = AppError::BadRequest {
        detail: detail.to_owned(),
    };
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, error).into_response()
}

/// The server functions that take a file (multipart); every other one takes a
/// URL-encoded form.
#[derive(Clone, Copy)]
pub struct Uploads(pub &'static [&'static str]);

/// Middleware for `POST /api/...`: other content types are refused, and a form
/// whose decoded text is not UTF-8 is refused rather than guessed at.
pub async fn check_server_fn_body(
    State(Uploads(upload_paths)): State<Uploads>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with(super::SERVER_FNS) {
        return next.run(request).await;
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    // Each server function decodes one encoding, and Leptos panics on a multipart
    // body it cannot find the boundary of.
    let uploads = upload_paths.contains(&request.uri().path());
    match content_type.as_deref() {
        Some(MULTIPART) if uploads && has_boundary(&request) => next.run(request).await,
        Some(MULTIPART) if uploads => refuse("the multipart upload names no boundary"),
        _ if uploads => unsupported(&format!(
            "send the file as {MULTIPART}, not {}",
            content_type.as_deref().unwrap_or("without a Content-Type")
        )),
        Some(FORM) => {
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
                Ok(bytes) => bytes,
                // A body without a Content-Length that outgrows the limit: the same
                // 413 the limit layer outside gives one that declares its size.
                Err(error) if is_length_limit(&error) => {
                    return StatusCode::PAYLOAD_TOO_LARGE.into_response();
                }
                Err(_) => return refuse("the request body could not be read"),
            };
            if !form_is_utf8(&bytes) {
                return refuse("the form data is not UTF-8 text");
            }
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => unsupported(&format!(
            "send the data as {FORM}, not {}",
            content_type.as_deref().unwrap_or("without a Content-Type")
        )),
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

fn has_boundary(request: &Request) -> bool {
    let Some(content_type) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    content_type.split(';').skip(1).any(|param| {
        param.split_once('=').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case("boundary")
                && !value.trim().trim_matches('"').is_empty()
        })
    })
}

/// Whether every key and value of a URL-encoded form is UTF-8 once decoded. The
/// separators are ASCII, so checking the whole decoded body checks every part.
fn form_is_utf8(body: &[u8]) -> bool {
    let mut decoded = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let escaped = (body[i] == b'%')
            .then(|| body.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(body[i]);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

#[cfg(test)]
mod tests {
    use super::form_is_utf8;

    #[test]
    fn forms_are_utf8_when_every_escape_and_raw_byte_decodes_to_utf8() {
        assert!(form_is_utf8(b"title=Buy+milk&description="));
        assert!(form_is_utf8("title=caf%C3%A9&name=名前".as_bytes()));
        assert!(form_is_utf8(b"title=100%&x=%zz"), "a stray % is literal");
    }

    #[test]
    fn forms_with_invalid_utf8_escaped_or_raw_are_not() {
        assert!(!form_is_utf8(b"title=%FF%FE"));
        assert!(!form_is_utf8(b"title=\xff"));
        assert!(!form_is_utf8(b"title=%E2%82"), "a cut-off sequence");
    }
}
