//! What operators see: Prometheus metrics on their own listener (never the public
//! router), request ids on every answer, and a log of one JSON object per line.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::http::StatusCode;
use sqlx::PgPool;
use tasks::server::{http_log, metrics};

use crate::{
    helpers::{TestApp, PASSWORD},
    pooler::connected_app,
};

/// The metrics as Prometheus would read them from `app`'s own listener.
async fn scrape(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    metrics::serve(listener, app.state.clone());
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.text().await.unwrap()
}

/// The value of the series `name{labels}` (labels in the exporter's order), if any.
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[sqlx::test]
async fn requests_log_ins_and_the_pool_are_counted_by_route_and_outcome(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    // Installed before the requests, as the server does at start-up.
    scrape(&app).await;
    let mut ada = app.signed_up("metrics-ada@example.com").await;
    ada.create_task("Counted", "").await;
    ada.get("/").await;
    ada.get("/no/such/page/for-metrics").await;
    ada.call("/api/made-up-function-for-metrics", &[]).await;
    let mut stranger = app.browser();
    stranger
        .log_in("metrics-ada@example.com", "not the password")
        .await;
    stranger.log_in("metrics-ada@example.com", PASSWORD).await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    tasks::auth::ssr::sweep(&app.state.db, Duration::from_secs(900)).await;

    let metrics = scrape(&app).await;
    let count = |series: &str| {
        value(&metrics, series).unwrap_or_else(|| panic!("no {series} in:\n{metrics}"))
    };
    assert!(count(r#"http_requests_total{method="GET",route="/",status="200"}"#) >= 1.0);
    assert!(
        count(r#"http_requests_total{method="POST",route="/api/tasks/create",status="200"}"#)
            >= 1.0
    );
    assert!(
        count(
            r#"http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="+Inf"}"#
        ) >= 1.0
    );
    // A path a client made up is not a label of its own.
    assert!(!metrics.contains("for-metrics"), "{metrics}");
    assert!(count(r#"logins_total{outcome="failure"}"#) >= 1.0);
    assert!(count(r#"logins_total{outcome="success"}"#) >= 1.0);
    assert!(count("db_pool_connections") >= 1.0);
    assert!(value(&metrics, "db_pool_idle_connections").is_some());
    assert!(count(r#"db_acquire_duration_seconds_bucket{le="+Inf"}"#) >= 1.0);
    assert!(value(&metrics, "db_acquires_waiting").is_some());
    assert!(count(r#"password_hash_wait_seconds_bucket{le="+Inf"}"#) >= 1.0);
    assert_eq!(value(&metrics, "mail_outbox_depth"), Some(0.0));
    assert!(count("sessions_swept_total") >= 2.0);
}

#[sqlx::test]
async fn a_statement_cut_short_by_its_time_limit_is_counted_as_a_timeout(pool: PgPool) {
    let app = connected_app(&pool, &[("DATABASE_STATEMENT_TIMEOUT", "100ms")]).await;
    let before = value(&scrape(&app).await, r#"db_errors_total{kind="timeout"}"#).unwrap_or(0.0);
    let slow = app
        .state
        .db
        .unit(async |conn| -> Result<(), tasks::error::AppError> {
            sqlx::query("SELECT pg_sleep(2)")
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
        .await;
    assert_eq!(slow, Err(tasks::error::AppError::Unavailable));
    let after = value(&scrape(&app).await, r#"db_errors_total{kind="timeout"}"#).unwrap_or(0.0);
    assert!(after >= before + 1.0, "{before} -> {after}");
}

#[sqlx::test]
async fn the_public_address_does_not_serve_metrics(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/metrics").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(!response.body.contains("http_requests_total"));
}

#[sqlx::test]
async fn every_answer_carries_a_request_id_and_keeps_the_one_it_was_given(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let made = browser.get("/login").await;
    let id = made.header("x-request-id").expect("a request id");
    assert!(id.len() >= 16, "{id}");
    let other = browser.get("/login").await;
    assert_ne!(other.header("x-request-id"), Some(id));

    let given = browser
        .send(
            axum::http::Request::get("/login")
                .header("x-request-id", "from-the-proxy-42")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(given.header("x-request-id"), Some("from-the-proxy-42"));

    for odd in ["has spaces in it", &"x".repeat(65), "line\tbreak"] {
        let answer = browser
            .send(
                axum::http::Request::get("/login")
                    .header("x-request-id", odd)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        let id = answer.header("x-request-id").expect("a request id");
        assert_ne!(id, odd);
        assert_eq!(id.len(), 36, "a new UUID: {id}");
    }
}

/// Where a test's log lines go.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test]
async fn log_format_json_writes_one_object_per_line_with_the_request_id(pool: PgPool) {
    let app = TestApp::new(pool);
    let captured = Captured::default();
    let writer = captured.clone();
    let log = http_log::subscriber("json", move || writer.clone()).unwrap();
    let _guard = tracing::subscriber::set_default(log);
    let answer = app
        .browser()
        .send(
            axum::http::Request::get("/login")
                .header("x-request-id", "trace-me-7")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(10)).await;
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let handled = lines
        .iter()
        .find(|line| line["fields"]["message"] == "handled")
        .unwrap_or_else(|| panic!("no request line in {text}"));
    assert_eq!(handled["span"]["id"], "trace-me-7");
    assert_eq!(handled["span"]["path"], "/login");
    assert_eq!(handled["fields"]["status"], 200);
}

#[test]
fn an_unknown_log_format_is_refused_with_the_choices() {
    let error = http_log::subscriber("yaml", std::io::sink).err().unwrap();
    assert!(
        error.contains("LOG_FORMAT") && error.contains("json"),
        "{error}"
    );
}
