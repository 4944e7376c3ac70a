//! The tests' real SMTP server: maildev, started by `scripts/test`, which passes its
//! SMTP address in `TEST_SMTP_URL` and its HTTP API in `TEST_MAILDEV_URL`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;

pub fn smtp_url() -> String {
    std::env::var("TEST_SMTP_URL").expect(
        "TEST_SMTP_URL is not set: run the tests through scripts/test, which starts maildev \
         (a real SMTP server), or start one and set TEST_SMTP_URL and TEST_MAILDEV_URL",
    )
}

fn api_url() -> String {
    std::env::var("TEST_MAILDEV_URL").expect(
        "TEST_MAILDEV_URL is not set: run the tests through scripts/test, which starts maildev",
    )
}

/// An address no other test, and no earlier run against the same maildev, uses.
pub fn unique_address(label: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{label}-{nanos}@example.com")
}

#[derive(Debug, Deserialize)]
pub struct Received {
    pub subject: String,
    #[serde(default)]
    pub text: String,
    pub from: Vec<Address>,
    pub to: Vec<Address>,
}

#[derive(Debug, Deserialize)]
pub struct Address {
    pub address: String,
}

/// Every mail maildev holds for `address`, oldest first.
pub async fn received_by(address: &str) -> Vec<Received> {
    let all: Vec<Received> = reqwest::get(format!("{}/api/email", api_url()))
        .await
        .expect("maildev answers")
        .json()
        .await
        .expect("maildev's mail list is JSON");
    all.into_iter()
        .filter(|mail| mail.to.iter().any(|to| to.address == address))
        .collect()
}

/// The reset link in a mail, if it has one.
pub fn reset_link(mail: &Received) -> Option<String> {
    mail.text
        .split_whitespace()
        .find(|word| word.contains("/reset-password?token="))
        .map(str::to_owned)
}

/// The token in a reset link.
pub fn token_of(link: &str) -> String {
    link.split_once("token=").expect("a token").1.to_owned()
}
