//! The colour theme: the system's, light or dark, chosen in the header and kept in
//! a cookie, so the server renders the chosen theme from the first byte (no flash of
//! the other one). A plain form post without JavaScript; with it, the page changes
//! at once and the choice is saved in the background.

use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};

use crate::{error::AppError, validation::FieldError};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follows the system's light or dark setting (`prefers-color-scheme`).
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// As the form and the cookie write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|theme| theme.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new("theme", "Choose a theme: System, Light or Dark."))
    }

    /// `<html data-theme>`: none when the system decides (the stylesheet follows
    /// `prefers-color-scheme` then).
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            theme => Some(theme.as_str()),
        }
    }

    /// `<meta name="color-scheme">`: what the browser may paint before the
    /// stylesheet arrives.
    pub fn color_scheme(self) -> &'static str {
        match self {
            Theme::System => "light dark",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Remembers `theme` for this browser, and sends a plain form post back to its page.
#[server(endpoint = "theme")]
pub async fn set_theme(theme: String) -> Result<(), AppError> {
    let result = Theme::parse(&theme)
        .map_err(AppError::from)
        .map(ssr::remember);
    if result.is_ok() {
        crate::forms::redirect_back_without(&[]);
    }
    crate::forms::respond::<SetTheme, _>(result, &[])
}

/// The choice in the header: a select and "Apply theme", a plain form post. Not an
/// island: that would make every page load the WebAssembly bundle for one select.
/// A few lines of script (allowed by the page's CSP nonce) apply a change at once
/// and save it in the background, and hide the button.
#[component]
pub fn ThemePicker(theme: Theme) -> impl IntoView {
    view! {
        <form action=SetTheme::url() method="post" class="theme-picker">
            <label for="theme">"Theme"</label>
            <select id="theme" name="theme">
                {Theme::ALL.map(|choice| view! {
                    <option value=choice.as_str() selected=choice == theme>{choice.label()}</option>
                })}
            </select>
            <button type="submit" class="secondary">"Apply theme"</button>
        </form>
        <script nonce=use_nonce() inner_html=APPLY_AT_ONCE></script>
    }
}

/// The picker's script: run right after its form, which it finds as its previous
/// sibling. A failed save leaves the page as chosen; the next page shows the
/// theme last saved.
const APPLY_AT_ONCE: &str = r#"(() => {
  const form = document.currentScript.previousElementSibling;
  const select = form.querySelector("select");
  form.querySelector("button").hidden = true;
  select.addEventListener("change", () => {
    const root = document.documentElement;
    if (select.value === "system") root.removeAttribute("data-theme");
    else root.dataset.theme = select.value;
    fetch(form.action, {
      method: "POST",
      headers: { accept: "application/json" },
      body: new URLSearchParams(new FormData(form)),
    }).catch(() => {});
  });
})();"#;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The theme cookie.

    use axum::http::request::Parts;
    use leptos::prelude::use_context;
    use tower_sessions::cookie::{Cookie, SameSite};

    use super::Theme;
    use crate::{
        forms::{cookie_name, request_cookie, set_cookie},
        state::AppState,
    };

    /// The theme this request's browser chose; the system's when it chose none
    /// (or sent something this app never wrote).
    pub fn chosen() -> Theme {
        use_context::<Parts>()
            .and_then(|parts| {
                request_cookie(&parts, "__Host-theme").or_else(|| request_cookie(&parts, "theme"))
            })
            .and_then(|raw| Theme::parse(&raw).ok())
            .unwrap_or_default()
    }

    /// Sets the cookie on the answer: a year, every page, not for scripts (the
    /// server renders with it; the page's script already knows what was chosen).
    pub fn remember(theme: Theme) {
        let secure = AppState::from_context().is_ok_and(|state| state.config.served_over_https);
        let cookie = Cookie::build((cookie_name("__Host-theme", secure), theme.as_str()))
            .path("/")
            .max_age(time::Duration::days(365))
            .same_site(SameSite::Lax)
            .secure(secure)
            .http_only(true)
            .build();
        set_cookie(&cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn each_theme_reads_back_as_itself_and_nothing_else_is_a_theme() {
        for theme in Theme::ALL {
            assert_eq!(Theme::parse(theme.as_str()), Ok(theme));
        }
        for raw in ["", "Dark", "blue", "dark; x"] {
            assert!(Theme::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn only_a_chosen_theme_is_forced_on_the_page() {
        assert_eq!(Theme::System.attribute(), None);
        assert_eq!(Theme::Dark.attribute(), Some("dark"));
        assert_eq!(Theme::Light.color_scheme(), "light");
    }
}
