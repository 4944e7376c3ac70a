//! Requests the account server functions refuse: cross-site, anonymous, GET, oversized.

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use sqlx::PgPool;

use super::user_count;
use crate::helpers::{form_body, form_request, TestApp, PASSWORD};

#[sqlx::test]
async fn cross_site_posts_are_refused_and_same_origin_posts_pass(pool: PgPool) {
    let app = TestApp::new(pool);
    let fields = [
        ("name", "Ada"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
    ];
    let attempts = [
        (
            vec![("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (vec![("sec-fetch-site", "same-site")], StatusCode::FORBIDDEN),
        (
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            vec![("referer", "https://evil.example/page")],
            StatusCode::FORBIDDEN,
        ),
        (vec![("origin", "null")], StatusCode::FORBIDDEN),
    ];
    for (headers, expected) in attempts {
        let mut request = form_request("/api/signup").header(header::ACCEPT, "application/json");
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = app
            .browser()
            .send(request.body(form_body(&fields)).unwrap())
            .await;
        assert_eq!(response.status, expected, "{headers:?}");
        assert!(
            response.body.contains("another website"),
            "{}",
            response.body
        );
    }
    assert_eq!(
        user_count(&app.pool).await,
        0,
        "no refused request changed anything"
    );

    let same_origin = form_request("/api/signup")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, "http://localhost:3000")
        .body(form_body(&fields))
        .unwrap();
    assert_eq!(app.browser().send(same_origin).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn a_protected_server_function_without_a_session_answers_401_and_changes_nothing(
    pool: PgPool,
) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let response = app
        .browser()
        .call("/api/account/name", &[("name", "Mallory")])
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(response.body.contains("log in"), "{}", response.body);
    let name: String = sqlx::query_scalar("SELECT name FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Test Person");
}

#[sqlx::test]
async fn state_changing_server_functions_refuse_get(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    for path in [
        "/api/logout",
        "/api/account/delete",
        "/api/signup",
        "/api/login",
    ] {
        let response = browser
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert!(browser.whoami().await.is_some());
}

#[sqlx::test]
async fn an_oversized_request_body_is_refused_with_413(pool: PgPool) {
    let app = TestApp::new(pool);
    let huge = "x".repeat(3 * 1024 * 1024);
    let request = form_request("/api/signup")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_LENGTH, huge.len() + 5)
        .body(Body::from(format!("name={huge}")))
        .unwrap();
    assert_eq!(
        app.browser().send(request).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(user_count(&app.pool).await, 0);
}

#[sqlx::test]
async fn a_password_longer_than_72_bytes_needs_every_byte(pool: PgPool) {
    // bcrypt reads only the first 72 bytes of a password; argon2 reads them all.
    let app = TestApp::new(pool);
    let long = format!(
        "{}{}",
        "a passphrase of many words, ".repeat(3),
        "and the end"
    );
    assert!(long.len() > 72 && long.chars().count() <= 128);
    let response = app.browser().sign_up("Ada", "ada@example.com", &long).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let prefix: String = long.chars().take(72).collect();
    assert_eq!(
        app.log_in_status("ada@example.com", &prefix).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in_status("ada@example.com", &long).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_log_in_password_longer_than_any_password_gets_the_generic_answer(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let response = app
        .browser()
        .log_in("ada@example.com", &"x".repeat(100_000))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(
        response.body.contains("Invalid email or password."),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn an_unknown_email_and_a_wrong_password_take_the_same_time(pool: PgPool) {
    // Statistical, not one timing: 30 of each, interleaved, compared by median.
    // Without the dummy hash an unknown email answers in a few milliseconds and a
    // wrong password after a whole argon2 hash, tens of times longer.
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ADDRESS", "1000")]);
    app.signed_up("ada@example.com").await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..30 {
        for (email, times) in [
            ("ada@example.com", &mut known),
            ("nobody@example.com", &mut unknown),
        ] {
            let mut browser = app.browser();
            // Past each account's limit of 10 failures, throttling would answer.
            browser.address = format!("10.1.{}.{}:5000", i, times.len()).parse().unwrap();
            sqlx::query("DELETE FROM login_throttle WHERE key LIKE 'account:%'")
                .execute(&app.pool)
                .await
                .unwrap();
            let started = std::time::Instant::now();
            let status = browser.log_in(email, "wrong password!!").await.status;
            times.push(started.elapsed().as_secs_f64());
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    let ratio = unknown / known;
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown email {unknown:.4}s, wrong password {known:.4}s (ratio {ratio:.2})"
    );
}

#[sqlx::test]
async fn an_idle_expired_session_the_sweeper_has_not_removed_is_refused(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.whoami().await, None);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        rows >= 1,
        "the row is still there: only the check refused it"
    );
}

#[sqlx::test]
async fn a_malformed_session_cookie_is_anonymous(pool: PgPool) {
    let app = TestApp::new(pool);
    for junk in ["", "x", "not base64 !!", &"A".repeat(500), "%00%ff"] {
        let mut browser = app.browser();
        browser.cookies.insert("session".into(), junk.to_owned());
        assert_eq!(browser.whoami().await, None, "{junk:?}");
        let page = browser.get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "{junk:?}");
    }
}

#[sqlx::test]
async fn the_sweeper_survives_the_database_going_away_and_coming_back(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    app.signed_up("ada@example.com").await;
    // The sessions table "goes away" (as with the database down, every statement
    // on it fails), the sweeper runs and fails, and then it is back.
    sqlx::query("ALTER TABLE sessions RENAME TO sessions_away")
        .execute(&pool)
        .await
        .unwrap();
    tasks::server::sweeper::spawn_sweeper(
        tasks::db::Db::new(pool.clone(), false),
        std::time::Duration::from_secs(15 * 60),
        std::time::Duration::from_millis(50),
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sqlx::query("ALTER TABLE sessions_away RENAME TO sessions")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    let mut left = 1;
    for _ in 0..100 {
        left = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sessions")
            .fetch_one(&pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(left, 0, "the sweeper stopped at its first failure");
}

#[sqlx::test]
async fn the_most_common_passwords_are_refused_on_sign_up_and_change_with_why(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app
        .browser()
        .sign_up("Ada", "ada@example.com", "password1234")
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("too easy to guess") && response.body.contains("common"),
        "{}",
        response.body
    );
    assert_eq!(user_count(&app.pool).await, 0);

    let mut ada = app.signed_up("ada@example.com").await;
    let response = ada.change_password(PASSWORD, "qwertyuiop123").await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("new_password"), "{}", response.body);
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
    // Reset: see accounts::reset.
}

#[sqlx::test]
async fn with_a_public_origin_a_post_without_fetch_metadata_must_come_from_it(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("PUBLIC_ORIGIN", "https://tasks.example.com")]);
    let post_from = |origin: &str| {
        form_request("/api/signup")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, origin)
            .body(form_body(&[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ]))
            .unwrap()
    };
    // The Host header (localhost:3000 here) no longer decides: PUBLIC_ORIGIN does.
    for foreign in [
        "http://localhost:3000",
        "http://tasks.example.com",
        "https://tasks.example.com:8443",
    ] {
        let response = app.browser().send(post_from(foreign)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{foreign}");
    }
    let response = app
        .browser()
        .send(post_from("https://tasks.example.com"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
}
