//! Password reset by email, through the outbox worker and a real SMTP server
//! (maildev): the link, what it does, and what it must not do.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::{
    helpers::{Browser, TestApp, PASSWORD},
    mail::{received_by, reset_link, smtp_url, token_of, unique_address},
};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn app_with_mail(pool: PgPool, vars: &[(&str, &str)]) -> TestApp {
    let smtp = smtp_url();
    let mut all = vec![
        ("SMTP_URL", smtp.as_str()),
        ("PUBLIC_ORIGIN", "https://tasks.example.com"),
        ("MAIL_FROM", "Tasks <noreply@tasks.example.com>"),
    ];
    all.extend_from_slice(vars);
    TestApp::with_config(pool, &all)
}

async fn ask_for_link(browser: &mut Browser, email: &str) -> (StatusCode, String) {
    let response = browser
        .call("/api/password/forgot", &[("email", email)])
        .await;
    (response.status, response.body)
}

/// Runs the outbox worker once, as the server's does in the background.
async fn deliver(app: &TestApp) -> usize {
    tasks::server::mail_worker(&app.state)
        .expect("mail is on")
        .deliver_due()
        .await
        .expect("the outbox can be read")
}

async fn outbox_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Asks for a link for `email` and delivers it; answers the link's token.
async fn mailed_token(app: &TestApp, email: &str) -> String {
    let (status, _) = ask_for_link(&mut app.browser(), email).await;
    assert_eq!(status, StatusCode::OK);
    deliver(app).await;
    let mails = received_by(email).await;
    let link = reset_link(mails.last().expect("a mail arrived")).expect("a link in the mail");
    token_of(&link)
}

async fn reset(browser: &mut Browser, token: &str, password: &str) -> (StatusCode, String) {
    let response = browser
        .call(
            "/api/password/reset",
            &[("token", token), ("new_password", password)],
        )
        .await;
    (response.status, response.body)
}

