//! Logging: the tracing subscriber (`RUST_LOG` sets the level), one line per request,
//! and the answer to a request whose handler panicked.

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

pub fn init_tracing() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
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
    tracing::info_span!("request", method = %request.method(), path = request.uri().path())
}

fn on_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "handled"
    );
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
