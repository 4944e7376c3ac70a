//! What a plain form post sends back in the query string (the error, what was
//! typed, "saved") is shown only from a URL the app signed: a crafted link cannot
//! make a page say what the app did not.

use leptos::server_fn::error::ServerFnUrlError;
use sqlx::PgPool;
use tasks::error::AppError;

use crate::helpers::{plain_form_post, TestApp};

const PLANTED: &str = "Your account is locked. Call +1 555 0100 to unlock it.";

#[sqlx::test]
async fn a_crafted_link_cannot_put_an_error_message_on_a_page(pool: PgPool) {
    let app = TestApp::new(pool);
    let url = ServerFnUrlError::new("/api/login", AppError::validation("email", PLANTED))
        .to_url("http://localhost:3000/login?email=ada%40example.com")
        .unwrap();
    let crafted = format!("{}?{}", url.path(), url.query().unwrap());
    let mut victim = app.browser();
    let page = victim.get(&crafted).await;
    assert!(!page.body.contains("Call +1 555"), "{}", page.body);
    assert!(!page.body.contains("ada@example.com"), "{}", page.body);
    // The same query, signed by the app for this browser (as a failed post's way
    // back is), is shown: the channel works, and only the signature decides.
    let signed = app.signed(&mut victim, &crafted).await;
    let page = victim.get(&signed).await;
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
        let signed = app.signed(&mut ada, path).await;
        let page = ada.get(&signed).await;
        assert!(page.body.contains(claim), "{path} signed: {}", page.body);
    }
}

#[sqlx::test]
async fn a_signed_link_that_was_changed_shows_nothing(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut ada = app.signed_up("ada@example.com").await;
    let signed = app.signed(&mut ada, "/account?imported=3").await;
    let page = ada.get(&signed.replace("imported=3", "imported=999")).await;
    assert!(!page.body.contains("999"), "{}", page.body);
}

#[sqlx::test]
async fn a_way_back_signed_for_one_browser_shows_nothing_in_another(pool: PgPool) {
    let app = TestApp::new(pool);
    let mut victim = app.browser();
    // Mallory posts a failing form herself, with a Referer of her choosing (claims
    // and text of her own in its query), and gets a signed way back.
    let mut mallory = app.browser();
    let response = mallory
        .send(plain_form_post(
            "/api/login",
            "http://localhost:3000/login?filter=active&saved=password&imported=424242&name=Call+555",
            &[
                ("email", "ada@example.com"),
                ("password", "wrong password!!"),
            ],
        ))
        .await;
    let way_back = response.header("location").expect("a way back").to_owned();
    assert!(way_back.contains("__sig="), "{way_back}");
    assert!(
        way_back.contains("filter=active")
            && !way_back.contains("saved=")
            && !way_back.contains("424242")
            && !way_back.contains("Call"),
        "only where the page is survives from the Referer: {way_back}"
    );
    // Even her own signed way back says nothing to Ada's browser.
    let page = victim.get(&way_back).await;
    assert!(
        !page.body.contains("Invalid email or password"),
        "{}",
        page.body
    );
    // In Mallory's browser it shows the error her post earned.
    let page = mallory.get(&way_back).await;
    assert!(
        page.body.contains("Invalid email or password"),
        "{}",
        page.body
    );
}
