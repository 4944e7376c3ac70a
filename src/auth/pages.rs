//! The account pages as server components (they ship no code): sign up, log in,
//! account settings, the signed-in header's menu, and the gate in front of every
//! page that needs a signed-in person. Their forms are the islands in `islands`.

use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_location};

use super::{
    islands::{DeleteAccountForm, LoginForm, PasswordForm, ProfileForm, SignupForm},
    ChangePassword, DeleteAccount, LogIn, LogOut, SignUp, UpdateName, User,
};
use crate::{forms::returned_error, identity::signed_in_user, page::Query};

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = Query::read();
    view! {
        <Title text="Sign up" />
        <RedirectIfSignedIn />
        <main class="narrow">
            <h1>"Sign up"</h1>
            <SignupForm name=query.text("name") email=query.text("email")
                error={returned_error::<SignUp>()} />
            <p>"Already have an account? " <a href="/login">"Log in"</a></p>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = Query::read();
    view! {
        <Title text="Log in" />
        <RedirectIfSignedIn />
        <main class="narrow">
            <h1>"Log in"</h1>
            <LoginForm email=query.text("email") next=query.text("next")
                error={returned_error::<LogIn>()} />
            <p>"New here? " <a href="/signup">"Sign up"</a></p>
        </main>
    }
}

/// Sends a signed-in visitor of the log-in and sign-up pages to their tasks.
#[component]
fn RedirectIfSignedIn() -> impl IntoView {
    signed_in_user().map(|_| view! { <Redirect path="/" /> })
}

/// Renders `children` for a signed-in person; sends anyone else to the log-in page
/// with the way back in `next`, as an HTTP redirect.
#[component]
pub fn RequireUser(children: Children) -> impl IntoView {
    if signed_in_user().is_some() {
        return Either::Left(children());
    }
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let next = if here == "/" {
        String::new()
    } else {
        format!("?next={}", encode(&here))
    };
    Either::Right(view! { <Redirect path=format!("/login{next}") /> })
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signed-in header: the person's name, "Account", and "Log out". Logging out
/// leaves the page, so it is a plain form post whether or not JavaScript runs.
#[component]
pub fn UserMenu(user: User) -> impl IntoView {
    view! {
        <nav class="user-menu" aria-label="Account">
            <span class="user-name">{user.name}</span>
            <a href="/account">"Account"</a>
            <form action=LogOut::url() method="post" class="inline">
                <button type="submit">"Log out"</button>
            </form>
        </nav>
    }
}

/// The account page: profile, password, then `children` (what other features let
/// a person do with their account, composed in `app.rs`), then deleting it.
#[component]
pub fn AccountPage(children: Children) -> impl IntoView {
    let query = Query::read();
    let typed_name = query.text("name");
    let name = if typed_name.is_empty() {
        signed_in_user().map(|user| user.name).unwrap_or_default()
    } else {
        typed_name
    };
    // Without JavaScript a success arrives as a redirect to `?saved=...`.
    let saved = query.text("saved");
    view! {
        <Title text="Account" />
        <main class="narrow">
            <h1>"Account"</h1>
            <section aria-labelledby="profile-heading">
                <h2 id="profile-heading">"Profile"</h2>
                <ProfileForm name saved={saved == "name"} error={returned_error::<UpdateName>()} />
            </section>
            <section aria-labelledby="password-heading">
                <h2 id="password-heading">"Password"</h2>
                <PasswordForm saved={saved == "password"} error={returned_error::<ChangePassword>()} />
            </section>
            {children()}
            <section aria-labelledby="delete-heading">
                <h2 id="delete-heading">"Delete account"</h2>
                <p>"This deletes your account and all your tasks, for good."</p>
                <DeleteAccountForm error={returned_error::<DeleteAccount>()} />
            </section>
        </main>
    }
}
