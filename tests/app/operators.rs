//! The server binary's operator commands, against a real database: list people,
//! deactivate and reactivate an account.

use axum::http::StatusCode;
use sqlx::PgPool;
use tasks::server::operators::{run_command, Command, CommandError};

use crate::helpers::{TestApp, PASSWORD};

#[sqlx::test]
async fn people_lists_everyone_with_their_tasks_and_whether_they_are_active(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    app.signed_up("bob@example.com").await;
    for title in ["one", "two"] {
        ada.create_task(title, "").await;
    }
    let out = run_command(&app.state.db, &Command::People).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("EMAIL") && lines[0].contains("TASKS"),
        "{out}"
    );
    let ada_line = lines
        .iter()
        .find(|l| l.starts_with("ada@example.com"))
        .unwrap();
    assert!(
        ada_line.contains("Test Person") && ada_line.contains("UTC"),
        "{ada_line}"
    );
    assert!(
        ada_line.ends_with(" 2") && ada_line.contains(" yes "),
        "{ada_line}"
    );
    let bob_line = lines
        .iter()
        .find(|l| l.starts_with("bob@example.com"))
        .unwrap();
    assert!(bob_line.ends_with(" 0"), "{bob_line}");
    assert_eq!(lines.last(), Some(&"2 people"));
}

#[sqlx::test]
async fn deactivating_ends_every_session_at_once_and_reactivating_lets_them_back(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut laptop = app.signed_up("ada@example.com").await;
    let mut phone = app.browser();
    phone.log_in("ada@example.com", PASSWORD).await;
    let deactivate = Command::Deactivate {
        email: " Ada@Example.com ".into(),
    };
    let out = run_command(&app.state.db, &deactivate).await.unwrap();
    assert_eq!(
        out,
        "Deactivated ada@example.com: signed out of 2 sessions; it cannot log in until reactivated."
    );
    assert_eq!(laptop.whoami().await, None);
    assert_eq!(phone.whoami().await, None);
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let again = run_command(&app.state.db, &deactivate).await.unwrap();
    assert_eq!(
        again,
        "ada@example.com is already deactivated; nothing changed."
    );
    let people = run_command(&app.state.db, &Command::People).await.unwrap();
    assert!(
        people
            .lines()
            .any(|l| l.starts_with("ada@example.com") && l.contains(" no ")),
        "{people}"
    );

    let reactivate = Command::Reactivate {
        email: "ada@example.com".into(),
    };
    let out = run_command(&app.state.db, &reactivate).await.unwrap();
    assert_eq!(out, "Reactivated ada@example.com: it can log in again.");
    assert_eq!(
        app.log_in_status("ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn an_email_of_no_account_is_refused_and_nothing_changes(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    for email in ["nobody@example.com", "not an email"] {
        let result = run_command(
            &app.state.db,
            &Command::Deactivate {
                email: email.into(),
            },
        )
        .await;
        match result {
            Err(CommandError::Refused(reason)) => assert!(!reason.is_empty()),
            other => panic!("{email}: {other:?}"),
        }
    }
    assert!(ada.whoami().await.is_some());
}

#[test]
fn the_binary_explains_its_commands() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    for command in ["serve", "people", "deactivate", "reactivate"] {
        assert!(help.contains(command), "{help}");
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tasks"))
        .arg("promote")
        .output()
        .unwrap();
    assert!(!output.status.success());
}
