//! Requests the account server functions refuse: cross-site, anonymous, GET, oversized.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use sqlx::PgPool;

use super::user_count;
use crate::helpers::{form_body, form_request, TestApp, PASSWORD};

#[sqlx::test]
async fn cross_site_posts_are_refused_and_same_origin_posts_pass(pool: PgPool) {
    let app = TestApp::new(pool);
    let fields = [
        ("name", "Ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
    ];
    let attempts = [
        (
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (vec![("sec-fetch-site", "same-site")], StatusCode::FORBIDDEN),
        (
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            vec![("referer", "https://evil.example/page")],
            StatusCode::FORBIDDEN,
        ),
        (vec![("origin", "null")], StatusCode::FORBIDDEN),
    ];
    for (headers, expected) in attempts {
        let mut request = form_request("/api/signup").header(header::ACCEPT, "application/json");
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = app
            .browser()
            .send(request.body(form_body(&fields)).unwrap())
            .await;
        assert_eq!(response.status, expected, "{headers:?}");
        assert!(
            response.body.contains("another website"),
            "{}",
            response.body
        );
    }
    assert_eq!(
        user_count(&app.pool).await,
        0,
        "no refused request changed anything"
    );

    let same_origin = form_request("/api/signup")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, "http://localhost:3000")
        .body(form_body(&fields))
        .unwrap();
    assert_eq!(app.browser().send(same_origin).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn a_protected_server_function_without_a_session_answers_401_and_changes_nothing(
    pool: PgPool,
) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let response = app
        .browser()
        .call("/api/account/name", &[("name", "Mallory")])
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(response.body.contains("log in"), "{}", response.body);
    let name: String = sqlx::query_scalar("SELECT name FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Test Person");
}

#[sqlx::test]
async fn state_changing_server_functions_refuse_get(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    for path in [
        "/api/logout",
        "/api/account/delete",
        "/api/signup",
        "/api/login",
    ] {
        let response = browser
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert!(browser.whoami().await.is_some());
}

#[sqlx::test]
async fn an_oversized_request_body_is_refused_with_413(pool: PgPool) {
    let app = TestApp::new(pool);
    let huge = "x".repeat(3 * 1024 * 1024);
    let request = form_request("/api/signup")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_LENGTH, huge.len() + 5)
        .body(Body::from(format!("name={huge}")))
        .unwrap();
    assert_eq!(
        app.browser().send(request).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(user_count(&app.pool).await, 0);
}
