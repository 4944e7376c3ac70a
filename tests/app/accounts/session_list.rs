//! The account page's "Sessions": each live session with its device and times, and
//! signing out one or all of the others.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Browser, TestApp, PASSWORD};

const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A person signed in on a laptop (Chrome on Linux) and a phone (Firefox on Windows).
async fn two_devices(app: &TestApp) -> (Browser, Browser) {
    let mut laptop = app.browser();
    laptop.user_agent = Some(CHROME_ON_LINUX);
    let response = laptop.sign_up("Ada", "ada@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let mut phone = app.browser();
    phone.user_agent = Some(FIREFOX_ON_WINDOWS);
    assert_eq!(
        phone.log_in("ada@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    (laptop, phone)
}

/// The handles of the sessions with a "Sign out" button on the account page.
fn handles(page: &str) -> Vec<String> {
    page.split(r#"name="handle" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

/// The handle in the list item that names `device`.
fn handle_of(page: &str, device: &str) -> String {
    // From the list on: the island's props before it name every session too.
    let list = &page[page
        .find(r#"<ul aria-labelledby="sessions-heading""#)
        .unwrap()..];
    let item = list
        .split("<li")
        .find(|item| item.contains(device))
        .unwrap_or_else(|| panic!("no session on {device}: {page}"));
    handles(item).pop().expect("a Sign out button")
}

async fn end(browser: &mut Browser, handle: &str) -> StatusCode {
    browser
        .call("/api/account/sessions/end", &[("handle", handle)])
        .await
        .status
}

#[sqlx::test]
async fn the_account_page_lists_each_session_with_its_device_and_times_and_marks_this_one(
    pool: PgPool,
) {
    let app = TestApp::new(pool);
    let (mut laptop, phone) = two_devices(&app).await;
    let page = laptop.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains(r#"<ul aria-labelledby="sessions-heading""#),
        "{body}"
    );
    let laptop_at = body.find("Chrome on Linux").expect("the laptop is listed");
    let phone_at = body
        .find("Firefox on Windows 10")
        .expect("the phone is listed");
    assert!(laptop_at < phone_at, "this device comes first");
    assert_eq!(body.matches("This device").count(), 1, "{body}");
    assert!(body.matches("<time datetime=").count() >= 4, "{body}");
    assert_eq!(
        handles(body).len(),
        1,
        "only the other session has Sign out"
    );
    for cookie in [laptop.session_cookie(), phone.session_cookie()] {
        assert!(
            !body.contains(&cookie.unwrap()),
            "a session id (the cookie's secret) is on the page"
        );
    }
}

#[sqlx::test]
async fn signing_out_another_session_ends_that_one_only(pool: PgPool) {
    let app = TestApp::new(pool);
    let (mut laptop, mut phone) = two_devices(&app).await;
    let mut tablet = app.browser();
    tablet.log_in("ada@example.com", PASSWORD).await;
    let page = laptop.get("/account").await;
    let phone_handle = handle_of(&page.body, "Firefox on Windows 10");
    assert_eq!(end(&mut laptop, &phone_handle).await, StatusCode::OK);
    assert_eq!(phone.whoami().await, None, "the phone is signed out");
    assert!(tablet.whoami().await.is_some(), "the tablet is not");
    assert!(laptop.whoami().await.is_some(), "nor is the laptop");
}

#[sqlx::test]
async fn nobody_can_end_another_persons_session(pool: PgPool) {
    let app = TestApp::new(pool);
    let (mut laptop, mut phone) = two_devices(&app).await;
    let phone_handle = handles(&laptop.get("/account").await.body).remove(0);
    let mut mallory = app.signed_up("mallory@example.com").await;
    // Answered like any ending of a session that is already gone.
    assert_eq!(end(&mut mallory, &phone_handle).await, StatusCode::OK);
    assert!(
        phone.whoami().await.is_some(),
        "someone else's session ended"
    );
}

#[sqlx::test]
async fn sign_out_all_other_sessions_keeps_only_this_one(pool: PgPool) {
    let app = TestApp::new(pool);
    let (mut laptop, mut phone) = two_devices(&app).await;
    let mut tablet = app.browser();
    tablet.log_in("ada@example.com", PASSWORD).await;
    let response = laptop.call("/api/account/sessions/end-others", &[]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(phone.whoami().await, None);
    assert_eq!(tablet.whoami().await, None);
    assert!(laptop.whoami().await.is_some());
    let page = laptop.get("/account").await;
    assert!(handles(&page.body).is_empty(), "{}", page.body);
}

#[sqlx::test]
async fn a_session_from_before_a_password_change_is_not_listed(pool: PgPool) {
    let app = TestApp::new(pool);
    let (mut laptop, _phone) = two_devices(&app).await;
    // The state a log-in racing a password change can leave: the phone's row is
    // still there, but holds the old epoch. It is dead, so it is not listed.
    sqlx::query("UPDATE users SET auth_epoch = auth_epoch + 1")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE sessions SET data = jsonb_set(data, '{auth_epoch}', to_jsonb(1)) WHERE id = $1",
    )
    .bind(laptop.session_cookie().unwrap())
    .execute(&app.pool)
    .await
    .unwrap();
    let page = laptop.get("/account").await;
    assert!(page.body.contains("Chrome on Linux"), "{}", page.body);
    assert!(!page.body.contains("Firefox"), "{}", page.body);
}
