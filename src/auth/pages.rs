//! The account pages: sign up, log in, account settings, and the signed-in header.

use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

use super::{
    domain::{Email, Name, Password, PasswordAttempt, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    Auth, ChangePassword, DeleteAccount, LogIn, LogOut, SignUp, UpdateName, User,
};
use crate::components::{on_success, typed, ActionError, ValidatedForm};

#[component]
pub fn SignupPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let action = ServerAction::<SignUp>::new();
    let navigate = use_navigate();
    on_success(action, move |()| {
        auth.refresh();
        navigate("/", NavigateOptions::default());
    });
    let password = NodeRef::<leptos::html::Input>::new();
    clear_password_on_error(action, password);
    view! {
        <Title text="Sign up" />
        <RedirectIfSignedIn />
        <main class="narrow">
            <h1>"Sign up"</h1>
            <ValidatedForm action validate=|input: &SignUp| {
                Name::parse(&input.name)?;
                Email::parse(&input.email)?;
                Password::parse(&input.password, "password")?;
                Ok(())
            }>
                <ActionError action />
                <label for="signup-name">"Name"</label>
                <input id="signup-name" name="name" type="text" autocomplete="name" required
                    value=typed("name") />
                <label for="signup-email">"Email"</label>
                <input id="signup-email" name="email" type="email" autocomplete="email" required
                    value=typed("email") />
                <label for="signup-password">"Password"</label>
                <input id="signup-password" name="password" type="password" autocomplete="new-password" required
                    minlength=PASSWORD_MIN_CHARS node_ref=password
                    aria-describedby="signup-password-hint" />
                <p id="signup-password-hint" class="hint">
                    {format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. A few words strung together make a good one.")}
                </p>
                <button type="submit" disabled=move || action.pending().get()>"Sign up"</button>
            </ValidatedForm>
            <p>"Already have an account? " <A href="/login">"Log in"</A></p>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let action = ServerAction::<LogIn>::new();
    let navigate = use_navigate();
    on_success(action, move |destination: String| {
        auth.refresh();
        navigate(&destination, NavigateOptions::default());
    });
    let password = NodeRef::<leptos::html::Input>::new();
    clear_password_on_error(action, password);
    view! {
        <Title text="Log in" />
        <RedirectIfSignedIn />
        <main class="narrow">
            <h1>"Log in"</h1>
            <ValidatedForm action validate=|input: &LogIn| {
                Email::parse(&input.email)?;
                PasswordAttempt::for_log_in(&input.password).map(drop)
            }>
                <ActionError action />
                <input type="hidden" name="next" value=typed("next") />
                <label for="login-email">"Email"</label>
                <input id="login-email" name="email" type="email" autocomplete="email" required
                    value=typed("email") />
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password"
                    required node_ref=password />
                <button type="submit" disabled=move || action.pending().get()>"Log in"</button>
            </ValidatedForm>
            <p>"New here? " <A href="/signup">"Sign up"</A></p>
        </main>
    }
}

/// After a failed attempt the password box is emptied (the rest stays as typed).
fn clear_password_on_error<S>(action: ServerAction<S>, password: NodeRef<leptos::html::Input>)
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|value| matches!(value, Some(Err(_)))) {
            if let Some(input) = password.get_untracked() {
                input.set_value("");
            }
        }
    });
}

/// Sends a signed-in visitor of the log-in and sign-up pages to their tasks.
#[component]
fn RedirectIfSignedIn() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                matches!(auth.user.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Suspense>
    }
}

/// Renders `children` for a signed-in person; sends anyone else to the log-in page,
/// with the way back in `next` (on the server: an HTTP redirect).
#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(_)) => EitherOf3::A(children.read_value()()),
                    Ok(None) => {
                        let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                        let next = if here == "/" { String::new() } else { format!("?next={}", encode(&here)) };
                        EitherOf3::B(view! { <Redirect path=format!("/login{next}") /> })
                    }
                    Err(error) => EitherOf3::C(view! { <p role="alert" class="form-error">{error.to_string()}</p> }),
                }
            })}
        </Suspense>
    }
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

