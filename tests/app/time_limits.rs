//! One runaway statement or forgotten transaction cannot hold a connection: the
//! app's connections carry `statement_timeout` and
//! `idle_in_transaction_session_timeout`, against PostgreSQL itself and behind a
//! transaction-mode pooler, and what they cut short is a passing fault.

use std::time::Duration;

use axum::http::StatusCode;
use sqlx::{Connection, PgConnection, PgPool};
use tasks::{db, error::AppError};

use crate::{
    helpers::TestApp,
    pooler::{connected_app, POOLER},
};

const LIMITS: [(&str, &str); 2] = [
    ("DATABASE_STATEMENT_TIMEOUT", "300ms"),
    ("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "300ms"),
];

/// The app with short limits, as it runs against PostgreSQL and behind a pooler.
async fn both_modes(pool: &PgPool) -> [(&'static str, TestApp); 2] {
    let pooled: Vec<_> = LIMITS.iter().chain(&POOLER).copied().collect();
    [
        ("direct", connected_app(pool, &LIMITS).await),
        ("pooler", connected_app(pool, &pooled).await),
    ]
}

#[sqlx::test]
async fn a_query_stuck_behind_a_lock_answers_try_again_and_the_next_one_works(pool: PgPool) {
    for (mode, app) in both_modes(&pool).await {
        let email = format!("{mode}@example.com");
        let mut ada = app.signed_up(&email).await;
        ada.create_task("Water the plants", "").await;

        // A migration or a stuck administrator's session holds the table.
        let mut holder = PgConnection::connect_with(&pool.connect_options())
            .await
            .unwrap();
        let mut lock = holder.begin().await.unwrap();
        sqlx::query("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *lock)
            .await
            .unwrap();

        let stuck = tokio::time::timeout(Duration::from_secs(5), ada.query("/api/tasks/list", &[]))
            .await
            .unwrap_or_else(|_| panic!("{mode}: the list waited for the lock without limit"));
        assert_eq!(stuck.status, StatusCode::SERVICE_UNAVAILABLE, "{mode}");
        assert!(
            stuck.body.contains(&AppError::Unavailable.to_string()),
            "{mode}: {}",
            stuck.body
        );

        lock.rollback().await.unwrap();
        let page = ada.list(&[]).await;
        assert_eq!(
            crate::helpers::titles(&page),
            ["Water the plants"],
            "{mode}"
        );
    }
}

#[sqlx::test]
async fn a_transaction_left_idle_is_ended_by_the_database(pool: PgPool) {
    for (mode, app) in both_modes(&pool).await {
        let ended = app
            .state
            .db
            .atomic(async |conn| -> Result<(), sqlx::Error> {
                sqlx::query("SELECT 1").execute(&mut *conn).await?;
                tokio::time::sleep(Duration::from_millis(900)).await;
                sqlx::query("SELECT 1").execute(&mut *conn).await?;
                Ok(())
            })
            .await
            .expect_err(&format!("{mode}: the idle transaction was left open"));
        assert!(db::is_transient(&ended), "{mode}: {ended:?}");

        // The pool replaces the connection the server closed.
        let after: i32 = app
            .state
            .db
            .unit(async |conn| sqlx::query_scalar("SELECT 1").fetch_one(&mut *conn).await)
            .await
            .unwrap();
        assert_eq!(after, 1, "{mode}");
    }
}
