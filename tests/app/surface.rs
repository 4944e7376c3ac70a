//! Defences checked over every server function the app registers, not a sample:
//! a server function added tomorrow is covered (or fails here until it is).

use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use sqlx::PgPool;

use crate::{
    helpers::{Browser, TestApp},
    tasks::multipart_import,
};

/// Every server function's path and method, as registered.
fn registered() -> Vec<(&'static str, Method)> {
    let mut all: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    all.sort_by_key(|(path, _)| *path);
    assert!(
        all.len() > 10,
        "the server functions are registered: {all:?}"
    );
    all
}

/// Anyone may call these: they start or end a session, or say who is signed in.
const PUBLIC: &[&str] = &[
    "/api/me",
    "/api/signup",
    "/api/login",
    "/api/logout",
    "/api/password/forgot",
    "/api/password/reset",
    "/api/theme",
];

/// Arguments each protected function accepts, so that only the session decides
/// the answer.
fn arguments(path: &str) -> &'static [(&'static str, &'static str)] {
    match path {
        "/api/account/name" => &[("name", "Mallory")],
        "/api/account/password" => &[
            ("current_password", "correct horse battery staple"),
            ("new_password", "a brand new passphrase"),
        ],
        "/api/account/delete" => &[("current_password", "correct horse battery staple")],
        "/api/account/sessions/end" => &[("handle", "00")],
        "/api/account/sessions/end-others" => &[],
        "/api/tasks/list" => &[("filter", "all")],
        "/api/tasks/get" => &[("id", "1")],
        "/api/tasks/create" => &[("title", "Planted")],
        "/api/tasks/update" => &[("id", "1"), ("title", "Planted")],
        "/api/tasks/rename" => &[("id", "1"), ("title", "Planted")],
        "/api/tasks/set-completed" => &[("id", "1"), ("completed", "true")],
        "/api/tasks/delete" => &[("id", "1")],
        "/api/tasks/set-all-completed" => &[("completed", "true")],
        "/api/tasks/clear-completed" | "/api/tasks/import" => &[],
        other => panic!("{other} is a new server function: add valid arguments for it here"),
    }
}

async fn call(browser: &mut Browser, path: &str, method: &Method) -> StatusCode {
    if path == "/api/tasks/import" {
        return browser
            .send(multipart_import(r#"[{"title": "x"}]"#))
            .await
            .status;
    }
    if *method == Method::GET {
        return browser.query(path, arguments(path)).await.status;
    }
    browser.call(path, arguments(path)).await.status
}

#[sqlx::test]
async fn every_protected_server_function_answers_401_without_a_session(pool: PgPool) {
    let app = TestApp::new(pool);
    let protected: Vec<_> = registered()
        .into_iter()
        .filter(|(path, _)| !PUBLIC.contains(path))
        .collect();
    for (path, method) in &protected {
        let status = call(&mut app.browser(), path, method).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // And with a session, the same arguments get past the door (so the 401 above
    // was the session's doing, not the arguments').
    let mut ada = app.signed_up("ada@example.com").await;
    for (path, method) in protected
        .iter()
        .filter(|(path, _)| *path != "/api/account/delete")
    {
        let status = call(&mut ada, path, method).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[sqlx::test]
async fn no_server_function_that_changes_anything_accepts_get(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let reads: Vec<&str> = registered()
        .iter()
        .filter(|(_, method)| *method == Method::GET)
        .map(|(path, _)| *path)
        .collect();
    assert_eq!(
        reads,
        ["/api/tasks/get", "/api/tasks/list"],
        "only reads may be GET"
    );
    for (path, method) in registered() {
        if method == Method::GET {
            continue;
        }
        let query = serde_urlencoded::to_string(if PUBLIC.contains(&path) {
            &[][..]
        } else {
            arguments(path)
        })
        .unwrap();
        let response = ada
            .send(
                Request::get(format!("{path}?{query}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "GET {path}"
        );
    }
    assert_eq!(ada.whoami().await.as_deref(), Some("ada@example.com"));
    let planted: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(planted, 0);
}

#[sqlx::test]
async fn an_extra_user_id_in_a_task_request_is_ignored(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("bob@example.com").await;
    let mut ada = app.signed_up("ada@example.com").await;
    let bob: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'bob@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let response = ada
        .call(
            "/api/tasks/create",
            &[("title", "Mine"), ("user_id", &bob.to_string())],
        )
        .await;
    assert!(response.status.is_success(), "{}", response.body);
    let owners: Vec<String> =
        sqlx::query_scalar("SELECT u.email FROM tasks AS t JOIN users AS u ON u.id = t.user_id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(owners, ["ada@example.com"]);
}
