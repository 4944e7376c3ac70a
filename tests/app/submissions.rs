//! No duplicates on retry: the same add or import sent twice (a double click, a
//! retry after an answer lost once the work was committed, a browser sending a form
//! again) stores one task or one import and answers the second like the first.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::{
    helpers::{plain_form_post, Browser, TestApp},
    tasks::multipart_import_keyed,
};

const KEY: &str = "k3yOfAFormRendered1";

async fn count(pool: &PgPool, title: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tasks WHERE title = $1")
        .bind(title)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn add(browser: &mut Browser, title: &str, key: &str) -> (StatusCode, serde_json::Value) {
    let response = browser
        .call(
            "/api/tasks/create",
            &[
                ("title", title),
                ("description", "two litres"),
                ("key", key),
            ],
        )
        .await;
    let body = serde_json::from_str(&response.body).unwrap_or_default();
    (response.status, body)
}

/// The submission key in the form a page was rendered with.
fn form_key(html: &str, form_action: &str) -> String {
    let form = &html[html.find(form_action).expect("the form is on the page")..];
    let value = &form[form
        .find(r#"name="key" value=""#)
        .expect("the form has a key")
        + 18..];
    value[..value.find('"').unwrap()].to_owned()
}

#[sqlx::test]
async fn the_same_add_sent_twice_stores_one_task_and_answers_both_with_it(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let (status, first) = add(&mut ada, "Buy milk", KEY).await;
    assert_eq!(status, StatusCode::OK);
    // The answer was lost on the way back; the browser sends it again.
    let (status, again) = add(&mut ada, "Buy milk", KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    assert_eq!(count(&pool, "Buy milk").await, 1);
}

#[sqlx::test]
async fn two_copies_sent_at_once_store_one_task(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    for round in 0..10 {
        let key = format!("{KEY}-{round}");
        let title = format!("Double click {round}");
        let mut other_tab = ada.tab();
        let (one, two) = tokio::join!(
            add(&mut ada, &title, &key),
            add(&mut other_tab, &title, &key)
        );
        assert_eq!(
            (one.0, two.0),
            (StatusCode::OK, StatusCode::OK),
            "round {round}"
        );
        assert_eq!(one.1["id"], two.1["id"], "round {round}");
        assert_eq!(count(&pool, &title).await, 1, "round {round}");
    }
}

#[sqlx::test]
async fn a_plain_form_sent_twice_from_the_page_stores_one_task(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let page = ada.get("/").await;
    let key = form_key(&page.body, r#"action="/api/tasks/create""#);
    for _ in 0..2 {
        let sent = ada
            .send(plain_form_post(
                "/api/tasks/create",
                "http://localhost:3000/",
                &[
                    ("title", "Water the plants"),
                    ("description", ""),
                    ("key", &key),
                ],
            ))
            .await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        assert_eq!(sent.header("location"), Some("/"));
    }
    assert_eq!(count(&pool, "Water the plants").await, 1);
    // The page the browser comes back to has a new form, for the next task.
    let next = ada.get("/").await;
    assert_ne!(form_key(&next.body, r#"action="/api/tasks/create""#), key);
}

#[sqlx::test]
async fn the_same_form_sent_again_with_other_text_adds_that_task_too(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let (_, first) = add(&mut ada, "Buy milk", KEY).await;
    let (status, second) = add(&mut ada, "Buy bread", KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(first["id"], second["id"]);
    assert_eq!(count(&pool, "Buy bread").await, 1);
}

#[sqlx::test]
async fn an_add_that_was_refused_is_done_by_its_retry(pool: PgPool) {
    let app = TestApp::with_config(pool.clone(), &[("TASK_QUOTA", "1")]);
    let mut ada = app.signed_up("ada@example.com").await;
    let (_, old) = add(&mut ada, "An old task", "an0therF0rmsKey99").await;
    let (status, _) = add(&mut ada, "Buy milk", KEY).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let id = old["id"].to_string();
    ada.call("/api/tasks/delete", &[("id", &id)]).await;
    // Nothing of the refused attempt was kept, its key included.
    let (status, _) = add(&mut ada, "Buy milk", KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&pool, "Buy milk").await, 1);
}

#[sqlx::test]
async fn one_persons_key_is_nothing_to_another(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let mut bob = app.signed_up("bob@example.com").await;
    let (_, adas) = add(&mut ada, "Buy milk", KEY).await;
    let (status, bobs) = add(&mut bob, "Buy milk", KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(adas["id"], bobs["id"]);
    assert_eq!(count(&pool, "Buy milk").await, 2);
}

#[sqlx::test]
async fn the_same_import_sent_twice_imports_once_and_answers_both_with_its_count(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let page = ada.get("/account").await;
    let key = form_key(&page.body, r#"action="/api/tasks/import""#);
    let file = r#"{"format":"tasklist/v1","tasks":[{"title":"From the file","completed":false},{"title":"Also from it","completed":true}]}"#;
    for _ in 0..2 {
        let answer = ada.send(multipart_import_keyed(file, Some(&key))).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body, "2");
    }
    assert_eq!(count(&pool, "From the file").await, 1);
    assert_eq!(count(&pool, "Also from it").await, 1);
}

#[sqlx::test]
async fn a_malformed_key_is_refused_and_nothing_is_stored(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let (status, _) = add(&mut ada, "Buy milk", "not a key").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, "Buy milk").await, 0);
}

#[sqlx::test]
async fn submissions_are_forgotten_after_a_day(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    add(&mut ada, "Old", "aKeyFromTheDayBefore").await;
    add(&mut ada, "New", KEY).await;
    sqlx::query("UPDATE submissions SET created_at = now() - interval '25 hours' WHERE outcome = (SELECT id FROM tasks WHERE title = 'Old')")
        .execute(&pool)
        .await
        .unwrap();
    tasks::server::sweeper::spawn_sweeper(
        app.state.db.clone(),
        std::time::Duration::from_secs(15 * 60),
        std::time::Duration::from_secs(3600),
    );
    let mut left = 2;
    for _ in 0..100 {
        left = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM submissions")
            .fetch_one(&pool)
            .await
            .unwrap();
        if left == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        left, 1,
        "the day-old submission was not swept, or the new one was"
    );
}
