//! Pages (and server functions) whose client hung up are still run to their end:
//! Leptos tears a page's reactive graph down as its response is read to the end, and
//! a response dropped unread left the graph, and tasks waiting on it, behind for good.
//! The cost is one task spawn per request of the app router.
//!
//! Works around Leptos 0.8 (leptos 0.8.23, leptos_axum 0.8.10): a page's reactive
//! owner is disposed only when its streamed body is read to the end, so a body
//! dropped unread leaks it (related upstream: leptos-rs/leptos#4829, the panic on
//! a disposed graph when a client abandons a page). Guarded by the test
//! `pages_abandoned_mid_answer_leave_nothing_running_on_the_server`; remove this layer when that test
//! passes without it.

use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body::Body as _;
use http_body_util::BodyExt;
use tracing::Instrument;

/// Runs the request in a task of its own and, when the client is gone before the
/// answer is, reads the answer to its end and drops it. Before, each abandoned page
/// kept about 24 KB for good (1.5 MB each time 64 connections hung up mid-page), so
/// a server's memory grew with every visitor who navigated away early.
pub async fn finish_abandoned_pages(request: Request, next: Next) -> Response {
    let (answer, answered) = tokio::sync::oneshot::channel::<Response>();
    let task = tokio::spawn(
        async move {
            let response = next.run(request).await;
            if let Err(response) = answer.send(response) {
                drain(response.into_body()).await;
            }
        }
        .in_current_span(),
    );
    match answered.await {
        Ok(response) => response.map(|body| Body::new(DrainOnDrop(Some(body)))),
        // No answer: the handler panicked. Carry the panic on to CatchPanicLayer.
        Err(_) => match task.await {
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Cancelled: the runtime is shutting down.
            _ => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
    }
}

async fn drain(mut body: Body) {
    while let Some(frame) = body.frame().await {
        if frame.is_err() {
            break;
        }
    }
}

/// A body that, dropped before its end (the client hung up mid-answer), is read to
/// the end by a task of its own.
struct DrainOnDrop(Option<Body>);

impl http_body::Body for DrainOnDrop {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let Some(body) = self.0.as_mut() else {
            return std::task::Poll::Ready(None);
        };
        let polled = std::pin::Pin::new(body).poll_frame(cx);
        if let std::task::Poll::Ready(None) = polled {
            self.0 = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.as_ref().map_or_else(
            || http_body::SizeHint::with_exact(0),
            http_body::Body::size_hint,
        )
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        if let Some(body) = self.0.take() {
            if !body.is_end_stream() {
                tokio::spawn(drain(body));
            }
        }
    }
}
