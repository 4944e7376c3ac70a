//! Tasks through the real router: each server function, each person's isolation,
//! keyset paging, counts and filters, export, and plain form posts.

use std::collections::HashSet;

use axum::http::{header, StatusCode};
use sqlx::PgPool;

use crate::helpers::{plain_form_post, titles, TestApp};

async fn seed(pool: &PgPool, email: &str, count: i64) {
    sqlx::query(
        "INSERT INTO tasks (user_id, title, completed)
         SELECT u.id, 'Task ' || g, g % 3 = 0 FROM users u, generate_series(1, $2) g WHERE u.email = $1",
    )
    .bind(email)
    .bind(count)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn a_new_task_is_trimmed_and_listed_first(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("First", "").await;
    let task = ada.create_task("  Second  ", "  some notes \n").await;
    assert_eq!(task["title"], "Second");
    assert_eq!(task["description"], "some notes");
    let blank = ada.create_task("Third", "   ").await;
    assert!(
        blank["description"].is_null(),
        "a blank description is stored as none"
    );
    let page = ada.list(&[]).await;
    assert_eq!(titles(&page), ["Third", "Second", "First"]);
    assert_eq!(page["active_count"], 3);
}

#[sqlx::test]
async fn invalid_tasks_get_field_messages_and_nothing_is_stored(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let long_title = "t".repeat(201);
    let long_description = "d".repeat(1001);
    for (title, description, field, limit) in [
        ("", "", "title", "200"),
        ("   ", "", "title", "200"),
        (long_title.as_str(), "", "title", "200"),
        ("Fine", long_description.as_str(), "description", "1000"),
    ] {
        let response = ada
            .call(
                "/api/tasks/create",
                &[("title", title), ("description", description)],
            )
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(error["field"], field);
        assert!(
            error["message"].as_str().unwrap().contains(limit),
            "{}",
            response.body
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn each_change_to_a_task_is_stored(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Draft", "").await["id"].to_string();

    let response = ada
        .call("/api/tasks/rename", &[("id", &id), ("title", " Renamed ")])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = ada
        .call(
            "/api/tasks/set-completed",
            &[("id", &id), ("completed", "true")],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let task: serde_json::Value =
        serde_json::from_str(&ada.query("/api/tasks/get", &[("id", &id)]).await.body).unwrap();
    assert_eq!(
        (task["title"].as_str(), task["completed"].as_bool()),
        (Some("Renamed"), Some(true))
    );

    let response = ada
        .call(
            "/api/tasks/update",
            &[("id", &id), ("title", "Final"), ("description", "Notes")],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let task: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(task["title"], "Final");
    assert_eq!(task["description"], "Notes");
    assert_eq!(
        task["completed"], false,
        "an unchecked box means not completed"
    );

    let response = ada.call("/api/tasks/delete", &[("id", &id)]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        ada.query("/api/tasks/get", &[("id", &id)]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn mark_all_and_clear_completed_act_on_all_of_one_persons_tasks(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let mut bob = app.signed_up("bob@example.com").await;
    seed(&app.pool, "ada@example.com", 120).await;
    bob.create_task("Bob's", "").await;

    assert_eq!(
        ada.call("/api/tasks/set-all-completed", &[("completed", "true")])
            .await
            .status,
        StatusCode::OK
    );
    let page = ada.list(&[]).await;
    assert_eq!(
        (
            page["active_count"].as_i64(),
            page["completed_count"].as_i64()
        ),
        (Some(0), Some(120))
    );
    assert_eq!(
        ada.call("/api/tasks/set-all-completed", &[("completed", "false")])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(ada.list(&[]).await["active_count"], 120);

    ada.call("/api/tasks/set-all-completed", &[("completed", "true")])
        .await;
    assert_eq!(
        ada.call("/api/tasks/clear-completed", &[]).await.status,
        StatusCode::OK
    );
    let page = ada.list(&[]).await;
    assert_eq!(
        (
            page["active_count"].as_i64(),
            page["completed_count"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        titles(&bob.list(&[]).await),
        ["Bob's"],
        "Bob's task is untouched"
    );
}

#[sqlx::test]
async fn filters_and_counts_agree_with_the_database(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    seed(&app.pool, "ada@example.com", 30).await; // every third one completed
    let all = ada.list(&[]).await;
    assert_eq!(
        (
            all["active_count"].as_i64(),
            all["completed_count"].as_i64()
        ),
        (Some(20), Some(10))
    );
    let active = ada.list(&[("filter", "active")]).await;
    let completed = ada.list(&[("filter", "completed")]).await;
    assert_eq!(titles(&active).len(), 20);
    assert_eq!(titles(&completed).len(), 10);
    assert!(completed["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["completed"] == true));
    assert_eq!(
        active["active_count"], 20,
        "the counter covers all tasks, whatever the filter"
    );
}

#[sqlx::test]
async fn keyset_pages_return_every_task_exactly_once_while_tasks_are_added(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    seed(&app.pool, "ada@example.com", 175).await;
    let mut seen = Vec::new();
    let mut page = ada.list(&[]).await;
    loop {
        assert!(titles(&page).len() <= 50);
        seen.extend(titles(&page));
        // Someone adds a task between page loads; it belongs on page one, not here.
        ada.create_task(&format!("Added while paging {}", seen.len()), "")
            .await;
        let Some(next) = page["next"].as_i64() else {
            break;
        };
        page = ada.list(&[("after", &next.to_string())]).await;
        assert!(page["previous"].is_i64(), "a later page links back");
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 175, "{seen:?}");
    assert_eq!(unique.len(), 175);
    assert!(seen.iter().all(|t| t.starts_with("Task ")));
}

#[sqlx::test]
async fn previous_page_walks_back_to_the_first_page(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    seed(&app.pool, "ada@example.com", 120).await;
    let first = ada.list(&[]).await;
    assert!(first["previous"].is_null());
    let second = ada.list(&[("after", &first["next"].to_string())]).await;
    let third = ada.list(&[("after", &second["next"].to_string())]).await;
    assert_eq!(titles(&third).len(), 20);
    assert!(third["next"].is_null());
    let back = ada
        .list(&[("before", &third["previous"].to_string())])
        .await;
    assert_eq!(titles(&back), titles(&second));
    let back = ada.list(&[("before", &back["previous"].to_string())]).await;
    assert_eq!(titles(&back), titles(&first));
    assert!(back["previous"].is_null());
}

#[sqlx::test]
async fn another_persons_task_answers_exactly_like_a_missing_one(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let mut bob = app.signed_up("bob@example.com").await;
    let adas = ada.create_task("Ada's secret", "private notes").await["id"].to_string();
    let missing = "999999999".to_owned();

    let mut answers = Vec::new();
    for id in [&adas, &missing] {
        let get = bob.query("/api/tasks/get", &[("id", id)]).await;
        let update = bob
            .call(
                "/api/tasks/update",
                &[("id", id), ("title", "Mine now"), ("completed", "true")],
            )
            .await;
        let rename = bob
            .call("/api/tasks/rename", &[("id", id), ("title", "Mine now")])
            .await;
        let toggle = bob
            .call(
                "/api/tasks/set-completed",
                &[("id", id), ("completed", "true")],
            )
            .await;
        let delete = bob.call("/api/tasks/delete", &[("id", id)]).await;
        let page = bob.get(&format!("/tasks/{id}")).await;
        // The page differs per response only in its script nonce: compare what it shows.
        let main = page
            .body
            .split("<main")
            .nth(1)
            .unwrap()
            .split("</main>")
            .next()
            .unwrap()
            .to_owned();
        let mut answer: Vec<_> = [get, update, rename, toggle, delete]
            .into_iter()
            .map(|r| (r.status, r.body))
            .collect();
        answer.push((page.status, main));
        answers.push(answer);
    }
    assert_eq!(answers[0], answers[1]);
    assert!(
        answers[0]
            .iter()
            .all(|(status, _)| *status == StatusCode::NOT_FOUND),
        "{:?}",
        answers[0]
    );

    bob.call("/api/tasks/set-all-completed", &[("completed", "true")])
        .await;
    bob.call("/api/tasks/clear-completed", &[]).await;
    assert!(
        titles(&bob.list(&[]).await).is_empty(),
        "Bob's list never shows Ada's task"
    );
    let task: serde_json::Value =
        serde_json::from_str(&ada.query("/api/tasks/get", &[("id", &adas)]).await.body).unwrap();
    assert_eq!(
        (task["title"].as_str(), task["completed"].as_bool()),
        (Some("Ada's secret"), Some(false))
    );
}

#[sqlx::test]
async fn task_functions_without_a_session_answer_401(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut anonymous = app.browser();
    assert_eq!(
        anonymous
            .call("/api/tasks/create", &[("title", "x")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        anonymous.query("/api/tasks/list", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        anonymous.get("/tasks/export.json").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn editing_a_task_deleted_elsewhere_says_not_found(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut tab_one = app.signed_up("ada@example.com").await;
    let mut tab_two = app.browser();
    tab_two.cookies = tab_one.cookies.clone();
    let id = tab_one.create_task("Shared", "").await["id"].to_string();
    tab_two.call("/api/tasks/delete", &[("id", &id)]).await;
    let response = tab_one
        .call("/api/tasks/update", &[("id", &id), ("title", "Edited")])
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.body.contains("Not found"), "{}", response.body);
}

#[sqlx::test]
async fn text_that_looks_like_html_is_shown_as_text(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("<script>alert('x')</script><b>bold</b>", "")
        .await;
    let page = ada.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("<script>alert"),
        "raw markup reached the page"
    );
    assert!(
        page.body.contains("&lt;script&gt;alert"),
        "the title is escaped"
    );
}

#[sqlx::test]
async fn the_list_page_renders_counts_filters_and_paging_on_the_server(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    seed(&app.pool, "ada@example.com", 90).await; // 60 active: more than a page
    let page = ada.get("/?filter=active").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("60 items left"), "counter");
    assert!(
        page.body.contains(r#"aria-current="page">Active</a>"#),
        "current filter"
    );
    assert!(page.body.contains(">Clear completed<"));
    assert!(page.body.contains(">Next page<") && !page.body.contains(">Previous page<"));
}

#[sqlx::test]
async fn a_plain_form_post_returns_to_the_same_filter_and_page(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Walk", "").await["id"].to_string();
    let request = plain_form_post(
        "/api/tasks/set-completed",
        "http://localhost:3000/?filter=active&after=77",
        &[("id", &id), ("completed", "true")],
    );
    let response = ada.send(request).await;
    assert_eq!(response.status, StatusCode::FOUND);
    assert_eq!(
        response.header("location"),
        Some("http://localhost:3000/?filter=active&after=77")
    );
}

#[sqlx::test]
async fn export_downloads_all_of_ones_own_tasks_as_json_and_csv(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let mut bob = app.signed_up("bob@example.com").await;
    ada.create_task("=1+1", "with \"quotes\"").await;
    ada.create_task("Second", "").await;
    bob.create_task("Bob's", "").await;

    let json = ada.get("/tasks/export.json").await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json
        .header("content-disposition")
        .unwrap()
        .contains("tasks.json"));
    let export: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let exported: Vec<&str> = export["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(exported, ["=1+1", "Second"], "oldest first, only Ada's");

    assert_eq!(export["format"], "tasklist/v2");
    let created: Vec<String> = sqlx::query_scalar(
        "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM tasks
         WHERE title IN ('=1+1', 'Second') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (task, created) in export["tasks"].as_array().unwrap().iter().zip(&created) {
        let exported = task["created_at"].as_str().unwrap();
        assert!(
            exported.starts_with(created.as_str()) && exported.ends_with('Z'),
            "{exported}"
        );
        assert!(task["updated_at"].as_str().unwrap().ends_with('Z'));
    }

    let csv = ada.get("/tasks/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "title,description,completed,created_at,updated_at"
    );
    assert!(
        lines[1].starts_with(&format!(
            "'=1+1,\"with \"\"quotes\"\"\",false,{}",
            created[0]
        )),
        "the formula is defused, quotes doubled: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("Second,,false,{}", created[1])),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines.len(),
        4,
        "a header, two rows and the final line end: {lines:?}"
    );
}

#[sqlx::test]
async fn an_export_of_more_tasks_than_one_batch_holds_every_task_once(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    sqlx::query(
        "INSERT INTO tasks (user_id, title) SELECT u.id, 'Task ' || n
         FROM users AS u, generate_series(1, 1234) AS n WHERE u.email = 'ada@example.com'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let json = ada.get("/tasks/export.json").await;
    let export: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let titles: Vec<&str> = export["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 1234);
    assert_eq!((titles[0], titles[1233]), ("Task 1", "Task 1234"));
    let csv = ada.get("/tasks/export.csv").await;
    assert_eq!(csv.body.matches("\r\n").count(), 1235);
}

pub(crate) fn multipart_import(file: &str) -> axum::http::Request<axum::body::Body> {
    multipart_import_keyed(file, None)
}

/// The import form's upload, with its submission key when `key` is given.
pub(crate) fn multipart_import_keyed(
    file: &str,
    key: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let boundary = "----tasklist-test-boundary";
    let key = key
        .map(|key| {
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n")
        })
        .unwrap_or_default();
    let body = format!(
        "{key}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tasks.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    axum::http::Request::post("/api/tasks/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[sqlx::test]
async fn an_export_imports_back_into_another_account_in_the_same_order(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("Oldest", "with notes").await;
    let middle = ada.create_task("Middle", "").await["id"].to_string();
    ada.call(
        "/api/tasks/set-completed",
        &[("id", &middle), ("completed", "true")],
    )
    .await;
    ada.create_task("Newest", "").await;
    let export = ada.get("/tasks/export.json").await.body;

    let mut bob = app.signed_up("bob@example.com").await;
    let response = bob.send(multipart_import(&export)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.body, "3");
    let page = bob.list(&[]).await;
    assert_eq!(titles(&page), ["Newest", "Middle", "Oldest"]);
    assert_eq!(
        (
            page["active_count"].as_i64(),
            page["completed_count"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(page["tasks"][2]["description"], "with notes");
    // A v2 file restores when each task was created and last changed.
    let times = |email: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, time::OffsetDateTime, time::OffsetDateTime)>(
                "SELECT t.title, t.created_at, t.updated_at FROM tasks AS t
                 JOIN users AS u ON u.id = t.user_id WHERE u.email = $1 ORDER BY t.id",
            )
            .bind(email)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        times("bob@example.com").await,
        times("ada@example.com").await
    );
}

#[sqlx::test]
async fn a_v1_export_imports_as_new_tasks(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut bob = app.signed_up("bob@example.com").await;
    let file = r#"{"format": "tasklist/v1", "tasks": [{"title": "Old one", "description": null, "completed": true}]}"#;
    let response = bob.send(multipart_import(file)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let recent: bool =
        sqlx::query_scalar("SELECT created_at > now() - interval '1 minute' FROM tasks")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(recent);
}

#[sqlx::test]
async fn a_bad_import_row_is_reported_by_number_and_nothing_is_stored(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("Existing", "").await;
    let file = format!(
        r#"{{"tasks": [{{"title": "Fine"}}, {{"title": "Also fine"}}, {{"title": "{}"}}]}}"#,
        "x".repeat(201)
    );
    let response = ada.send(multipart_import(&file)).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(error["field"], "file");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Row 3: Title must be at most 200"),
        "{}",
        response.body
    );
    assert_eq!(
        titles(&ada.list(&[]).await),
        ["Existing"],
        "nothing new, nothing changed"
    );

    let response = ada.send(multipart_import("not json at all")).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("not a task export"),
        "{}",
        response.body
    );
}

#[sqlx::test]
async fn importing_needs_a_session(pool: PgPool) {
    let app = TestApp::new(pool);
    let response = app
        .browser()
        .send(multipart_import(r#"[{"title": "x"}]"#))
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn a_missing_task_page_is_a_plain_404_without_a_redirect(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let response = ada.get("/tasks/424242").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(
        response.header("location"),
        None,
        "rendering a page never redirects back with an error"
    );
}

#[sqlx::test]
async fn a_redirect_back_never_leaves_the_site(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Walk", "").await["id"].to_string();
    let request = plain_form_post(
        "/api/tasks/rename",
        "http://localhost:3000//evil.example/?edit=1",
        &[("id", &id), ("title", "Run")],
    );
    assert_eq!(ada.send(request).await.header("location"), Some("/"));
}

#[sqlx::test]
async fn a_plain_form_create_after_a_failed_one_comes_back_with_empty_boxes(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let request = plain_form_post(
        "/api/tasks/create",
        "http://localhost:3000/?filter=active&title=Old&description=Text&__path=x&__err=y",
        &[("title", "New"), ("description", "")],
    );
    assert_eq!(
        ada.send(request).await.header("location"),
        Some("/?filter=active")
    );
}

#[sqlx::test]
async fn a_description_that_looks_like_markup_stays_text(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let description = "</textarea><svg onload=alert(4)> fish & chips <b>";
    let task = ada.create_task("Markup", description).await;
    let page = ada.get(&format!("/tasks/{}", task["id"])).await;
    assert_eq!(page.status, StatusCode::OK);
    // What the server sends, before any script runs: the text, escaped, inside the box.
    assert!(
        page.body.contains(
            "&lt;/textarea&gt;&lt;svg onload=alert(4)&gt; fish &amp; chips &lt;b&gt;</textarea>"
        ),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<svg"), "the description became markup");

    // The new-task form gives back what was typed after a failed plain post, from
    // the URL: the same box, the same escaping.
    let url = app
        .signed(
            &mut ada,
            "/?description=%3C%2Ftextarea%3E%3Cimg%20src%3Dx%3E",
        )
        .await;
    let page = ada.get(&url).await;
    assert!(
        page.body
            .contains("&lt;/textarea&gt;&lt;img src=x&gt;</textarea>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<img"), "the typed text became markup");
}

#[sqlx::test]
async fn text_given_back_to_the_new_task_form_keeps_a_leading_blank_line(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    // After a failed plain post the form gets back what was typed, untrimmed. The
    // HTML parser drops one line break right after <textarea>: the server adds one.
    let url = app.signed(&mut ada, "/?description=%0Afirst").await;
    let page = ada.get(&url).await;
    assert!(page.body.contains(">\n\nfirst</textarea>"), "{}", page.body);
}

#[sqlx::test]
async fn signed_out_writes_hear_log_in_whatever_the_form_holds(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut anonymous = app.browser();
    for (path, fields) in [
        ("/api/tasks/create", vec![("title", "")]),
        ("/api/tasks/update", vec![("id", "1"), ("title", "")]),
        ("/api/tasks/rename", vec![("id", "1"), ("title", "")]),
    ] {
        let response = anonymous.call(path, &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            response.body
        );
    }
}

#[sqlx::test]
async fn the_repository_never_reads_or_changes_another_persons_task(pool: PgPool) {
    use tasks::{
        error::AppError,
        tasks::{domain::TaskTitle, ssr::repo, Filter},
    };
    let app = TestApp::new(pool.clone());
    let mut ada = app.signed_up("ada@example.com").await;
    let id = ada.create_task("Ada's own", "").await["id"]
        .as_i64()
        .unwrap();
    app.signed_up("bob@example.com").await;
    let bob = user_id(&pool, "bob@example.com").await;
    let mut conn = pool.acquire().await.unwrap();
    let title = TaskTitle::parse("Bob's now").unwrap();
    assert_eq!(repo::get(&mut conn, bob, id).await, Err(AppError::NotFound));
    assert_eq!(
        repo::rename(&mut conn, bob, id, &title).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        repo::set_completed(&mut conn, bob, id, true).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        repo::delete(&mut conn, bob, id).await,
        Err(AppError::NotFound)
    );
    repo::set_all_completed(&mut conn, bob, true).await.unwrap();
    repo::clear_completed(&mut conn, bob).await.unwrap();
    let bobs = repo::list(&mut conn, bob, Filter::All, None, None)
        .await
        .unwrap();
    assert!(bobs.tasks.is_empty() && bobs.active_count == 0);
    assert!(repo::export_batch(&mut conn, bob, 0, 100)
        .await
        .unwrap()
        .is_empty());

    let ada_id = user_id(&pool, "ada@example.com").await;
    let adas = repo::get(&mut conn, ada_id, id).await.unwrap();
    assert_eq!((adas.title.as_str(), adas.completed), ("Ada's own", false));
}

async fn user_id(pool: &PgPool, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_task_page_says_when_the_task_was_created_and_last_changed(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let task = ada.create_task("Dated", "").await;
    let id = task["id"].as_i64().unwrap();
    // (The trigger that keeps updated_at honest sets it to now for this statement.)
    sqlx::query("UPDATE tasks SET created_at = '2026-11-30T08:05:00Z' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let changed = |body: &str| {
        let at = body
            .find(r#"class="changed""#)
            .expect("a last-changed time");
        let start = body[..at].rfind("<time").unwrap();
        body[start..at].to_owned()
    };
    let page = ada.get(&format!("/tasks/{id}")).await;
    assert!(
        page.body
            .contains(r#"<time datetime="2026-11-30T08:05:00Z">30 Nov 2026, 08:05 UTC</time>"#),
        "{}",
        page.body
    );
    let before = changed(&page.body);
    assert!(before.contains(r#"datetime="20"#), "{before}");
    let response = ada
        .call(
            "/api/tasks/rename",
            &[("id", &id.to_string()), ("title", "Renamed")],
        )
        .await;
    assert!(response.status.is_success(), "{}", response.body);
    let page = ada.get(&format!("/tasks/{id}")).await;
    assert!(page
        .body
        .contains(r#"<time datetime="2026-11-30T08:05:00Z">"#));
    assert_ne!(
        changed(&page.body),
        before,
        "a change moves the last-changed time"
    );
}

#[sqlx::test]
async fn adding_or_importing_past_the_quota_is_refused_naming_the_limit(pool: PgPool) {
    let app = TestApp::with_config(pool, &[("TASK_QUOTA", "3")]);
    let mut ada = app.signed_up("ada@example.com").await;
    for title in ["one", "two"] {
        ada.create_task(title, "").await;
    }
    let import = |file: &str| multipart_import(file);
    let response = ada
        .send(import(r#"[{"title": "three"}, {"title": "four"}]"#))
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(
        response
            .body
            .contains("Importing 2 tasks would take you past 3 tasks"),
        "{}",
        response.body
    );
    ada.create_task("three", "").await;
    let response = ada.call("/api/tasks/create", &[("title", "four")]).await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(
        response
            .body
            .contains("You have 3 tasks, the most one person can have"),
        "{}",
        response.body
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 3);
}

#[sqlx::test]
async fn beyond_the_bulk_places_an_export_or_import_hears_try_again(pool: PgPool) {
    use tower::ServiceExt;
    let app = TestApp::with_config(pool, &[("BULK_CONCURRENCY", "1")]);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("One", "").await;
    // A download that has begun and is not read to its end holds its place.
    let cookie = format!("session={}", ada.session_cookie().unwrap());
    let slow = app
        .router
        .clone()
        .oneshot(
            axum::http::Request::get("/tasks/export.json")
                .header(header::COOKIE, &cookie)
                .header(header::HOST, "localhost:3000")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(slow.status(), StatusCode::OK);
    let refused = ada.get("/tasks/export.csv").await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.body.contains("try again"), "{}", refused.body);
    let refused = ada.send(multipart_import(r#"[{"title": "x"}]"#)).await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    drop(slow);
    assert_eq!(ada.get("/tasks/export.csv").await.status, StatusCode::OK);
    assert_eq!(
        ada.send(multipart_import(r#"[{"title": "x"}]"#))
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn a_compressed_export_arrives_whole(pool: PgPool) {
    // Browsers ask for compression; the compression layer polls a body once past its
    // end, which a stream that is not fused answers with a panic mid-download.
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    ada.create_task("Alpha", "").await;
    for path in ["/tasks/export.json", "/tasks/export.csv"] {
        let request = axum::http::Request::get(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = ada.send(request).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.header("content-encoding"), Some("gzip"), "{path}");
        assert!(!response.body.is_empty(), "{path}");
    }
}
