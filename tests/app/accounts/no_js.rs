//! The account forms as plain HTML form posts, without JavaScript.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{plain_form_post, TestApp, PASSWORD};

#[sqlx::test]
async fn a_plain_form_log_in_failure_returns_to_the_form_with_the_email_kept(pool: PgPool) {
    let app = TestApp::new(pool);
    let request = plain_form_post(
        "/api/login",
        "http://localhost:3000/login",
        &[
            ("email", "ada@example.com"),
            ("password", "wrong password!!"),
        ],
    );
    let response = app.browser().send(request).await;
    assert_eq!(response.status, StatusCode::FOUND);
    let location = response.header("location").unwrap();
    assert!(
        location.starts_with("/login?email=ada%40example.com&"),
        "{location}"
    );
    assert!(location.contains("__err="), "{location}");
    assert!(
        !location.contains("wrong"),
        "the password never goes into a URL: {location}"
    );
}

#[sqlx::test]
async fn a_plain_form_sign_up_lands_on_the_task_list(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let request = plain_form_post(
        "/api/signup",
        "http://localhost:3000/signup",
        &[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ],
    );
    let response = browser.send(request).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.header("location"), Some("/"));
    assert!(browser.whoami().await.is_some());
}
