//! Behind a transaction-mode pooler every unit of work is a transaction that must be
//! committed before the answer: these run each operation in that mode and look in
//! the database for what the person was told happened.

use axum::http::StatusCode;
use sqlx::PgPool;

use tasks::db;

use crate::{
    helpers::{TestApp, PASSWORD},
    tasks::multipart_import,
};

/// The app in pooler mode, on a pool made the way `db::connect` makes one for it.
async fn pooled_app(pool: &PgPool) -> TestApp {
    connected_app(pool, &POOLER).await
}

/// Settings that put the app in pooler mode.
pub const POOLER: [(&str, &str); 2] = [
    ("DATABASE_TRANSACTION_POOLER", "true"),
    // Only parsed: required in this mode, and these tests run no migrations.
    ("DATABASE_MIGRATION_URL", "postgres://test@localhost/direct"),
];

/// The app with `vars` set, on a pool to `pool`'s database whose connections are
/// opened the way `db::connect` opens them.
pub async fn connected_app(pool: &PgPool, vars: &[(&str, &str)]) -> TestApp {
    let config = TestApp::config(vars);
    let options = db::connect_options((*pool.connect_options()).clone(), &config.database);
    let app_pool = db::pool_options(&config.database)
        .connect_with(options)
        .await
        .unwrap();
    TestApp::with(app_pool, config)
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test]
async fn behind_a_pooler_every_acknowledged_write_is_in_the_database(pool: PgPool) {
    let app = pooled_app(&pool).await;
    let mut ada = app.signed_up("ada@example.com").await;
    assert_eq!(scalar(&pool, "SELECT count(*) FROM users").await, 1);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM sessions").await, 1);

    let first = ada.create_task("First", "").await;
    let second = ada.create_task("Second", "notes").await;
    let (first, second) = (first["id"].to_string(), second["id"].to_string());
    assert_eq!(scalar(&pool, "SELECT count(*) FROM tasks").await, 2);

    for (path, fields) in [
        (
            "/api/tasks/rename",
            vec![("id", first.as_str()), ("title", "Renamed")],
        ),
        (
            "/api/tasks/set-completed",
            vec![("id", first.as_str()), ("completed", "true")],
        ),
        (
            "/api/tasks/update",
            vec![
                ("id", second.as_str()),
                ("title", "Second, edited"),
                ("description", ""),
            ],
        ),
    ] {
        let response = ada.call(path, &fields).await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    }
    assert_eq!(
        scalar(
            &pool,
            "SELECT count(*) FROM tasks WHERE title = 'Renamed' AND completed"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &pool,
            "SELECT count(*) FROM tasks WHERE title = 'Second, edited' AND description IS NULL"
        )
        .await,
        1
    );
    let page = ada.list(&[]).await;
    assert_eq!(
        (
            page["active_count"].as_i64(),
            page["completed_count"].as_i64()
        ),
        (Some(1), Some(1))
    );

    let response = ada
        .send(multipart_import(r#"[{"title": "Imported"}]"#))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM tasks").await, 3);

    for (path, fields) in [
        ("/api/tasks/set-all-completed", vec![("completed", "true")]),
        ("/api/tasks/clear-completed", vec![]),
    ] {
        let response = ada.call(path, &fields).await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    }
    assert_eq!(scalar(&pool, "SELECT count(*) FROM tasks").await, 0);

    let task = ada.create_task("To delete", "").await;
    let response = ada
        .call("/api/tasks/delete", &[("id", &task["id"].to_string())])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM tasks").await, 0);

    let response = ada.call("/api/account/name", &[("name", "Ada L.")]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM users WHERE name = 'Ada L.'").await,
        1
    );

    let mut other_browser = app.browser();
    assert_eq!(
        other_browser
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(scalar(&pool, "SELECT count(*) FROM sessions").await, 2);
    let response = ada
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM sessions").await, 1);
    assert_eq!(other_browser.whoami().await, None);

    assert_eq!(ada.log_out().await.status, StatusCode::OK);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM sessions").await, 0);
}
