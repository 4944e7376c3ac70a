//! Account settings: the name, and deleting the account.

use axum::http::StatusCode;
use sqlx::PgPool;

use super::user_count;
use crate::helpers::{TestApp, PASSWORD};

#[sqlx::test]
async fn updating_the_name_shows_in_the_header(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    let response = browser
        .call("/api/account/name", &[("name", "  Countess Ada ")])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let page = browser.get("/account").await;
    assert!(page.body.contains("Countess Ada"));
}

#[sqlx::test]
async fn deleting_the_account_deletes_its_tasks_and_signs_out(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    sqlx::query("INSERT INTO tasks (user_id, title) SELECT id, 'Mine' FROM users")
        .execute(&app.pool)
        .await
        .unwrap();
    let wrong = browser
        .call(
            "/api/account/delete",
            &[("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(user_count(&app.pool).await, 1);

    let response = browser
        .call("/api/account/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(user_count(&app.pool).await, 0);
    let tasks: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tasks, 0);
    assert_eq!(browser.whoami().await, None);
}
