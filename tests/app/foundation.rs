//! The foundation: schema rules enforced by the database itself, health, 404s, and
//! how the server binary fails when it cannot reach its database.

use std::process::Command;

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

async fn insert_user(pool: &PgPool, email: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO users (email, name, password_hash) VALUES ($1, 'Ada', '$argon2id$stub') RETURNING id")
        .bind(email)
        .fetch_one(pool)
        .await
}

async fn insert_task(
    pool: &PgPool,
    user_id: i64,
    title: &str,
    description: Option<&str>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO tasks (user_id, title, description) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user_id)
    .bind(title)
    .bind(description)
    .fetch_one(pool)
    .await
}

fn constraint_of(error: sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.constraint())
        .expect("a constraint violation")
        .to_owned()
}

#[sqlx::test]
async fn migrations_apply_from_scratch(pool: PgPool) {
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    let files = std::fs::read_dir("migrations").unwrap().count() as i64;
    assert_eq!(applied, files);
    for table in ["users", "tasks", "sessions", "login_throttle"] {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(exists, "table {table} is missing");
    }
}

#[sqlx::test]
async fn the_same_email_in_other_case_cannot_be_registered_twice(pool: PgPool) {
    insert_user(&pool, "ada@example.com").await.unwrap();
    let same = insert_user(&pool, "ada@example.com").await.unwrap_err();
    assert_eq!(constraint_of(same), "users_email_key");
    // Stored emails are lower-case, so a case variant cannot even be stored.
    let variant = insert_user(&pool, "ADA@example.com").await.unwrap_err();
    assert_eq!(constraint_of(variant), "users_email_normalized");
}

#[sqlx::test]
async fn deleting_a_user_deletes_their_tasks(pool: PgPool) {
    let ada = insert_user(&pool, "ada@example.com").await.unwrap();
    let bob = insert_user(&pool, "bob@example.com").await.unwrap();
    insert_task(&pool, ada, "Ada's task", None).await.unwrap();
    insert_task(&pool, bob, "Bob's task", None).await.unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(ada)
        .execute(&pool)
        .await
        .unwrap();
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM tasks")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(titles, ["Bob's task"]);
}

#[sqlx::test]
async fn the_database_refuses_titles_that_are_empty_blank_or_too_long(pool: PgPool) {
    let user = insert_user(&pool, "ada@example.com").await.unwrap();
    for title in [
        String::new(),
        "   ".into(),
        " \t\n ".into(),
        "x".repeat(201),
        "é".repeat(201),
    ] {
        let error = insert_task(&pool, user, &title, None).await.unwrap_err();
        assert_eq!(constraint_of(error), "tasks_title_length", "{title:?}");
    }
    insert_task(&pool, user, &"é".repeat(200), None)
        .await
        .unwrap();
}

#[sqlx::test]
async fn the_database_refuses_descriptions_over_1000_characters(pool: PgPool) {
    let user = insert_user(&pool, "ada@example.com").await.unwrap();
    let error = insert_task(&pool, user, "Title", Some(&"д".repeat(1001)))
        .await
        .unwrap_err();
    assert_eq!(constraint_of(error), "tasks_description_length");
    insert_task(&pool, user, "Title", Some(&"д".repeat(1000)))
        .await
        .unwrap();
}

#[sqlx::test]
async fn updated_at_moves_when_a_task_changes(pool: PgPool) {
    let user = insert_user(&pool, "ada@example.com").await.unwrap();
    let task = insert_task(&pool, user, "Before", None).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (created, updated): (time::OffsetDateTime, time::OffsetDateTime) = sqlx::query_as(
        "UPDATE tasks SET title = 'After' WHERE id = $1 RETURNING created_at, updated_at",
    )
    .bind(task)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        updated > created,
        "updated_at {updated} should be after created_at {created}"
    );
}

#[sqlx::test]
async fn health_answers_ok_after_a_database_round_trip(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.set_cookies().is_empty(),
        "health checks need no session"
    );
}

#[sqlx::test]
async fn health_answers_503_when_the_database_is_unreachable(pool: PgPool) {
    pool.close().await;
    let app = TestApp::new(pool);
    let response = app.browser().get("/healthz").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.body.contains("database"), "{}", response.body);
}

