//! What the server writes for a page in islands mode: only the parts people use
//! ship code and data, each task is one form, and the plain-HTML paths those forms
//! take without JavaScript.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{plain_form_post, TestApp};

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[sqlx::test]
async fn the_list_page_is_one_island_with_one_form_per_task_and_no_resource_data(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    for title in ["One", "Two", "Three"] {
        ada.create_task(title, "").await;
    }
    let page = ada.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert_eq!(count(html, "<li>") + count(html, "<li "), 3);
    // Three tasks, then the new-task form, the search, "Mark all as complete", the
    // theme and "Log out" ("Clear completed" shows only once something is
    // completed).
    assert_eq!(count(html, "<form"), 3 + 5, "{html}");
    assert_eq!(
        count(html, "<leptos-island"),
        1,
        "the list is the page's one island"
    );
    // The island carries its data as props; nothing else is serialized for it.
    assert_eq!(count(html, "data-props="), 1);
    // Leptos declares the resource list on every page; it stays empty.
    assert!(html.contains("__RESOLVED_RESOURCES=[]"), "{html}");
    assert_eq!(count(html, "__RESOLVED_RESOURCES"), 1, "{html}");
}

#[sqlx::test]
async fn pages_without_anything_to_touch_ship_no_island(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut visitor = app.browser();
    let missing = visitor.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&missing.body, "<leptos-island"), 0);
    let login = visitor.get("/login").await;
    assert_eq!(
        count(&login.body, "<leptos-island"),
        1,
        "only the form is an island"
    );
}

#[sqlx::test]
async fn without_javascript_edit_opens_the_title_editor_and_saving_leaves_it(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Walk", "").await["id"].to_string();
    // "Edit" is a GET of the item's form: it sends the item's id as well.
    let editing = ada.get(&format!("/?filter=active&id={id}&edit={id}")).await;
    assert!(
        editing.body.contains(r#"aria-label="Edit title""#),
        "{}",
        editing.body
    );
    let request = plain_form_post(
        "/api/tasks/rename",
        &format!("http://localhost:3000/?filter=active&id={id}&edit={id}"),
        &[("id", &id), ("title", "Run")],
    );
    let response = ada.send(request).await;
    assert_eq!(response.header("location"), Some("/?filter=active"));
}

#[sqlx::test]
async fn a_plain_post_from_a_task_form_carries_the_button_that_sent_it(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Walk", "").await["id"].to_string();
    // The item's form sends its hidden fields (the id, the list's position) to
    // whichever server function the pressed button names, plus that button's value.
    let request = plain_form_post(
        "/api/tasks/set-completed",
        "http://localhost:3000/?filter=active",
        &[("id", &id), ("filter", "active"), ("completed", "true")],
    );
    assert_eq!(ada.send(request).await.status, StatusCode::FOUND);
    let page = ada.list(&[("filter", "completed")]).await;
    assert_eq!(page["tasks"][0]["completed"], true);
    let request = plain_form_post(
        "/api/tasks/delete",
        "http://localhost:3000/?filter=active",
        &[("id", &id), ("filter", "active")],
    );
    assert_eq!(ada.send(request).await.status, StatusCode::FOUND);
    assert_eq!(ada.list(&[]).await["tasks"].as_array().unwrap().len(), 0);
}
