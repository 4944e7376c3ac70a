//! The account forms people fill in, as islands: the only parts of the account
//! pages that ship code. Each checks its input with the shared domain types before
//! it sends it and shows the server's answer in place; without JavaScript each is
//! a plain form post. What an island shows at first (what was typed, the error a
//! plain post brought back, "saved") comes in as props from its page.

use leptos::{either::Either, prelude::*};

use super::{
    domain::{Email, Name, Password, PasswordAttempt, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    ChangePassword, DeleteAccount, EndOtherSessions, EndSession, LogIn, RequestPasswordReset,
    ResetPassword, SessionSummary, SignUp, UpdateName,
};
use crate::{
    components::{go_to, on_success, server_action, ActionError, ValidatedForm},
    error::AppError,
    moment::Time,
};

#[island]
pub fn SignupForm(name: String, email: String, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<SignUp>(error);
    on_success(action, |()| go_to("/"));
    let password = NodeRef::<leptos::html::Input>::new();
    clear_password_on_error(action, password);
    view! {
        <ValidatedForm action validate=|input: &SignUp| {
            Name::parse(&input.name)?;
            Email::parse(&input.email)?;
            Password::parse(&input.password, "password")?;
            Ok(())
        }>
            <ActionError action />
            <label for="signup-name">"Name"</label>
            <input id="signup-name" name="name" type="text" autocomplete="name" required value=name />
            <label for="signup-email">"Email"</label>
            <input id="signup-email" name="email" type="email" autocomplete="email" required value=email />
            <label for="signup-password">"Password"</label>
            <input id="signup-password" name="password" type="password" autocomplete="new-password" required
                minlength=PASSWORD_MIN_CHARS node_ref=password
                aria-describedby="signup-password-hint" />
            <p id="signup-password-hint" class="hint">
                {format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters. A few words strung together make a good one.")}
            </p>
            <button type="submit" disabled=move || action.pending().get()>"Sign up"</button>
        </ValidatedForm>
    }
}

/// `next`: where to go after logging in (the server checks it is a path of this site).
#[island]
pub fn LoginForm(email: String, next: String, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<LogIn>(error);
    on_success(action, |destination: String| go_to(&destination));
    let password = NodeRef::<leptos::html::Input>::new();
    clear_password_on_error(action, password);
    view! {
        <ValidatedForm action validate=|input: &LogIn| {
            Email::parse(&input.email)?;
            PasswordAttempt::for_log_in(&input.password).map(drop)
        }>
            <ActionError action />
            <input type="hidden" name="next" value=next />
            <label for="login-email">"Email"</label>
            <input id="login-email" name="email" type="email" autocomplete="email" required value=email />
            <label for="login-password">"Password"</label>
            <input id="login-password" name="password" type="password" autocomplete="current-password"
                required node_ref=password />
            <button type="submit" disabled=move || action.pending().get()>"Log in"</button>
        </ValidatedForm>
    }
}

/// Asks for a reset link. `sent`: a plain post came back accepted.
#[island]
pub fn ForgotPasswordForm(email: String, sent: bool, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<RequestPasswordReset>(error);
    let sent = move || sent || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ValidatedForm action validate=|input: &RequestPasswordReset| Email::parse(&input.email).map(drop)>
            <ActionError action />
            {move || sent().then(|| view! {
                <p role="status">"If an account exists for that email, we sent a link to reset its password."</p>
            })}
            <label for="forgot-email">"Email"</label>
            <input id="forgot-email" name="email" type="email" autocomplete="email" required value=email />
            <button type="submit" disabled=move || action.pending().get()>"Send reset link"</button>
        </ValidatedForm>
    }
}

/// Sets a new password with the link's `token`. A link that stopped working while
/// the page was open gets the same message as a dead link on arrival.
#[island]
pub fn ResetPasswordForm(token: String, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<ResetPassword>(error);
    on_success(action, |()| go_to("/"));
    let password = NodeRef::<leptos::html::Input>::new();
    clear_password_on_error(action, password);
    let dead_link = move || {
        action
            .value()
            .with(|value| matches!(value, Some(Err(AppError::Validation(e))) if e.field == "token"))
    };
    view! {
        <ValidatedForm action validate=|input: &ResetPassword| {
            Password::parse(&input.new_password, "new_password").map(drop)
        }>
            {move || if dead_link() {
                Either::Left(view! { <DeadLink /> })
            } else {
                Either::Right(view! { <ActionError action /> })
            }}
            <input type="hidden" name="token" value=token />
            <label for="reset-password">"New password"</label>
            <input id="reset-password" name="new_password" type="password" autocomplete="new-password" required
                minlength=PASSWORD_MIN_CHARS node_ref=password aria-describedby="reset-password-hint" />
            <p id="reset-password-hint" class="hint">
                {format!("{PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters.")}
            </p>
            <button type="submit" disabled=move || action.pending().get()>"Set new password"</button>
        </ValidatedForm>
    }
}

/// What a used, expired or unknown reset link shows, with the way to a new one.
#[component]
pub fn DeadLink() -> impl IntoView {
    view! {
        <p role="alert" class="form-error">
            {super::LINK_NO_LONGER_WORKS} " " <a href="/forgot-password">"Send a new link"</a>
        </p>
    }
}

/// After a failed attempt the password box is emptied (the rest stays as typed).
fn clear_password_on_error<S>(action: ServerAction<S>, password: NodeRef<leptos::html::Input>)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
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

/// `name`: what the box shows (the saved name, or what a failed post sent back).
#[island]
pub fn ProfileForm(name: String, saved: bool, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<UpdateName>(error);
    let input = NodeRef::<leptos::html::Input>::new();
    // The header is server-rendered and has no code of its own, so the island that
    // changed the name puts the new one there.
    on_success(action, move |()| {
        let typed = input.get_untracked().map(|i| i.value()).unwrap_or_default();
        if let (Ok(name), Ok(Some(header))) =
            (Name::parse(&typed), document().query_selector(".user-name"))
        {
            header.set_text_content(Some(name.as_str()));
        }
    });
    let saved = move || saved || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ValidatedForm action validate=|input: &UpdateName| Name::parse(&input.name).map(drop)>
            <ActionError action />
            {move || saved().then(|| view! { <p role="status">"Name saved."</p> })}
            <label for="profile-name">"Name"</label>
            <input id="profile-name" name="name" type="text" autocomplete="name" required
                value=name node_ref=input />
            <button type="submit" disabled=move || action.pending().get()>"Save name"</button>
        </ValidatedForm>
    }
}

