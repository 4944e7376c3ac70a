//! Sessions: the cookie, a new id at log in, the idle and absolute limits, and ending them.

use axum::http::StatusCode;
use sqlx::PgPool;
use tasks::auth::ssr::PgSessionStore;
use tower_sessions::{session::Id, SessionStore};

use crate::helpers::{TestApp, PASSWORD};

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
async fn over_https_the_session_cookie_is_secure_and_host_prefixed(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SERVED_OVER_HTTPS", "true")]);
    let mut browser = app.browser();
    let response = browser.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .expect("a __Host- session cookie")
        .to_owned();
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
    assert!(response.header("strict-transport-security").is_some());
    assert_eq!(browser.whoami().await.as_deref(), Some("ada@example.com"));
    // A plain `session` cookie (planted by a subdomain or over http) is not read.
    let mut planted = app.browser();
    planted
        .cookies
        .insert("session".into(), browser.cookies["__Host-session"].clone());
    assert_eq!(planted.whoami().await, None);
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
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in_status("ada@example.com", "a brand new passphrase")
            .await,
        StatusCode::OK
    );
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
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("SESSION_ABSOLUTE_LIFETIME", "1h")]);
    let mut browser = app.signed_up("ada@example.com").await;
    assert!(browser.whoami().await.is_some());
    // Signed in an hour and a minute ago, and active ever since.
    sqlx::query(
        "UPDATE sessions SET data = jsonb_set(data, '{logged_in_at}',
                                to_jsonb(extract(epoch from now())::bigint - 3660))",
    )
    .execute(&app.pool)
    .await
    .unwrap();
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
async fn the_sweeper_deletes_expired_sessions_and_stale_log_in_counters(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    app.signed_up("ada@example.com").await;
    app.signed_up("bob@example.com").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = 'ada@example.com')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_started_at)
         VALUES ('stale', 3, now() - interval '2 hours'), ('fresh', 3, now())",
    )
    .execute(&pool)
    .await
    .unwrap();
    // Its first round runs at once; a long period keeps it to that one here.
    tasks::server::sweeper::spawn_sweeper(
        tasks::db::Db::new(pool.clone(), false),
        std::time::Duration::from_secs(15 * 60),
        std::time::Duration::from_secs(3600),
    );
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let mut left = (0, 0);
    for _ in 0..100 {
        left = (
            count("SELECT count(*) FROM sessions").await,
            count("SELECT count(*) FROM login_throttle WHERE key IN ('stale', 'fresh')").await,
        );
        if left == (1, 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(left, (1, 1), "(sessions, throttle counters) left");
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
    assert_eq!(
        <tasks::error::AppError as leptos::server_fn::error::FromServerFnError>::de(
            response.body.clone().into()
        ),
        tasks::error::AppError::Unavailable,
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn a_log_in_that_verified_the_old_password_does_not_outlive_a_password_change(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut laptop = app.signed_up("ada@example.com").await;
    let mut phone = app.browser();
    phone.log_in("ada@example.com", PASSWORD).await;
    assert!(phone.whoami().await.is_some());
    // The phone's log-in read the password hash (and the epoch with it) before the
    // laptop's change committed, and wrote its session after the change ended every
    // other session: the state a password change leaves when it lands between a
    // log-in's verify and its session write. Made here by putting the session back.
    let phone_session: (String, serde_json::Value, time::OffsetDateTime) =
        sqlx::query_as("SELECT id, data, expires_at FROM sessions WHERE id = $1")
            .bind(phone.session_cookie().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let response = laptop
        .change_password(PASSWORD, "a brand new passphrase")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    sqlx::query(
        "INSERT INTO sessions (id, data, expires_at, user_id)
         SELECT $1, $2, $3, id FROM users WHERE email = 'ada@example.com'
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&phone_session.0)
    .bind(&phone_session.1)
    .bind(phone_session.2)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        phone.whoami().await,
        None,
        "the old password's session is dead"
    );
    assert_eq!(
        laptop.whoami().await.as_deref(),
        Some("ada@example.com"),
        "the browser that changed it stays signed in"
    );
}
