//! Accounts and sessions: sign up, log in, log out, settings, and the defences
//! around them (throttling, CSRF, session lifetime), through the real router.

use std::time::Duration;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use sqlx::PgPool;
use tasks::auth::ssr::PgSessionStore;
use tower_sessions::{session::Id, SessionStore};

use crate::helpers::{form_body, form_request, plain_form_post, TestApp, PASSWORD};

async fn user_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn signing_up_signs_the_person_in_and_stores_an_argon2id_hash(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let response = browser
        .sign_up("  Ada Lovelace ", " Ada@Example.com ", PASSWORD)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
    let (name, hash): (String, String) = sqlx::query_as("SELECT name, password_hash FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Ada Lovelace");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_lax_and_host_only(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app
        .browser()
        .sign_up("Ada", "ada@example.com", PASSWORD)
        .await;
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Domain") && !cookie.contains("Secure"),
        "{cookie}"
    );
}

#[sqlx::test]
async fn the_session_cookie_is_secure_when_served_over_https(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SERVED_OVER_HTTPS", "true")]);
    let response = app
        .browser()
        .sign_up("Ada", "ada@example.com", PASSWORD)
        .await;
    assert!(response
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("session=") && c.contains("Secure")));
    assert!(response.header("strict-transport-security").is_some());
}

#[sqlx::test]
async fn sign_up_explains_each_invalid_field(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let cases = [
        ("", "ada@example.com", PASSWORD, "Enter your name."),
        ("Ada", "not-an-email", PASSWORD, "valid email"),
        ("Ada", "ada@example.com", "short", "at least 12 characters"),
        (
            "Ada",
            "ada@example.com",
            &"p".repeat(129),
            "at most 128 characters",
        ),
    ];
    for (name, email, password, expected) in cases {
        let response = browser.sign_up(name, email, password).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}"
        );
        assert!(
            response.body.contains(expected),
            "{expected}: {}",
            response.body
        );
    }
    assert_eq!(user_count(&app.pool).await, 0);
}

