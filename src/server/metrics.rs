//! Operators' metrics: the count and time of every answer by route and status, and
//! the Prometheus endpoint on its own address (`METRICS_ADDR`), never on the public
//! one, so nothing about the service's load is served to the internet.

use std::time::{Duration, Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::{state::AppState, telemetry};

/// How often the recorder folds old histogram samples away.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Counts and times one request. The route is the pattern it matched (every page
/// and server function is a route of its own); a path that matched none is
/// "unmatched", and a method outside the standard ones is "other": a label a
/// client could choose would make a new series per request.
pub async fn track(request: Request, next: Next) -> Response {
    if !telemetry::enabled() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || "unmatched".to_owned(),
        |matched| matched.as_str().to_owned(),
    );
    let response = next.run(request).await;
    telemetry::request(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Serves `GET /metrics` on `listener` for as long as the server runs.
pub fn serve(listener: tokio::net::TcpListener, state: AppState) {
    let handle = telemetry::recorder();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            let mut every = tokio::time::interval(UPKEEP_EVERY);
            loop {
                every.tick().await;
                handle.run_upkeep();
            }
        }
    });
    let app = Router::new()
        .route("/metrics", get(render))
        .with_state((handle, state));
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("metrics on http://{addr}/metrics");
    }
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
}

/// The metrics, with the gauges that are read rather than counted sampled now.
async fn render(State((handle, state)): State<(PrometheusHandle, AppState)>) -> impl IntoResponse {
    let pool = state.db.pool();
    telemetry::pool(pool.size(), pool.num_idle());
    // A database that is away must not hold the scrape: its last value stays.
    if let Ok(Ok(depth)) = tokio::time::timeout(Duration::from_secs(1), state.outbox.depth()).await
    {
        telemetry::outbox_depth(depth);
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        handle.render(),
    )
}