#[sqlx::test]
async fn the_mailed_link_sets_a_new_password_ends_every_session_and_signs_in_here(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("reset");
    let mut laptop = app.signed_up(&email).await;

    let mut stranger_pc = app.browser();
    let (status, _) = ask_for_link(&mut stranger_pc, &email).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deliver(&app).await, 1);
    let mails = received_by(&email).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.subject, "Reset your password");
    assert_eq!(mail.from[0].address, "noreply@tasks.example.com");
    assert!(mail.text.contains("within 1 hour"), "{}", mail.text);
    let link = reset_link(mail).expect("a link");
    assert!(
        link.starts_with("https://tasks.example.com/reset-password?token="),
        "links point at PUBLIC_ORIGIN: {link}"
    );

    let mut phone = app.browser();
    let (status, body) = reset(&mut phone, &token_of(&link), NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(phone.whoami().await.as_deref(), Some(email.as_str()));
    assert_eq!(laptop.whoami().await, None, "an older session survived");
    assert_eq!(
        app.log_in_status(&email, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in_status(&email, NEW_PASSWORD).await,
        StatusCode::OK
    );
    assert_eq!(outbox_rows(&app.pool).await, 0, "a sent mail's row stays");
}

#[sqlx::test]
async fn a_link_works_once(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("once");
    app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    assert_eq!(
        reset(&mut app.browser(), &token, NEW_PASSWORD).await.0,
        StatusCode::OK
    );
    let (status, body) = reset(&mut app.browser(), &token, "another new passphrase").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("This link no longer works"), "{body}");
    assert_eq!(
        app.log_in_status(&email, NEW_PASSWORD).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn only_the_newest_link_works(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("newest");
    app.signed_up(&email).await;
    let first = mailed_token(&app, &email).await;
    let second = mailed_token(&app, &email).await;
    assert_ne!(first, second);
    let (status, body) = reset(&mut app.browser(), &first, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        reset(&mut app.browser(), &second, NEW_PASSWORD).await.0,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn an_expired_link_does_not_work_and_changes_nothing(pool: PgPool) {
    let app = app_with_mail(pool, &[("PASSWORD_RESET_LINK_LIFETIME", "30m")]);
    let email = unique_address("expired");
    app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    let mails = received_by(&email).await;
    assert!(
        mails[0].text.contains("within 30 minutes"),
        "{}",
        mails[0].text
    );
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, body) = reset(&mut app.browser(), &token, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("This link no longer works"), "{body}");
    assert_eq!(app.log_in_status(&email, PASSWORD).await, StatusCode::OK);
}

#[sqlx::test]
async fn the_database_holds_only_a_hash_of_the_token(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("hash");
    app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    let everything: String = sqlx::query_scalar(
        "SELECT concat_ws(' ', (SELECT string_agg(r::text, ' ') FROM password_resets AS r),
                              (SELECT string_agg(o::text, ' ') FROM mail_outbox AS o))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !everything.contains(&token),
        "the token is stored in the clear"
    );
}

#[sqlx::test]
async fn an_unknown_email_gets_the_same_answer_and_no_mail(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let known = unique_address("known");
    let unknown = unique_address("unknown");
    app.signed_up(&known).await;
    let known_answer = ask_for_link(&mut app.browser(), &known).await;
    let unknown_answer = ask_for_link(&mut app.browser(), &unknown).await;
    assert_eq!(known_answer, unknown_answer);
    assert_eq!(deliver(&app).await, 2, "both requests were handled");
    assert_eq!(received_by(&known).await.len(), 1);
    assert!(received_by(&unknown).await.is_empty());
}

#[sqlx::test]
async fn requests_beyond_a_few_an_hour_get_the_same_answer_and_no_mail(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("throttled");
    app.signed_up(&email).await;
    let first = ask_for_link(&mut app.browser(), &email).await;
    for _ in 0..5 {
        assert_eq!(ask_for_link(&mut app.browser(), &email).await, first);
    }
    deliver(&app).await;
    assert_eq!(
        received_by(&email).await.len(),
        3,
        "three an hour per account"
    );
}

#[sqlx::test]
async fn a_mail_accepted_while_the_mail_server_is_down_goes_out_when_it_is_back(pool: PgPool) {
    // Nothing listens on port 9 (discard) here: every attempt fails to connect.
    let down = app_with_mail(pool.clone(), &[("SMTP_URL", "smtp://127.0.0.1:9")]);
    let email = unique_address("retry");
    down.signed_up(&email).await;
    assert_eq!(
        ask_for_link(&mut down.browser(), &email).await.0,
        StatusCode::OK
    );
    assert_eq!(deliver(&down).await, 1);
    let (attempts, waits): (i32, bool) = sqlx::query_as(
        "SELECT attempts, next_attempt_at > now() + interval '5 seconds' FROM mail_outbox",
    )
    .fetch_one(&pool)
    .await
    .expect("the mail is still in the outbox");
    assert_eq!((attempts, waits), (1, true), "retried later, not at once");
    assert_eq!(deliver(&down).await, 0, "not due yet");

    // The app restarts with the mail server back; the retry comes due.
    let back = app_with_mail(pool.clone(), &[]);
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(deliver(&back).await, 1);
    assert_eq!(received_by(&email).await.len(), 1);
    assert_eq!(outbox_rows(&pool).await, 0);
}

#[sqlx::test]
async fn two_workers_never_send_one_mail_twice(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let emails: Vec<String> = (0..6)
        .map(|i| unique_address(&format!("pair{i}")))
        .collect();
    for email in &emails {
        app.signed_up(email).await;
        ask_for_link(&mut app.browser(), email).await;
    }
    let one = tasks::server::mail_worker(&app.state).unwrap();
    let other = tasks::server::mail_worker(&app.state).unwrap();
    let (a, b) = tokio::join!(one.deliver_due(), other.deliver_due());
    assert_eq!(a.unwrap() + b.unwrap(), 6);
    for email in &emails {
        assert_eq!(received_by(email).await.len(), 1, "{email}");
    }
}

#[sqlx::test]
async fn changing_the_password_kills_a_pending_link(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("changed");
    let mut browser = app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    assert_eq!(
        browser.change_password(PASSWORD, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let (status, _) = reset(&mut app.browser(), &token, "yet another passphrase").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn the_reset_page_shows_the_form_for_a_live_link_and_says_when_a_link_is_dead(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("page");
    app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    let live = app
        .browser()
        .get(&format!("/reset-password?token={token}"))
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.body.contains("Set new password"), "{}", live.body);
    let dead = app.browser().get("/reset-password?token=nonsense").await;
    assert!(
        dead.body.contains("This link no longer works"),
        "{}",
        dead.body
    );
    assert!(dead.body.contains(r#"href="/forgot-password""#));
    assert!(!dead.body.contains("Set new password"));
}

#[sqlx::test]
async fn with_mail_off_the_page_says_reset_by_email_is_off_and_the_request_is_refused(
    pool: PgPool,
) {
    // What a release build without SMTP_URL runs with.
    let mut config = TestApp::config(&[]);
    config.mail.transport = tasks::config::MailTransport::Off;
    let app = TestApp::with(pool, config);
    let page = app.browser().get("/forgot-password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("turned off"), "{}", page.body);
    assert!(!page.body.contains("Send reset link"), "{}", page.body);
    let (status, _) = ask_for_link(&mut app.browser(), "ada@example.com").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(outbox_rows(&app.pool).await, 0);
}

#[sqlx::test]
async fn a_guessable_new_password_is_refused_with_why_and_the_link_still_works(pool: PgPool) {
    let app = app_with_mail(pool, &[]);
    let email = unique_address("guessable");
    app.signed_up(&email).await;
    let token = mailed_token(&app, &email).await;
    let (status, body) = reset(&mut app.browser(), &token, "iloveyou1234").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("too easy to guess"), "{body}");
    assert_eq!(
        reset(&mut app.browser(), &token, NEW_PASSWORD).await.0,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_reset_forgets_every_trusted_device_but_this_browser(pool: PgPool) {
    // Whoever knew the old password may have signed in with it and kept a device
    // cookie, which would give them guesses of their own.
    let app = app_with_mail(pool, &[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "1")]);
    let email = unique_address("devices");
    let mut intruder = app.signed_up(&email).await;
    intruder.log_out().await;
    let token = mailed_token(&app, &email).await;
    let mut owner = app.browser();
    assert_eq!(
        reset(&mut owner, &token, NEW_PASSWORD).await.0,
        StatusCode::OK
    );
    app.fail_log_ins(&email, 1).await;
    assert_eq!(
        intruder.log_in(&email, "another guess!!").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the intruder's device is a stranger's now"
    );
    owner.log_out().await;
    assert_eq!(
        owner.log_in(&email, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}
