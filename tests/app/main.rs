//! Integration tests: the real router against a real PostgreSQL, a fresh database
//! per test (`#[sqlx::test]` creates it from DATABASE_URL and runs the migrations).

mod accounts;
mod bad_input;
mod crafted_links;
mod error_answers;
mod foundation;
mod helpers;
mod mail;
mod metrics;
mod operators;
mod pages;
mod pooler;
mod search;
mod submissions;
mod surface;
mod tasks;
mod theme;
mod time_limits;
