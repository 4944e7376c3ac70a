//! What a plain form post sends back in the query string (the error, what was
//! typed, "saved") is shown only from a URL the app signed: a crafted link cannot
//! make a page say what the app did not.

use leptos::server_fn::error::ServerFnUrlError;
use sqlx::PgPool;
use tasks::error::AppError;

use crate::helpers::TestApp;

const PLANTED: &str = "Your account is locked. Call +1 555 0100 to unlock it.";

#[sqlx::test]
async fn a_crafted_link_cannot_put_an_error_message_on_a_page(pool: PgPool) {
    let app = TestApp::new(pool);
    let url = ServerFnUrlError::new("/api/login", AppError::validation("email", PLANTED))
        .to_url("http://localhost:3000/login?email=ada%40example.com")
        .unwrap();
    let crafted = format!("{}?{}", url.path(), url.query().unwrap());
    let page = app.browser().get(&crafted).await;
    assert!(!page.body.contains("Call +1 555"), "{}", page.body);
    assert!(!page.body.contains("ada@example.com"), "{}", page.body);
    // The same query, signed by the app (as a failed post's way back is), is shown:
    // the channel works, and only the signature decides.
    let page = app.browser().get(&app.signed(&crafted).await).await;
    assert!(page.body.contains("Call +1 555"), "{}", page.body);
}

#[sqlx::test]
async fn a_crafted_link_cannot_claim_something_was_saved_or_imported(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    for (path, claim) in [
        ("/account?saved=password", "Password changed"),
        ("/account?saved=name", "Name saved"),
        ("/account?imported=999", "999"),
        ("/account?saved=sessions", "Signed out all other sessions"),
    ] {
        let page = ada.get(path).await;
        assert!(!page.body.contains(claim), "{path}: {}", page.body);
        let page = ada.get(&app.signed(path).await).await;
        assert!(page.body.contains(claim), "{path} signed: {}", page.body);
    }
}

#[sqlx::test]
async fn a_signed_link_that_was_changed_shows_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let signed = app.signed("/account?imported=3").await;
    let page = ada.get(&signed.replace("imported=3", "imported=999")).await;
    assert!(!page.body.contains("999"), "{}", page.body);
}
