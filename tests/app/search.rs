//! Search: words and word prefixes in titles and descriptions, ignoring case and
//! accents, within the filter, a page at a time, and only ever the person's own.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{titles, Browser, TestApp};

async fn person_with_tasks(app: &TestApp, email: &str) -> Browser {
    let mut browser = app.signed_up(email).await;
    for (title, description) in [
        ("Café au lait", ""),
        ("Buy MILK", "two litres"),
        ("Invoice 2026 for ACME", ""),
        ("Recipes", "A milkshake with bananas"),
        ("Déjà vu", "again"),
    ] {
        browser.create_task(title, description).await;
    }
    browser
}

async fn search(browser: &mut Browser, params: &[(&str, &str)]) -> serde_json::Value {
    browser.list(params).await
}

#[sqlx::test]
async fn words_and_their_beginnings_match_whatever_the_case_and_accents(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = person_with_tasks(&app, "ada@example.com").await;
    let found = search(&mut ada, &[("q", "milk")]).await;
    assert_eq!(titles(&found), ["Recipes", "Buy MILK"]);
    assert_eq!(found["matching"], 2);
    assert_eq!(
        titles(&search(&mut ada, &[("q", "CAFE")]).await),
        ["Café au lait"]
    );
    assert_eq!(
        titles(&search(&mut ada, &[("q", "deja")]).await),
        ["Déjà vu"]
    );
    assert_eq!(
        titles(&search(&mut ada, &[("q", "inv acme")]).await),
        ["Invoice 2026 for ACME"]
    );
    // Every word must match, in the title or the description.
    assert_eq!(
        titles(&search(&mut ada, &[("q", "milkshake bananas")]).await),
        ["Recipes"]
    );
    assert!(titles(&search(&mut ada, &[("q", "milk acme")]).await).is_empty());
    // A word inside another is not the beginning of one.
    assert!(titles(&search(&mut ada, &[("q", "ilk")]).await).is_empty());
}

#[sqlx::test]
async fn dates_numbers_and_addresses_are_found_as_they_were_written(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("Pay invoice 2026-01-15", "12.50 EUR to bob@example.com")
        .await;
    ada.create_task("Something else", "").await;
    for q in ["2026-01-15", "12.50", "bob@example.com", "bob", "inv 2026"] {
        let found = search(&mut ada, &[("q", q)]).await;
        assert_eq!(titles(&found), ["Pay invoice 2026-01-15"], "{q}");
    }
}

#[sqlx::test]
async fn a_search_keeps_to_the_filter_and_counts_what_matches_there(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = person_with_tasks(&app, "ada@example.com").await;
    let milk = search(&mut ada, &[("q", "buy milk")]).await["tasks"][0]["id"].to_string();
    ada.call(
        "/api/tasks/set-completed",
        &[("id", &milk), ("completed", "true")],
    )
    .await;
    let active = search(&mut ada, &[("q", "milk"), ("filter", "active")]).await;
    assert_eq!(titles(&active), ["Recipes"]);
    assert_eq!(active["matching"], 1);
    let done = search(&mut ada, &[("q", "milk"), ("filter", "completed")]).await;
    assert_eq!(titles(&done), ["Buy MILK"]);
    // The counter still counts every task.
    assert_eq!(done["active_count"], 4);
}

#[sqlx::test]
async fn search_results_come_a_page_at_a_time(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    for n in 1..=60 {
        ada.create_task(&format!("Report {n}"), "").await;
        if n % 10 == 0 {
            ada.create_task(&format!("Other {n}"), "").await;
        }
    }
    let first = search(&mut ada, &[("q", "report")]).await;
    assert_eq!(first["matching"], 60);
    assert_eq!(titles(&first).len(), 50);
    assert_eq!(titles(&first)[0], "Report 60");
    let next = first["next"].to_string();
    let second = search(&mut ada, &[("q", "report"), ("after", &next)]).await;
    assert_eq!(titles(&second).len(), 10);
    assert_eq!(titles(&second)[9], "Report 1");
    assert_eq!(second["next"], serde_json::Value::Null);
    let previous = second["previous"].to_string();
    let back = search(&mut ada, &[("q", "report"), ("before", &previous)]).await;
    assert_eq!(titles(&back), titles(&first));
}

#[sqlx::test]
async fn nobody_elses_tasks_are_ever_found(pool: PgPool) {
    let app = TestApp::new(pool);
    person_with_tasks(&app, "ada@example.com").await;
    let mut bob = app.signed_up("bob@example.com").await;
    bob.create_task("Bob's milk", "").await;
    let found = search(&mut bob, &[("q", "milk")]).await;
    assert_eq!(titles(&found), ["Bob's milk"]);
    assert_eq!(found["matching"], 1);
}

#[sqlx::test]
async fn query_syntax_in_the_box_is_only_text(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = person_with_tasks(&app, "ada@example.com").await;
    for q in ["milk & !", "|| :* <-> (", "'milk'", "\\", "!!!"] {
        let response = ada.query("/api/tasks/list", &[("q", q)]).await;
        assert_eq!(response.status, StatusCode::OK, "{q}: {}", response.body);
    }
    // Nothing but punctuation is no search at all: the whole list.
    let all = search(&mut ada, &[("q", "!!!")]).await;
    assert_eq!(titles(&all).len(), 5);
    assert_eq!(all["matching"], serde_json::Value::Null);
}

#[sqlx::test]
async fn a_search_too_long_says_what_to_fix(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let response = ada
        .query("/api/tasks/list", &[("q", &"a".repeat(201))])
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("at most 200"), "{}", response.body);
}

#[sqlx::test]
async fn the_results_page_works_without_javascript_and_keeps_the_search_in_its_links(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = person_with_tasks(&app, "ada@example.com").await;
    let page = ada.get("/?q=milk&filter=active").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(html.contains(r#"role="search""#), "{html}");
    assert!(
        html.contains(r#"name="q""#) && html.contains(r#"value="milk""#),
        "{html}"
    );
    assert!(html.contains("2 matching tasks"), "{html}");
    assert!(
        html.contains(r#"href="/?q=milk""#),
        "the All filter keeps the search: {html}"
    );
    assert!(
        html.contains(r#"href="/?filter=completed&amp;q=milk""#),
        "{html}"
    );

    let none = ada.get("/?q=zebra").await;
    assert!(none.body.contains("No tasks match"), "{}", none.body);
    assert!(none.body.contains("0 matching tasks"));
}