#[island]
pub fn PasswordForm(saved: bool, error: Option<AppError>) -> impl IntoView {
    let action = server_action::<ChangePassword>(error);
    let form = NodeRef::<leptos::html::Form>::new();
    on_success(action, move |()| {
        if let Some(form) = form.get_untracked() {
            form.reset();
        }
    });
    let saved = move || saved || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ValidatedForm action node_ref=form validate=|input: &ChangePassword| {
            PasswordAttempt::current(&input.current_password)?;
            Password::parse(&input.new_password, "new_password").map(drop)
        }>
            <ActionError action />
            {move || saved().then(|| view! {
                <p role="status">"Password changed. Your other sessions have been signed out."</p>
            })}
            <label for="password-current">"Current password"</label>
            <input id="password-current" name="current_password" type="password" autocomplete="current-password" required />
            <label for="password-new">"New password"</label>
            <input id="password-new" name="new_password" type="password" autocomplete="new-password" required
                minlength=PASSWORD_MIN_CHARS />
            <button type="submit" disabled=move || action.pending().get()>"Change password"</button>
        </ValidatedForm>
    }
}

#[island]
pub fn DeleteAccountForm(error: Option<AppError>) -> impl IntoView {
    let action = server_action::<DeleteAccount>(error);
    on_success(action, |()| go_to("/signup"));
    view! {
        <ValidatedForm action validate=|input: &DeleteAccount| {
            PasswordAttempt::current(&input.current_password).map(drop)
        }>
            <ActionError action />
            <label for="delete-current">"Current password"</label>
            <input id="delete-current" name="current_password" type="password" autocomplete="current-password" required />
            <button type="submit" class="danger" disabled=move || action.pending().get()>"Delete account"</button>
        </ValidatedForm>
    }
}

/// What a plain post on the sessions list came back with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SessionsSaved {
    Nothing,
    EndedOne,
    EndedOthers,
}

/// The person's live sessions, each but this browser's with "Sign out", and "Sign
/// out all other sessions". Hydrated, an ended session leaves the list in place.
#[island]
pub fn SessionList(
    sessions: Vec<SessionSummary>,
    saved: SessionsSaved,
    end_error: Option<AppError>,
    end_others_error: Option<AppError>,
) -> impl IntoView {
    let sessions = RwSignal::new(sessions);
    let end = server_action::<EndSession>(end_error);
    let end_others = server_action::<EndOtherSessions>(end_others_error);
    let (status, set_status) = signal(match saved {
        SessionsSaved::Nothing => None,
        SessionsSaved::EndedOne => Some("Signed out that session."),
        SessionsSaved::EndedOthers => Some("Signed out all other sessions."),
    });
    on_success(end, move |handle: String| {
        sessions.update(|all| all.retain(|session| session.handle != handle));
        set_status.set(Some("Signed out that session."));
    });
    on_success(end_others, move |()| {
        sessions.update(|all| all.retain(|session| session.current));
        set_status.set(Some("Signed out all other sessions."));
    });
    let busy = move || end.pending().get() || end_others.pending().get();
    view! {
        <ActionError action=end />
        <ActionError action=end_others />
        <p role="status">{move || status.get()}</p>
        <ul aria-labelledby="sessions-heading" class="sessions" aria-busy=move || busy().to_string()>
            <For each=move || sessions.get() key=|session| session.handle.clone() let:session>
                <li>
                    <span class="device">
                        {session.device}
                        {session.current.then(|| view! { " " <strong class="this-device">"This device"</strong> })}
                    </span>
                    <span class="when">"Started " <Time moment=session.started /></span>
                    <span class="when">"Last used " <Time moment=session.last_used /></span>
                    {(!session.current).then(|| view! {
                        <ValidatedForm action=end validate=|_: &EndSession| Ok(()) class="inline">
                            <input type="hidden" name="handle" value=session.handle />
                            <button type="submit" disabled=busy>"Sign out"</button>
                        </ValidatedForm>
                    })}
                </li>
            </For>
        </ul>
        <ValidatedForm action=end_others validate=|_: &EndOtherSessions| Ok(())>
            <button type="submit" disabled=busy>"Sign out all other sessions"</button>
        </ValidatedForm>
    }
}
