//! Log-in throttling per account and per client address.

use axum::http::{header, StatusCode};
use sqlx::PgPool;

use crate::helpers::{form_body, TestApp, PASSWORD};

#[sqlx::test]
async fn failed_log_ins_are_throttled_per_account_until_the_window_ends(pool: PgPool) {
    let app = TestApp::with_config(
        pool,
        &[
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
            ("LOGIN_THROTTLE_WINDOW", "15m"),
        ],
    );
    app.signed_up("ada@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            app.log_in_status("ada@example.com", "wrong password!!")
                .await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits: the attacker must not learn it is right.
    let refused = app.browser().log_in("ada@example.com", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body.contains("Please wait 15 minutes"),
        "{}",
        refused.body
    );
    assert!(refused.header("retry-after").is_some());
    // The window ends: its start moves a whole window into the past.
    sqlx::query(
        "UPDATE login_throttle SET window_started_at = window_started_at - interval '15 minutes'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_successful_log_in_resets_the_accounts_failures(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]);
    app.signed_up("ada@example.com").await;
    app.fail_log_ins("ada@example.com", 2).await;
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
    app.fail_log_ins("ada@example.com", 2).await;
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn failed_log_ins_are_throttled_per_client_address_across_accounts(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ADDRESS", "4")]);
    for i in 0..4 {
        let status = app
            .log_in_status(&format!("guess{i}@example.com"), "wrong password!!")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let refused = app
        .browser()
        .log_in("another@example.com", "wrong password!!")
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let mut elsewhere = app.browser();
    elsewhere.address = "10.0.0.9:5000".parse().unwrap();
    assert_eq!(
        elsewhere
            .log_in("another@example.com", "wrong password!!")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]);
    app.signed_up("ada@example.com").await;
    let guesses = (0..12).map(|i| {
        let mut browser = app.browser();
        async move {
            browser
                .log_in("ada@example.com", &format!("guess number {i:02}"))
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (3, 9), "{statuses:?}");
}

#[sqlx::test]
async fn behind_trusted_proxies_the_forwarded_address_is_throttled_and_otherwise_ignored(
    pool: PgPool,
) {
    let forwarded_from = |address: &'static str| {
        move |email: String| {
            axum::http::Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                // Only the last hop is the proxy's word; the rest is the client's.
                .header("x-forwarded-for", format!("203.0.113.50, {address}"))
                .body(form_body(&[
                    ("email", &email),
                    ("password", "wrong password!!"),
                ]))
                .unwrap()
        }
    };
    // The test browser's peer address is 127.0.0.1: the proxy.
    for ((setting, trusted), expected_after_limit) in [
        (
            ("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            ("TRUSTED_PROXIES", "10.0.0.0/8"),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        // Deprecated, still honoured.
        (("TRUST_FORWARDED_FOR", "true"), StatusCode::UNAUTHORIZED),
        (
            ("TRUST_FORWARDED_FOR", "false"),
            StatusCode::TOO_MANY_REQUESTS,
        ),
    ] {
        let app = TestApp::with_config(
            pool.clone(),
            &[(setting, trusted), ("LOGIN_MAX_FAILURES_PER_ADDRESS", "2")],
        );
        sqlx::query("DELETE FROM login_throttle")
            .execute(&pool)
            .await
            .unwrap();
        // Two failures from one client behind the proxy (one TCP peer for all).
        for i in 0..2 {
            let request = forwarded_from("198.51.100.7")(format!("guess{i}@example.com"));
            let status = app.browser().send(request).await.status;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{setting}={trusted}");
        }
        // Another client through the same proxy: its own budget only when the
        // header is trusted; untrusted, everyone shares the proxy's address.
        let request = forwarded_from("198.51.100.8")("other@example.com".to_owned());
        let status = app.browser().send(request).await.status;
        assert_eq!(status, expected_after_limit, "{setting}={trusted}");
    }
}

#[sqlx::test]
async fn sign_ups_from_one_address_are_limited_per_hour(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SIGNUP_MAX_PER_ADDRESS", "3")]);
    for i in 0..3 {
        app.signed_up(&format!("person{i}@example.com")).await;
    }
    let refused = app
        .browser()
        .sign_up("Eve", "eve@example.com", PASSWORD)
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("Please wait"), "{}", refused.body);
    let mut elsewhere = app.browser();
    elsewhere.address = "10.0.0.9:5000".parse().unwrap();
    let response = elsewhere.sign_up("Eve", "eve@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}

#[sqlx::test]
async fn a_flood_of_sign_ups_does_not_hold_up_a_log_in(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("PASSWORD_HASH_CONCURRENCY", "1")]);
    app.signed_up("ada@example.com").await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    const FLOOD: usize = 24;
    let sign_ups: Vec<_> = (0..FLOOD)
        .map(|i| {
            let mut browser = app.browser();
            // From many addresses, as a botnet would: past the per-address limit.
            browser.address = format!("10.0.{}.{}:5000", i / 200, i % 200 + 1)
                .parse()
                .unwrap();
            let done = std::sync::Arc::clone(&done);
            tokio::spawn(async move {
                let status = browser
                    .sign_up("Bot", &format!("bot{i}@example.com"), PASSWORD)
                    .await
                    .status;
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                status
            })
        })
        .collect();
    // Once one sign-up has hashed, the rest (whose work before hashing takes
    // milliseconds) are queued for the one hashing slot.
    while done.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let status = app.log_in_status("ada@example.com", PASSWORD).await;
    let finished_first = done.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(status, StatusCode::OK);
    assert!(
        finished_first <= 4,
        "the log-in waited for {finished_first} of {FLOOD} sign-ups"
    );
    for sign_up in sign_ups {
        assert_eq!(sign_up.await.unwrap(), StatusCode::OK);
    }
}
