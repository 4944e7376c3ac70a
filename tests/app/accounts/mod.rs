//! Accounts and sessions: sign up, log in, log out, settings, and the defences
//! around them (throttling, CSRF, session lifetime), through the real router. One
//! file per concern; they share the imports and helpers below.

mod defences;
mod devices;
mod no_js;
mod reset;
mod session_list;
mod sessions;
mod settings;
mod sign_up_and_log_in;
mod throttling;

use sqlx::PgPool;

async fn user_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
        .unwrap()
}
