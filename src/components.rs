//! UI pieces every feature's islands share: a form that checks its input before it
//! sends it, the alert that shows what went wrong, and a safe `<textarea>`.

use leptos::{
    ev::SubmitEvent,
    form::FromFormData,
    prelude::*,
    server_fn::{client::Client, codec::PostUrl, request::ClientReq, Http, ServerFn},
    web_sys::FormData,
};
use serde::de::DeserializeOwned;

use crate::{error::AppError, validation::FieldError};

/// Checks a form's arguments in the browser, with the same domain types the server
/// uses, so mistakes show at once; the server checks again regardless.
pub type Validate<S> = fn(&S) -> Result<(), FieldError>;

/// A `<form>` that posts to server function `S`: a plain form post without
/// JavaScript; hydrated, it validates with `validate`, then dispatches `action`
/// without a page load. `novalidate` because the browser's own bubbles are not
/// announced as alerts; hints like `maxlength` still help while typing.
#[component]
pub fn ValidatedForm<S, OutputProtocol>(
    action: ServerAction<S>,
    validate: Validate<S>,
    #[prop(optional, into)] class: Option<&'static str>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> impl IntoView
where
    S: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, OutputProtocol>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Client: Client<AppError>,
    <<S::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData: From<FormData>,
    S::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let result = match S::from_event(&ev) {
            Ok(input) => validate(&input)
                .map(|()| input)
                .map_err(AppError::Validation),
            Err(error) => Err(AppError::BadRequest {
                detail: error.to_string(),
            }),
        };
        match result {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(error) => action.value().set(Some(Err(error))),
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <form action=S::url() method="post" novalidate class=class node_ref=node_ref on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The latest error of `action`, in an element with role `alert` so screen readers
/// announce it; nothing while there is none.
#[component]
pub fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let error = Signal::derive(move || {
        action.value().with(|value| {
            value
                .as_ref()
                .and_then(|result| result.as_ref().err().cloned())
        })
    });
    view! { <Alert error /> }
}

/// `error`, when there is one, in an element with role `alert`.
#[component]
pub fn Alert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|error| view! { <p role="alert" class="form-error">{error.to_string()}</p> })
    }
}

/// A `ServerAction` for `S` that starts out holding `returned`: the error a failed
/// plain form post brought back in the URL. The page reads it on the server and
/// passes it to its island as a prop, because the island's browser half cannot see
/// the request the page was rendered for.
pub fn server_action<S>(returned: Option<AppError>) -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some(error) = returned {
        action.value().set(Some(Err(error)));
    }
    action
}

/// Runs `then` in the browser each time `action` succeeds.
pub fn on_success<S, T>(action: ServerAction<S>, then: impl Fn(T) + 'static)
where
    S: ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(output)) = action.value().get() {
            then(output);
        }
    });
}

/// The hidden `key` that makes a create form's submission happen once (see
/// `submissions`): the key the server rendered the form with, then, after each of
/// `used` submissions that succeeded in place, a new one, so that adding the same
/// text again on purpose is not taken for a resend of the first.
#[component]
pub fn SubmissionKey(key: String, #[prop(into)] used: Signal<u32>) -> impl IntoView {
    let value = move || match used.get() {
        0 => key.clone(),
        n => format!("{key}.{n}"),
    };
    view! { <input type="hidden" name="key" value=value /> }
}

/// Sends the browser to `path` with a full page load: between pages there is no
/// client-side router (islands have none; a server-rendered page is cheap).
pub fn go_to(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::warn!("could not go to {path}: {error:?}");
    }
}

/// A `<textarea>` holding `text`, escaped.
///
/// tachys 0.2.19 (the newest 0.2 release) writes a textarea's children into the
/// HTML unescaped, as it does for `<script>` and `<style>` (`ESCAPE_CHILDREN` is
/// false for `textarea` in its `html/element/elements.rs`): a description holding
/// `</textarea>` would end the box and the rest would become markup. So the text
/// goes in as escaped inner HTML, which the browser's parser turns back into the
/// same characters, whether the server wrote it or the hydrated app sets it.
/// Guarded by the test `a_description_that_looks_like_markup_stays_text`.
#[component]
pub fn TextArea(
    id: &'static str,
    name: &'static str,
    rows: u32,
    #[prop(into)] text: Signal<String>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Textarea>>,
) -> impl IntoView {
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <textarea id=id name=name rows=rows node_ref=node_ref
            inner_html=move || text.with(|t| textarea_html(t)) />
    }
}

/// `text` as a textarea's inner HTML. The HTML parser drops one line break right
/// after `<textarea>`, so the server's copy starts with one of its own and a
/// description that begins with a blank line keeps it; setting `innerHTML` in the
/// browser drops nothing.
fn textarea_html(text: &str) -> String {
    let escaped = html_escape::encode_text(text);
    if cfg!(feature = "ssr") {
        format!("\n{escaped}")
    } else {
        escaped.into_owned()
    }
}
