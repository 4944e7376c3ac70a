//! The theme: chosen with a plain form post (no JavaScript needed), kept in a cookie,
//! and rendered by the server from the first byte.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{plain_form_post, Browser, TestApp};

async fn choose(browser: &mut Browser, theme: &str) -> crate::helpers::TestResponse {
    browser
        .send(plain_form_post(
            "/api/theme",
            "http://localhost:3000/login?next=%2Faccount",
            &[("theme", theme)],
        ))
        .await
}

#[sqlx::test]
async fn without_a_choice_the_page_follows_the_system(pool: PgPool) {
    let app = TestApp::new(pool);
    let page = app.browser().get("/login").await;
    assert!(page.body.contains(r#"<html lang="en">"#), "{}", page.body);
    assert!(page
        .body
        .contains(r#"<meta name="color-scheme" content="light dark">"#));
    assert!(page
        .body
        .contains(r#"media="(prefers-color-scheme: dark)""#));
    assert!(
        page.body.contains(r#"<option value="system" selected"#),
        "{}",
        page.body
    );
}

#[sqlx::test]
async fn a_chosen_theme_is_remembered_and_rendered_from_the_first_byte(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let chosen = choose(&mut browser, "dark").await;
    assert!(chosen.status.is_redirection(), "{}", chosen.body);
    // Back to the page it was chosen on, signed in or not.
    assert_eq!(chosen.header("location"), Some("/login?next=%2Faccount"));
    let cookie = chosen
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("theme="))
        .expect("the theme cookie")
        .to_owned();
    assert!(
        cookie.contains("Max-Age=31536000") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let page = browser.get("/login").await;
    assert!(
        page.body.contains(r#"<html lang="en" data-theme="dark">"#),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(r#"<meta name="color-scheme" content="dark">"#));
    assert!(page.body.contains(r#"<option value="dark" selected"#));

    choose(&mut browser, "system").await;
    let page = browser.get("/login").await;
    assert!(page.body.contains(r#"<html lang="en">"#));
}

#[sqlx::test]
async fn a_theme_that_does_not_exist_is_refused_and_the_choice_kept(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    choose(&mut browser, "light").await;
    let refused = browser.call("/api/theme", &[("theme", "blue")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("System, Light or Dark"),
        "{}",
        refused.body
    );
    assert!(refused
        .set_cookies()
        .iter()
        .all(|c| !c.starts_with("theme=")));
    let page = browser.get("/login").await;
    assert!(page.body.contains(r#"data-theme="light""#));
}

#[sqlx::test]
async fn over_https_the_theme_cookie_is_host_only_and_secure(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SERVED_OVER_HTTPS", "true")]);
    let mut browser = app.browser();
    let chosen = browser.call("/api/theme", &[("theme", "dark")]).await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    let cookie = chosen
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-theme=dark"))
        .expect("a __Host- cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let page = browser.get("/login").await;
    assert!(page.body.contains(r#"data-theme="dark""#));
}
