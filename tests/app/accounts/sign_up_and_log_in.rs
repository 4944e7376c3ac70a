//! Signing up, logging in and out, and where each lands.

use axum::http::{header, StatusCode};
use sqlx::PgPool;

use super::user_count;
use crate::helpers::{TestApp, PASSWORD};

#[sqlx::test]
async fn signing_up_signs_the_person_in_and_stores_an_argon2id_hash(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let response = browser
        .sign_up("  Ada Lovelace ", " Ada@Example.com ", PASSWORD)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
    let (name, hash): (String, String) = sqlx::query_as("SELECT name, password_hash FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Ada Lovelace");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[sqlx::test]
async fn sign_up_explains_each_invalid_field(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let cases = [
        ("", "ada@example.com", PASSWORD, "Enter your name."),
        ("Ada", "not-an-email", PASSWORD, "valid email"),
        ("Ada", "ada@example.com", "short", "at least 12 characters"),
        (
            "Ada",
            "ada@example.com",
            &"p".repeat(129),
            "at most 128 characters",
        ),
    ];
    for (name, email, password, expected) in cases {
        let response = browser.sign_up(name, email, password).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}"
        );
        assert!(
            response.body.contains(expected),
            "{expected}: {}",
            response.body
        );
    }
    assert_eq!(user_count(&app.pool).await, 0);
}

#[sqlx::test]
async fn signing_up_with_a_registered_email_says_so(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let response = app
        .browser()
        .sign_up("Other", "ADA@example.com", PASSWORD)
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(
        response.body.contains("already exists"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn twenty_concurrent_sign_ups_with_one_email_create_one_account(pool: PgPool) {
    let app = TestApp::new(pool);
    let attempts = (0..20).map(|i| {
        let mut browser = app.browser();
        async move {
            browser
                .sign_up(&format!("Person {i}"), "race@example.com", PASSWORD)
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert_eq!(user_count(&app.pool).await, 1);
}

#[sqlx::test]
async fn logging_out_and_in_again_works(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    assert_eq!(browser.log_out().await.status, StatusCode::OK);
    assert_eq!(browser.whoami().await, None);
    let response = browser.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body, "\"/\"");
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
}

#[sqlx::test]
async fn wrong_password_and_unknown_email_get_identical_answers(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let wrong_password = app
        .browser()
        .log_in("ada@example.com", "not the right password")
        .await;
    let unknown_email = app
        .browser()
        .log_in("nobody@example.com", "not the right password")
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert!(wrong_password.body.contains("Invalid email or password."));
    assert_eq!(wrong_password.set_cookies(), unknown_email.set_cookies());
}

#[sqlx::test]
async fn log_in_returns_to_a_safe_next_path_only(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    for (next, expected) in [
        ("/account", "\"/account\""),
        ("//evil.example", "\"/\""),
        ("https://evil.example", "\"/\""),
    ] {
        let response = app
            .browser()
            .call(
                "/api/login",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.body, expected, "{next}");
    }
}

#[sqlx::test]
async fn protected_pages_redirect_anonymous_visitors_to_log_in_with_the_way_back(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/account").await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.header("location"), Some("/login?next=/account"));
    let response = app.browser().get("/").await;
    assert_eq!(response.header("location"), Some("/login"));
}

#[sqlx::test]
async fn protected_pages_redirect_whatever_the_request_accepts(pool: PgPool) {
    let app = TestApp::new(pool);
    // curl's `*/*`, an API client's JSON, and no Accept header at all.
    for accept in [Some("*/*"), Some("application/json"), None] {
        let mut request = axum::http::Request::get("/tasks/7");
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        let response = app
            .browser()
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::FOUND, "Accept: {accept:?}");
        assert_eq!(
            response.header("location"),
            Some("/login?next=/tasks/7"),
            "Accept: {accept:?}"
        );
        assert_eq!(response.header("serverfnredirect"), None);
    }
}

#[sqlx::test]
async fn signed_in_visitors_of_log_in_and_sign_up_go_to_their_tasks(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    for path in ["/login", "/signup"] {
        let response = browser.get(path).await;
        assert_eq!(response.status, StatusCode::FOUND, "{path}");
        assert_eq!(response.header("location"), Some("/"));
    }
}
