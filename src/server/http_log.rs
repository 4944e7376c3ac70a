//! Logging: the tracing subscriber (`RUST_LOG` sets the level, `LOG_FORMAT` text or
//! JSON), one line per request with its id, and the answer to a request whose
//! handler panicked.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, Response},
    response::IntoResponse,
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::TraceLayer,
};
use tracing::Span;

/// Installs the log (see [`subscriber`]) for the whole process. `LOG_FORMAT` is
/// read from the environment itself, like `RUST_LOG`, because the log is set up
/// before the configuration, whose errors it may then report.
pub fn init_tracing() -> Result<(), String> {
    let format = std::env::var("LOG_FORMAT").unwrap_or_default();
    let _ = tracing::subscriber::set_global_default(subscriber(&format, std::io::stdout)?);
    Ok(())
}

/// The log, written to `writer`: lines of text, or with `format` `json` one JSON
/// object per line carrying the fields of its request's span (the request id
/// among them). `RUST_LOG` sets the level.
pub fn subscriber<W>(
    format: &str,
    writer: W,
) -> Result<Box<dyn tracing::Subscriber + Send + Sync>, String>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let log = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    match format.trim() {
        "" | "text" => Ok(Box::new(log.finish())),
        "json" => Ok(Box::new(
            log.json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        )),
        other => Err(format!(
            "LOG_FORMAT: `{other}` is not a log format; use `text` (the default) or `json`"
        )),
    }
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response<Body>, Duration, &Span);

/// One `info` line per request when it completes: method, path (never the query,
/// which can hold personal data), status and latency.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse> {
    TraceLayer::new_for_http()
        .make_span_with(make_span as MakeSpan)
        .on_request(())
        .on_response(on_response as OnResponse)
}

fn make_span(request: &Request<Body>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

fn on_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "handled"
    );
}

/// Keeps the `X-Request-Id` a request came with (from a proxy or load balancer
/// that made it) only when it looks like one: up to 64 letters, digits, `.`, `_`
/// or `-`. Anything else is dropped, and a new id is made: a client must not
/// write what it likes into every log line.
pub async fn drop_odd_request_id(
    mut request: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let odd = request.headers().get("x-request-id").is_some_and(|id| {
        let id = id.as_bytes();
        id.is_empty()
            || id.len() > 64
            || !id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    });
    if odd {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// A panic is a bug: log it in full, answer 500 with nothing internal in the body,
/// and keep serving everyone else.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    crate::error::AppError::Internal.into_response()
}
