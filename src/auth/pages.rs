//! The account pages as server components (they ship no code): sign up, log in,
//! account settings, the signed-in header's menu, and the gate in front of every
//! page that needs a signed-in person. Their forms are the islands in `islands`.

use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
    server_fn::ServerFn,
};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_location};

use super::{
    islands::{
        DeadLink, DeleteAccountForm, ForgotPasswordForm, LoginForm, PasswordForm, ProfileForm,
        ResetPasswordForm, SessionList, SessionsSaved, SignupForm,
    },
    ssr, ChangePassword, DeleteAccount, EndOtherSessions, EndSession, LogIn, LogOut,
    RequestPasswordReset, ResetPassword, SignUp, UpdateName, User,
};
use crate::{forms::returned_error, identity::signed_in_user, page::Query, state::AppState};

#[component]
pub fn SignupPage() -> impl IntoView {
    let query = Query::read();
    view! {
        <Title text="Sign up" />
        <RedirectIfSignedIn />
        <main class="narrow">
            <h1>"Sign up"</h1>
            <SignupForm name=query.returned("name") email=query.returned("email")
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
            <LoginForm email=query.returned("email") next=query.text("next")
                error={returned_error::<LogIn>()} />
            <p><a href="/forgot-password">"Forgot password?"</a></p>
            <p>"New here? " <a href="/signup">"Sign up"</a></p>
        </main>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = Query::read();
    let enabled = AppState::from_context().is_ok_and(|state| state.outbox.enabled());
    let form = if enabled {
        Either::Left(view! {
            <p>"Enter the email of your account and we will send you a link to choose a new password."</p>
            <ForgotPasswordForm email=query.returned("email") sent={!query.returned("sent").is_empty()}
                error={returned_error::<RequestPasswordReset>()} />
        })
    } else {
        Either::Right(view! {
            <p role="status">
                "Password reset by email is turned off on this server. \
                 Ask the people who run it to reset your password."
            </p>
        })
    };
    view! {
        <Title text="Reset your password" />
        <main class="narrow">
            <h1>"Reset your password"</h1>
            {form}
            <p><a href="/login">"Back to log in"</a></p>
        </main>
    }
}

/// The sessions list, once its rows are read.
#[component]
fn Sessions(saved: SessionsSaved) -> impl IntoView {
    let end_error = returned_error::<EndSession>();
    let end_others_error = returned_error::<EndOtherSessions>();
    Suspend::new(async move {
        match ssr::sessions().await {
            Ok(sessions) => Either::Left(view! {
                <SessionList sessions saved end_error end_others_error />
            }),
            Err(error) => Either::Right(view! {
                <p role="alert" class="form-error">{error.to_string()}</p>
            }),
        }
    })
}

/// `/reset-password?token=...`: the form when the link works, else the message that
/// it does not, with the way to a new one.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = Query::read().text("token");
    let error = returned_error::<ResetPassword>();
    Suspend::new(async move {
        let works = match AppState::from_context() {
            Ok(state) => ssr::reset::link_works(&state.db, &token).await,
            Err(error) => Err(error),
        };
        let body = match works {
            Ok(true) => EitherOf3::A(view! { <ResetPasswordForm token error /> }),
            Ok(false) => EitherOf3::B(view! { <DeadLink /> }),
            Err(error) => EitherOf3::C(view! {
                <p role="alert" class="form-error">{error.to_string()}</p>
            }),
        };
        view! {
            <Title text="Choose a new password" />
            <main class="narrow">
                <h1>"Choose a new password"</h1>
                {body}
            </main>
        }
    })
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
    let typed_name = query.returned("name");
    let name = if typed_name.is_empty() {
        signed_in_user().map(|user| user.name).unwrap_or_default()
    } else {
        typed_name
    };
    // Without JavaScript a success arrives as a redirect to `?saved=...`.
    let saved = query.returned("saved");
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
            <section aria-labelledby="sessions-heading">
                <h2 id="sessions-heading">"Sessions"</h2>
                <p>"Where you are signed in. Sign out any session you do not recognise, then change your password."</p>
                <Sessions saved={match saved.as_str() {
                    "session" => SessionsSaved::EndedOne,
                    "sessions" => SessionsSaved::EndedOthers,
                    _ => SessionsSaved::Nothing,
                }} />
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