#[sqlx::test]
async fn an_unknown_path_gets_the_not_found_page_with_status_404(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/no/such/page").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(
        response.body.contains("<h1>Not found</h1>"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn pages_carry_the_security_headers_and_a_nonce_csp(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/login").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("referrer-policy"), Some("same-origin"));
    let csp = response.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        response.body.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the nonce"
    );
}

fn server_binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tasks"));
    // Run outside the repository so no `.env` is picked up, with a clean slate, and
    // with the site files every page links (the server checks for them at start).
    let site = std::env::temp_dir().join(format!("tasks-test-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // `tasks_bg.wasm` is the name Leptos links when built without cargo-leptos.
    for file in ["tasks.js", "tasks.wasm", "tasks_bg.wasm", "tasks.css"] {
        std::fs::write(pkg.join(file), "").unwrap();
    }
    command
        .current_dir(std::env::temp_dir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    // Under scripts/coverage the binary reports what it ran, like the tests do.
    if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
        command.env("LLVM_PROFILE_FILE", profile);
    }
    command
        .env("LEPTOS_OUTPUT_NAME", "tasks")
        .env("LEPTOS_SITE_ROOT", &site)
        .env("LEPTOS_HASH_FILES", "false")
        .env("RUST_LOG", "info");
    command
}

#[test]
fn the_server_refuses_to_start_when_its_pages_would_link_missing_files() {
    let empty_site = std::env::temp_dir().join(format!("tasks-empty-site-{}", std::process::id()));
    std::fs::create_dir_all(&empty_site).unwrap();
    let output = server_binary()
        .env("LEPTOS_SITE_ROOT", &empty_site)
        .env("DATABASE_URL", "postgres://app:secret@127.0.0.1:1/tasks")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tasks.js") && stderr.contains("LEPTOS_SITE_ROOT"),
        "{stderr}"
    );
}

#[test]
fn the_server_without_database_url_exits_naming_the_variable() {
    let output = server_binary().output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains(".env.example"),
        "{stderr}"
    );
}

#[test]
fn the_server_retries_a_closed_port_then_exits_naming_host_and_port() {
    let output = server_binary()
        .env(
            "DATABASE_URL",
            "postgres://app:hunter2secret@127.0.0.1:1/tasks",
        )
        .env("DATABASE_CONNECT_RETRY_FOR", "1500ms")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(
        stdout.matches("retrying").count() >= 2,
        "one log line per attempt: {stdout}"
    );
    assert!(
        !stderr.contains("hunter2secret") && !stdout.contains("hunter2secret"),
        "the password leaked"
    );
}

#[sqlx::test]
async fn a_handler_that_panics_answers_500_without_details_and_the_server_keeps_serving(
    pool: PgPool,
) {
    let app = TestApp::with_config(pool, &[("FAULT_INJECTION", "true")]);
    let mut browser = app.browser();
    let response = browser.get("/__faults/panic").await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!response.body.contains("injected"), "{}", response.body);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("Still here", "").await;
}

#[sqlx::test]
async fn the_panicking_handler_exists_only_with_fault_injection_on(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app.browser().get("/__faults/panic").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn every_page_a_signed_in_person_sees_carries_the_page_csp(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    for path in ["/", "/?filter=active", "/account"] {
        let response = ada.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default();
        assert!(
            csp.contains("'nonce-"),
            "{path} ({}): {csp}",
            response.status
        );
    }
}

#[sqlx::test]
async fn the_page_after_a_plain_form_sign_up_carries_the_page_csp(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.browser();
    let response = browser
        .send(crate::helpers::plain_form_post(
            "/api/signup",
            "http://localhost:3000/signup",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", crate::helpers::PASSWORD),
            ],
        ))
        .await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.body);
    let location = response.header("location").unwrap_or_default().to_owned();
    let page = browser.get(&location).await;
    assert_eq!(page.status, StatusCode::OK, "{location}");
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("'nonce-"),
        "{location} ({}): {csp}",
        page.status
    );
}

#[sqlx::test]
async fn pages_abandoned_mid_answer_leave_nothing_running_on_the_server(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut browser = app.signed_up("ada@example.com").await;
    browser.get("/").await; // whatever the first page starts once
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    for round in 0..20 {
        browser.abandon("/", round % 2 == 0).await;
    }
    // Each abandoned page is finished in the background; give that a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while metrics.num_alive_tasks() > before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        metrics.num_alive_tasks() <= before,
        "{} tasks still alive after 20 abandoned pages, {before} before",
        metrics.num_alive_tasks()
    );
}

#[sqlx::test]
async fn an_atomic_unit_of_work_that_fails_midway_stores_nothing(pool: PgPool) {
    let db = tasks::db::Db::new(pool.clone(), false);
    let insert =
        "INSERT INTO users (email, name, password_hash) VALUES ('ada@example.com', 'Ada', 'x')";
    let result: Result<(), sqlx::Error> = db
        .atomic(async |conn| {
            sqlx::query(insert).execute(&mut *conn).await?;
            // The same email again: refused by the unique constraint.
            sqlx::query(insert).execute(&mut *conn).await?;
            Ok(())
        })
        .await;
    assert!(result.is_err());
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "the first insert was rolled back with the second");
}

/// A rollback: the previous binary starts on a database a newer release migrated
/// further (migrations are additive), instead of refusing the version it does not
/// know.
#[sqlx::test]
async fn start_up_accepts_a_database_migrated_further_by_a_newer_release(pool: PgPool) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000001, 'from a newer release', true, '\\x00', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(&database);
    let config = TestApp::config(&[("DATABASE_URL", url.as_str())]);
    tasks::db::migrate(&config.database)
        .await
        .expect("the previous binary starts");
}
