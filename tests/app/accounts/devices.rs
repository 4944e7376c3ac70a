//! Lock-outs that cannot be used against the owner: trusted-device cookies (OWASP)
//! and a counter per session for the password typed again while signed in.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{TestApp, PASSWORD};

const EMAIL: &str = "ada@example.com";

/// An account allowing 3 failures from strangers and 3 per trusted device.
fn app(pool: PgPool) -> TestApp {
    TestApp::with_config(
        pool,
        &[
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
            ("LOGIN_MAX_FAILURES_PER_DEVICE", "3"),
        ],
    )
}

#[sqlx::test]
async fn a_strangers_guesses_never_lock_out_a_device_that_signed_in_before(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    laptop.log_out().await;
    // Strangers keep the account-wide budget spent ...
    app.fail_log_ins(EMAIL, 3).await;
    assert_eq!(
        app.log_in_status(EMAIL, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a stranger's browser is held back"
    );
    // ... and the owner's laptop, which presents its device cookie, gets in.
    let response = laptop.log_in(EMAIL, PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}

#[sqlx::test]
async fn a_trusted_devices_own_failures_are_limited_on_that_device_only(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    let mut phone = app.browser();
    assert_eq!(phone.log_in(EMAIL, PASSWORD).await.status, StatusCode::OK);
    laptop.log_out().await;
    phone.log_out().await;
    for _ in 0..3 {
        assert_eq!(
            laptop.log_in(EMAIL, "wrong password!!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        laptop.log_in(EMAIL, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(phone.log_in(EMAIL, PASSWORD).await.status, StatusCode::OK);
    assert_eq!(
        app.log_in_status(EMAIL, PASSWORD).await,
        StatusCode::OK,
        "nor did the laptop's failures count against the account"
    );
}

#[sqlx::test]
async fn a_device_cookie_vouches_for_its_own_account_only(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    app.signed_up("bob@example.com").await;
    app.fail_log_ins("bob@example.com", 3).await;
    laptop.log_out().await;
    assert_eq!(
        laptop.log_in("bob@example.com", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test]
async fn a_made_up_or_copied_and_retired_device_cookie_earns_no_trust(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    let first = laptop.cookies["device"].clone();
    laptop.log_out().await;
    // Each log-in rotates the token: the one the laptop held before is retired.
    assert_eq!(laptop.log_in(EMAIL, PASSWORD).await.status, StatusCode::OK);
    assert_ne!(laptop.cookies["device"], first);
    app.fail_log_ins(EMAIL, 3).await;
    for token in [first, "A".repeat(43)] {
        let mut stranger = app.browser();
        stranger.cookies.insert("device".into(), token);
        assert_eq!(
            stranger.log_in(EMAIL, PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}

#[sqlx::test]
async fn the_device_cookie_is_long_lived_http_only_strict_and_host_only(pool: PgPool) {
    let app = app(pool.clone());
    let response = app.browser().sign_up("Ada", EMAIL, PASSWORD).await;
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("device="))
        .expect("a device cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=31536000"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    let https = TestApp::with_config(pool, &[("SERVED_OVER_HTTPS", "true")]);
    let response = https
        .browser()
        .sign_up("Bob", "bob@example.com", PASSWORD)
        .await;
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-device="))
        .expect("a __Host- device cookie over HTTPS")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[sqlx::test]
async fn a_strangers_guesses_do_not_stop_the_signed_in_owner_changing_the_password(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    app.fail_log_ins(EMAIL, 5).await;
    let response = laptop
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}

#[sqlx::test]
async fn wrong_current_passwords_are_limited_per_session(pool: PgPool) {
    let app = app(pool);
    let mut laptop = app.signed_up(EMAIL).await;
    let mut phone = app.browser();
    phone.log_in(EMAIL, PASSWORD).await;
    for _ in 0..3 {
        let status = laptop
            .change_password("wrong password!!", "a brand new passphrase")
            .await
            .status;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = laptop
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let response = phone
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}
