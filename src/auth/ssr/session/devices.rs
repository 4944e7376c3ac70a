//! What a person recognises a session by: "Firefox on Windows", from the browser's
//! User-Agent at log-in, parsed by woothee (a maintained parser with its data built in).

/// "Chrome on Linux", "Safari on iPhone", or as much of it as the User-Agent tells.
pub fn describe(user_agent: Option<&str>) -> String {
    let parsed = user_agent
        .filter(|ua| !ua.trim().is_empty())
        .and_then(|ua| woothee::parser::Parser::new().parse(ua));
    let Some(parsed) = parsed else {
        return "Unknown browser".to_owned();
    };
    let known = |name: &str| {
        (!name.is_empty() && name != woothee::woothee::VALUE_UNKNOWN).then(|| name.to_owned())
    };
    let browser = known(parsed.name);
    let system = known(parsed.os).map(|os| match os.as_str() {
        "Mac OSX" => "macOS".to_owned(),
        _ => os,
    });
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        (None, Some(system)) => format!("Unknown browser on {system}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows 10"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
        ];
        for (user_agent, expected) in cases {
            assert_eq!(describe(Some(user_agent)), expected, "{user_agent}");
        }
    }

    #[test]
    fn a_missing_or_unrecognisable_user_agent_is_an_unknown_browser() {
        assert_eq!(describe(None), "Unknown browser");
        assert_eq!(describe(Some("")), "Unknown browser");
        assert_eq!(describe(Some("garbage")), "Unknown browser");
    }
}
