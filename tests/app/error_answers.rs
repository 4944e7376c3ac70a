//! Every refusal reaches its caller in the form the caller reads: `AppError` JSON
//! with the error's own status for the hydrated app (decoded here exactly as its
//! server-function client decodes it), an HTML page for a browser.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use leptos::server_fn::error::FromServerFnError;
use sqlx::{postgres::PgPoolOptions, PgPool};
use tasks::error::AppError;

use crate::helpers::{form_body, form_request, TestApp, TestResponse, PASSWORD};

/// What the hydrated app makes of an error answer: `FromServerFnError::de`, which
/// falls back to "the request was not understood" when the body is not ours.
fn as_the_client_reads_it(response: &TestResponse) -> AppError {
    AppError::de(response.body.clone().into())
}

/// An app whose database is gone: every connection attempt is refused.
fn app_without_database() -> TestApp {
    let pool = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect_lazy("postgres://tasks:unused@127.0.0.1:1/tasks")
        .expect("a lazy pool needs no server");
    TestApp::new(pool)
}

#[sqlx::test]
async fn a_cross_site_call_is_refused_as_cross_site_with_403(pool: PgPool) {
    let app = TestApp::new(pool);
    let request = form_request("/api/signup")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(form_body(&[("name", "Ada"), ("email", "ada@example.com")]))
        .unwrap();
    let response = app.browser().send(request).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(as_the_client_reads_it(&response), AppError::CrossSite);
}

#[sqlx::test]
async fn a_body_the_server_functions_do_not_take_is_refused_with_the_reason(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let request = Request::post("/api/tasks/create")
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("title=Milk"))
        .unwrap();
    let response = ada.send(request).await;
    assert_eq!(response.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    match as_the_client_reads_it(&response) {
        AppError::BadRequest { detail } => {
            assert!(
                detail.contains("application/x-www-form-urlencoded"),
                "{detail}"
            );
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

#[sqlx::test]
async fn an_oversized_call_is_refused_with_413_naming_the_limit(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let request = form_request("/api/tasks/create")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(form_body(&[("title", &huge)]))
        .unwrap();
    let response = ada.send(request).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    match as_the_client_reads_it(&response) {
        AppError::BadRequest { detail } => assert!(detail.contains("2 MiB"), "{detail}"),
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

#[sqlx::test]
async fn malformed_arguments_answer_400_with_the_reason(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let response = ada.call("/api/tasks/set-completed", &[("id", "x")]).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    match as_the_client_reads_it(&response) {
        // The decoder's own words: which argument, and what was wrong with it.
        AppError::BadRequest { detail } => assert!(
            detail.contains("id") || detail.contains("invalid"),
            "{detail}"
        ),
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn with_the_database_down_a_call_says_temporarily_unavailable() {
    let app = app_without_database();
    let mut browser = app.browser();
    // A session cookie makes the session layer go to the database first.
    browser
        .cookies
        .insert("session".into(), "AAAAAAAAAAAAAAAAAAAAAA".into());
    let response = browser
        .call("/api/tasks/create", &[("title", "Milk")])
        .await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let error = as_the_client_reads_it(&response);
    assert_eq!(error, AppError::Unavailable);
    assert!(error.to_string().contains("temporarily unavailable"));

    let response = browser.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(as_the_client_reads_it(&response), AppError::Unavailable);
}

#[tokio::test]
async fn with_the_database_down_a_page_is_an_html_page_that_says_so() {
    let app = app_without_database();
    let mut browser = app.browser();
    browser
        .cookies
        .insert("session".into(), "AAAAAAAAAAAAAAAAAAAAAA".into());
    let response = browser.get("/").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        response.headers
    );
    assert!(
        response.body.contains("temporarily unavailable") && response.body.contains("<h1>"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn a_plain_form_post_refused_as_cross_site_gets_a_page_not_json(pool: PgPool) {
    let app = TestApp::new(pool);
    let request = form_request("/api/signup")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "cross-site")
        .body(form_body(&[("name", "Ada")]))
        .unwrap();
    let response = app.browser().send(request).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(
        response.body.contains("<!DOCTYPE html>") && response.body.contains("another website"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn a_panicking_handler_answers_a_page_that_hides_the_panic(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("FAULT_INJECTION", "true")]);
    let response = app.browser().get("/__faults/panic").await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        response.body.contains("Something went wrong on our side")
            && !response.body.contains("injected"),
        "{}",
        response.body
    );
}
