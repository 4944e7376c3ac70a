//! `GET /healthz`: whether this instance can serve, for load balancers and operators.

use std::time::Duration;

use axum::{extract::State, http::StatusCode};
use sqlx::Executor;

use crate::db::Db;

/// 200 after a database round trip; 503 with a short reason when the database does
/// not answer. Needs no session, so it never touches the session table. A plain
/// (simple-protocol) query, which any pooler passes through in one exchange.
pub async fn healthz(State(db): State<Db>) -> (StatusCode, &'static str) {
    let ping = tokio::time::timeout(Duration::from_secs(3), db.pool().execute("SELECT 1"));
    match ping.await {
        Ok(Ok(_)) => (StatusCode::OK, "ok\n"),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: database did not answer within 3 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database not answering\n")
        }
    }
}