#[sqlx::test]
async fn signing_up_with_a_registered_email_says_so(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let response = app
        .browser()
        .sign_up("Other", "ADA@example.com", PASSWORD)
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(
        response.body.contains("already exists"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn twenty_concurrent_sign_ups_with_one_email_create_one_account(pool: PgPool) {
    let app = TestApp::new(pool);
    let attempts = (0..20).map(|i| {
        let mut browser = app.browser();
        async move {
            browser
                .sign_up(&format!("Person {i}"), "race@example.com", PASSWORD)
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert_eq!(user_count(&app.pool).await, 1);
}

#[sqlx::test]
async fn logging_out_and_in_again_works(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    assert_eq!(browser.log_out().await.status, StatusCode::OK);
    assert_eq!(browser.whoami().await, None);
    let response = browser.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body, "\"/\"");
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
}

#[sqlx::test]
async fn wrong_password_and_unknown_email_get_identical_answers(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    let wrong_password = app
        .browser()
        .log_in("ada@example.com", "not the right password")
        .await;
    let unknown_email = app
        .browser()
        .log_in("nobody@example.com", "not the right password")
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.status, unknown_email.status);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert!(wrong_password.body.contains("Invalid email or password."));
    assert_eq!(wrong_password.set_cookies(), unknown_email.set_cookies());
}

#[sqlx::test]
async fn logging_in_issues_a_new_session_id_and_retires_the_old_one(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    let before = browser.session_cookie().unwrap();
    browser.log_in("ada@example.com", PASSWORD).await;
    let after = browser.session_cookie().unwrap();
    assert_ne!(before, after);
    let mut old = app.browser();
    old.cookies.insert("session".into(), before);
    assert_eq!(old.whoami().await, None);
}

#[sqlx::test]
async fn a_cookie_saved_before_log_out_is_anonymous_after_it(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    let saved = browser.session_cookie().unwrap();
    browser.log_out().await;
    let mut replay = app.browser();
    replay.cookies.insert("session".into(), saved);
    assert_eq!(replay.whoami().await, None);
    let response = replay
        .call("/api/account/name", &[("name", "Mallory")])
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn a_request_still_running_at_log_out_cannot_bring_the_session_back(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    let mut browser = app.signed_up("ada@example.com").await;
    let id: Id = browser.session_cookie().unwrap().parse().unwrap();
    let store = PgSessionStore::new(tasks::db::Db::new(pool.clone(), false));
    // What a slow request loaded before log out, and saves after it.
    let mut record = store.load(&id).await.unwrap().expect("the session exists");
    browser.log_out().await;
    record.data.insert("seen_at".into(), serde_json::json!(0));
    store.save(&record).await.unwrap();
    assert!(store.load(&id).await.unwrap().is_none());
}

#[sqlx::test]
async fn changing_the_password_ends_every_other_session(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut laptop = app.signed_up("ada@example.com").await;
    let mut phone = app.browser();
    phone.log_in("ada@example.com", PASSWORD).await;
    assert!(phone.whoami().await.is_some());

    let wrong = laptop
        .change_password("wrong password!", "a brand new passphrase")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        phone.whoami().await.is_some(),
        "a failed change ends nothing"
    );

    let response = laptop
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(laptop.whoami().await.as_deref(), Some("ada@example.com"));
    assert_eq!(phone.whoami().await, None);
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", "a brand new passphrase")
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn updating_the_name_shows_in_the_header(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    let response = browser
        .call("/api/account/name", &[("name", "  Countess Ada ")])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let page = browser.get("/account").await;
    assert!(page.body.contains("Countess Ada"));
}

#[sqlx::test]
async fn deleting_the_account_deletes_its_tasks_and_signs_out(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    sqlx::query("INSERT INTO tasks (user_id, title) SELECT id, 'Mine' FROM users")
        .execute(&app.pool)
        .await
        .unwrap();
    let wrong = browser
        .call(
            "/api/account/delete",
            &[("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(user_count(&app.pool).await, 1);

    let response = browser
        .call("/api/account/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(user_count(&app.pool).await, 0);
    let tasks: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tasks, 0);
    assert_eq!(browser.whoami().await, None);
}

#[sqlx::test]
async fn a_deactivated_persons_session_is_rejected(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    sqlx::query("UPDATE users SET is_active = false")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.whoami().await, None);
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SESSION_ABSOLUTE_LIFETIME", "1s")]);
    let mut browser = app.signed_up("ada@example.com").await;
    assert!(browser.whoami().await.is_some());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(browser.whoami().await, None);
}

#[sqlx::test]
async fn using_a_session_pushes_its_idle_expiry_forward(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    // Pretend the last activity was two days ago.
    sqlx::query(
        "UPDATE sessions SET expires_at = now() + interval '12 days',
                             data = jsonb_set(data, '{seen_at}', to_jsonb(extract(epoch from now())::bigint - 172800))",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert!(browser.whoami().await.is_some());
    let remaining: f64 =
        sqlx::query_scalar("SELECT extract(epoch from expires_at - now())::float8 FROM sessions")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        remaining > 13.9 * 86400.0,
        "expiry was not extended: {remaining} s left"
    );
}

#[sqlx::test]
async fn a_saved_session_holds_the_persons_id_but_not_their_name_or_email(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    // Stale activity, so the next request loads the session (with the person) and
    // saves it again.
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{seen_at}', '0')")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(browser.whoami().await.is_some());
    let (data, seen_at): (String, i64) =
        sqlx::query_as("SELECT data::text, (data->>'seen_at')::bigint FROM sessions")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(seen_at > 0, "the session was not saved again: {data}");
    assert!(data.contains("user_id"), "{data}");
    assert!(
        !data.contains("ada@example.com") && !data.contains("_person"),
        "the person was stored with the session: {data}"
    );
}

#[sqlx::test]
async fn expired_sessions_are_deleted_by_the_sweep(pool: PgPool) {
    use tower_sessions::ExpiredDeletion;
    let app = TestApp::new(pool.clone());
    app.signed_up("ada@example.com").await;
    app.signed_up("bob@example.com").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = 'ada@example.com')")
        .execute(&pool)
        .await
        .unwrap();
    PgSessionStore::new(tasks::db::Db::new(pool.clone(), false))
        .delete_expired()
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

#[sqlx::test]
async fn failed_log_ins_are_throttled_per_account_until_the_window_ends(pool: PgPool) {
    let app = TestApp::with_config(
        pool,
        &[
            ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3"),
            ("LOGIN_THROTTLE_WINDOW", "3s"),
        ],
    );
    app.signed_up("ada@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            app.browser()
                .log_in("ada@example.com", "wrong password!!")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits: the attacker must not learn it is right.
    let refused = app.browser().log_in("ada@example.com", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.body.contains("Please wait") && refused.body.contains("second"),
        "{}",
        refused.body
    );
    assert!(refused.header("retry-after").is_some());
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_successful_log_in_resets_the_accounts_failures(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]);
    app.signed_up("ada@example.com").await;
    for _ in 0..2 {
        app.browser()
            .log_in("ada@example.com", "wrong password!!")
            .await;
    }
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    for _ in 0..2 {
        app.browser()
            .log_in("ada@example.com", "wrong password!!")
            .await;
    }
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn failed_log_ins_are_throttled_per_client_address_across_accounts(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("LOGIN_MAX_FAILURES_PER_ADDRESS", "4")]);
    for i in 0..4 {
        let status = app
            .browser()
            .log_in(&format!("guess{i}@example.com"), "wrong password!!")
            .await
            .status;
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
async fn protected_pages_redirect_anonymous_visitors_to_log_in_with_the_way_back(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/account").await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.header("location"), Some("/login?next=/account"));
    let response = app.browser().get("/").await;
    assert_eq!(response.header("location"), Some("/login"));
}

#[sqlx::test]
async fn protected_pages_redirect_whatever_the_request_accepts(pool: PgPool) {
    let app = TestApp::new(pool);
    // curl's `*/*`, an API client's JSON, and no Accept header at all.
    for accept in [Some("*/*"), Some("application/json"), None] {
        let mut request = axum::http::Request::get("/tasks/7");
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        let response = app
            .browser()
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::FOUND, "Accept: {accept:?}");
        assert_eq!(
            response.header("location"),
            Some("/login?next=/tasks/7"),
            "Accept: {accept:?}"
        );
        assert_eq!(response.header("serverfnredirect"), None);
    }
}

#[sqlx::test]
async fn signed_in_visitors_of_log_in_and_sign_up_go_to_their_tasks(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    for path in ["/login", "/signup"] {
        let response = browser.get(path).await;
        assert_eq!(response.status, StatusCode::FOUND, "{path}");
        assert_eq!(response.header("location"), Some("/"));
    }
}

#[sqlx::test]
async fn log_in_returns_to_a_safe_next_path_only(pool: PgPool) {
    let app = TestApp::new(pool);
    app.signed_up("ada@example.com").await;
    for (next, expected) in [
        ("/account", "\"/account\""),
        ("//evil.example", "\"/\""),
        ("https://evil.example", "\"/\""),
    ] {
        let response = app
            .browser()
            .call(
                "/api/login",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(response.body, expected, "{next}");
    }
}

#[sqlx::test]
async fn a_plain_form_log_in_failure_returns_to_the_form_with_the_email_kept(pool: PgPool) {
    let app = TestApp::new(pool);
    let request = plain_form_post(
        "/api/login",
        "http://localhost:3000/login",
        &[
            ("email", "ada@example.com"),
            ("password", "wrong password!!"),
        ],
    );
    let response = app.browser().send(request).await;
    assert_eq!(response.status, StatusCode::FOUND);
    let location = response.header("location").unwrap();
    assert!(
        location.starts_with("/login?email=ada%40example.com&"),
        "{location}"
    );
    assert!(location.contains("__err="), "{location}");
    assert!(
        !location.contains("wrong"),
        "the password never goes into a URL: {location}"
    );
}

#[sqlx::test]
async fn a_plain_form_sign_up_lands_on_the_task_list(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let request = plain_form_post(
        "/api/signup",
        "http://localhost:3000/signup",
        &[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ],
    );
    let response = browser.send(request).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(response.header("location"), Some("/"));
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
async fn a_session_that_cannot_be_saved_answers_temporarily_unavailable(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    app.signed_up("ada@example.com").await;
    // The session table failing the way an unreachable database would.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '08006'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .execute(&pool)
    .await
    .unwrap();
    let response = app.browser().log_in("ada@example.com", PASSWORD).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response.body.contains("temporarily unavailable"),
        "{}",
        response.body
    );
}