/// The signed-in header: the person's name, "Account", and "Log out".
#[component]
pub fn UserMenu(user: User) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let action = ServerAction::<LogOut>::new();
    let navigate = use_navigate();
    on_success(action, move |()| {
        auth.refresh();
        navigate("/login", NavigateOptions::default());
    });
    view! {
        <nav class="user-menu" aria-label="Account">
            <span class="user-name">{user.name}</span>
            <A href="/account">"Account"</A>
            <ValidatedForm action validate=|_: &LogOut| Ok(()) class="inline">
                <button type="submit" disabled=move || action.pending().get()>"Log out"</button>
            </ValidatedForm>
        </nav>
    }
}

/// The account page: profile, password, then `children` (what other features let
/// a person do with their account, composed in `app.rs`), then deleting it.
#[component]
pub fn AccountPage(children: Children) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let navigate = use_navigate();

    let rename = ServerAction::<UpdateName>::new();
    on_success(rename, move |()| auth.refresh());
    let current_name = move || {
        auth.user
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|user| user.name)
            .unwrap_or_default()
    };
    let typed_name = typed("name");
    // Without JavaScript a success arrives as a redirect to `?saved=...`.
    let saved = typed("saved");

    let change = ServerAction::<ChangePassword>::new();
    let change_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            if let Some(form) = change_form.get_untracked() {
                form.reset();
            }
        }
    });

    let delete = ServerAction::<DeleteAccount>::new();
    on_success(delete, move |()| {
        auth.refresh();
        navigate("/signup", NavigateOptions::default());
    });

    view! {
        <Title text="Account" />
        <main class="narrow">
            <h1>"Account"</h1>
            <section aria-labelledby="profile-heading">
                <h2 id="profile-heading">"Profile"</h2>
                <ValidatedForm action=rename validate=|input: &UpdateName| Name::parse(&input.name).map(drop)>
                    <ActionError action=rename />
                    {move || (matches!(rename.value().get(), Some(Ok(()))) || saved() == "name").then(|| view! { <p role="status">"Name saved."</p> })}
                    <label for="profile-name">"Name"</label>
                    <input id="profile-name" name="name" type="text" autocomplete="name" required
                        value=move || { let typed = typed_name(); if typed.is_empty() { current_name() } else { typed } } />
                    <button type="submit" disabled=move || rename.pending().get()>"Save name"</button>
                </ValidatedForm>
            </section>
            <section aria-labelledby="password-heading">
                <h2 id="password-heading">"Password"</h2>
                <ValidatedForm action=change node_ref=change_form validate=|input: &ChangePassword| {
                    PasswordAttempt::current(&input.current_password)?;
                    Password::parse(&input.new_password, "new_password").map(drop)
                }>
                    <ActionError action=change />
                    {move || (matches!(change.value().get(), Some(Ok(()))) || saved() == "password").then(|| view! {
                        <p role="status">"Password changed. Your other sessions have been signed out."</p>
                    })}
                    <label for="password-current">"Current password"</label>
                    <input id="password-current" name="current_password" type="password" autocomplete="current-password" required />
                    <label for="password-new">"New password"</label>
                    <input id="password-new" name="new_password" type="password" autocomplete="new-password" required
                        minlength=PASSWORD_MIN_CHARS />
                    <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
                </ValidatedForm>
            </section>
            {children()}
            <section aria-labelledby="delete-heading">
                <h2 id="delete-heading">"Delete account"</h2>
                <p>"This deletes your account and all your tasks, for good."</p>
                <ValidatedForm action=delete validate=|input: &DeleteAccount| {
                    PasswordAttempt::current(&input.current_password).map(drop)
                }>
                    <ActionError action=delete />
                    <label for="delete-current">"Current password"</label>
                    <input id="delete-current" name="current_password" type="password" autocomplete="current-password" required />
                    <button type="submit" class="danger" disabled=move || delete.pending().get()>"Delete account"</button>
                </ValidatedForm>
            </section>
        </main>
    }
}
