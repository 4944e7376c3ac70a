//! The server binary's commands: `serve` (the default) and what operators do to
//! accounts from a shell, with the server's own configuration and no web page to
//! attack: list people, deactivate and reactivate an account. Each says what it did.

use std::{collections::HashMap, fmt::Write as _, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{
    auth::{
        domain::Email,
        ssr::users::{self, Activation},
    },
    config::Config,
    db::{self, Db},
    error::AppError,
    tasks::ssr::repo,
};

#[derive(Debug, Parser)]
#[command(
    name = "tasks",
    about = "The task manager's server, and what operators do to its accounts.",
    long_about = "Serves the app (the default), or runs one operator command against the \
                  database it is configured for (DATABASE_URL and the rest, from the \
                  environment and .env, as the server reads them)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Serve the app (what the binary does without a command).
    Serve,
    /// List everyone with an account: email, name, created, active, tasks.
    People,
    /// Deactivate an account: it is signed out everywhere at once and cannot log in.
    Deactivate {
        /// The account's email.
        email: String,
    },
    /// Let a deactivated account log in again.
    Reactivate {
        /// The account's email.
        email: String,
    },
}

/// Why a command did not do what was asked, in words for the operator.
#[derive(Debug)]
pub enum CommandError {
    /// The input was wrong (an email of no account, a malformed one): exit code 2.
    Refused(String),
    /// The database failed: exit code 1.
    Failed(AppError),
}

impl From<sqlx::Error> for CommandError {
    fn from(error: sqlx::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<AppError> for CommandError {
    fn from(error: AppError) -> Self {
        Self::Failed(error)
    }
}

/// Runs an operator command (anything but `serve`) and answers what to print.
pub async fn run_command(db: &Db, command: &Command) -> Result<String, CommandError> {
    match command {
        Command::Serve => Ok(String::new()),
        Command::People => people(db).await,
        Command::Deactivate { email } => set_active(db, email, false).await,
        Command::Reactivate { email } => set_active(db, email, true).await,
    }
}

async fn people(db: &Db) -> Result<String, CommandError> {
    let (people, totals) = db
        .atomic(async |conn| {
            let people = users::people(conn).await?;
            let totals = repo::task_totals(conn).await?;
            Ok::<_, sqlx::Error>((people, totals))
        })
        .await?;
    let totals: HashMap<i64, i64> = totals.into_iter().collect();
    let rows: Vec<[String; 5]> = people
        .iter()
        .map(|person| {
            [
                person.email.clone(),
                person.name.clone(),
                crate::moment::Moment::of(person.created_at).text,
                if person.is_active { "yes" } else { "no" }.to_owned(),
                totals.get(&person.id).copied().unwrap_or(0).to_string(),
            ]
        })
        .collect();
    let header = ["EMAIL", "NAME", "CREATED", "ACTIVE", "TASKS"].map(str::to_owned);
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let _ = write!(
        out,
        "{} {}",
        people.len(),
        if people.len() == 1 {
            "person"
        } else {
            "people"
        }
    );
    Ok(out)
}

async fn set_active(db: &Db, email: &str, active: bool) -> Result<String, CommandError> {
    let email = Email::parse(email).map_err(|error| CommandError::Refused(error.message))?;
    let outcome = db
        .atomic(async |conn| users::set_active(conn, &email, active).await)
        .await?;
    let email = email.as_str();
    match (outcome, active) {
        (Activation::NoSuchAccount, _) => Err(CommandError::Refused(format!(
            "No account has the email {email}. `tasks people` lists them."
        ))),
        (Activation::AlreadySo, true) => Ok(format!("{email} is already active; nothing changed.")),
        (Activation::AlreadySo, false) => {
            Ok(format!("{email} is already deactivated; nothing changed."))
        }
        (Activation::Changed { .. }, true) => {
            Ok(format!("Reactivated {email}: it can log in again."))
        }
        (Activation::Changed { sessions_ended }, false) => Ok(format!(
            "Deactivated {email}: signed out of {sessions_ended} session{}; it cannot log in \
             until reactivated.",
            if sessions_ended == 1 { "" } else { "s" }
        )),
    }
}

/// Runs an operator command as the binary: configuration, database, the command,
/// its words on stdout (or the reason on stderr), an exit code.
pub async fn main(command: &Command) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let db = match db::connect(&config.database).await {
        Ok(db) => db,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = run_command(&db, command).await;
    db.pool().close().await;
    match result {
        Ok(words) => {
            println!("{words}");
            ExitCode::SUCCESS
        }
        Err(CommandError::Refused(reason)) => {
            eprintln!("error: {reason}");
            ExitCode::from(2)
        }
        Err(CommandError::Failed(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
