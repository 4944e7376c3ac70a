//! Account input, parsed once: `Email`, `Name` and `Password` can only hold values that
//! satisfy the rules, so code that has one never checks again.

use crate::validation::{char_count, checked_length, too_long, FieldError};

pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A trimmed, lower-cased email address of sane shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let error = |message: &str| Err(FieldError::new("email", message));
        if email.is_empty() {
            return error("Enter your email address.");
        }
        if char_count(&email) > EMAIL_MAX_CHARS {
            return error(&format!(
                "Email must be at most {EMAIL_MAX_CHARS} characters."
            ));
        }
        if !looks_like_an_email(&email) {
            return error("Enter a valid email address, like name@example.com.");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Deliberately loose (RFC 5322 allows far more than mail servers accept, and the
/// only real test of an address is mail reaching it), but it rejects what is
/// certainly a typo: no `@`, no dot in the domain, spaces, empty parts.
fn looks_like_an_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && char_count(local) <= 64
        && !local.contains('@')
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && char_count(label) <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// A person's display name: trimmed, 1 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        match checked_length(name, "name", "Name", false)? {
            0 => Err(FieldError::new("name", "Enter your name.")),
            n if n > NAME_MAX_CHARS => Err(too_long("name", "Name", NAME_MAX_CHARS, n)),
            _ => Ok(Self(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 12 to 128 characters of anything, taken exactly as typed (never
/// trimmed or truncated, so what the person typed is what they must type again).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// `field` is the form field the password came from (`password`, `new_password`).
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let n = char_count(raw);
        if n < PASSWORD_MIN_CHARS {
            return Err(FieldError::new(
                field,
                format!(
                    "Password must be at least {PASSWORD_MIN_CHARS} characters (it has {n}). \
                     A few words strung together make a good one."
                ),
            ));
        }
        if n > PASSWORD_MAX_CHARS {
            return Err(too_long(field, "Password", PASSWORD_MAX_CHARS, n));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A password typed to prove who someone is (log-in, or confirming an account
/// change): anything but nothing, since it is only compared with the stored hash.
/// The rules for new passwords do not apply: an old password may predate them.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordAttempt(String);

impl PasswordAttempt {
    /// The log-in form's `password`.
    pub fn for_log_in(raw: &str) -> Result<Self, FieldError> {
        Self::parse(raw, "password", "Enter your password.")
    }

    /// `current_password`, asked for before an account change.
    pub fn current(raw: &str) -> Result<Self, FieldError> {
        Self::parse(raw, "current_password", "Enter your current password.")
    }

    fn parse(raw: &str, field: &str, missing: &str) -> Result<Self, FieldError> {
        if raw.is_empty() {
            return Err(FieldError::new(field, missing));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Longer than any password can be (new ones are held to `PASSWORD_MAX_CHARS`,
    /// and so always were): it cannot match, so it is answered without the cost of
    /// hashing it.
    pub fn cannot_match(&self) -> bool {
        char_count(&self.0) > PASSWORD_MAX_CHARS
    }
}

impl std::fmt::Debug for PasswordAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordAttempt(***)")
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM \n").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn an_empty_email_asks_for_one() {
        assert_eq!(
            Email::parse("   ").unwrap_err().message,
            "Enter your email address."
        );
    }

    #[test]
    fn emails_without_an_at_or_a_dotted_domain_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa mple.com",
            "ada@.example.com",
            "ada@example..com",
            "ada@-example.com",
            "ada@example.com.",
        ] {
            let error = Email::parse(bad).unwrap_err();
            assert_eq!(error.field, "email");
            assert!(
                error.message.contains("valid email"),
                "{bad}: {}",
                error.message
            );
        }
    }

    #[test]
    fn emails_with_plus_tags_subdomains_and_non_ascii_letters_are_accepted() {
        for good in [
            "ada+tasks@example.com",
            "a.b@mail.example.co.uk",
            "jürgen@bücher.de",
            "x@a.io",
        ] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn an_email_of_254_characters_is_accepted_and_255_is_refused() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let local_254 = "d".repeat(254 - 1 - domain.len());
        assert!(local_254.len() <= 64);
        assert!(Email::parse(&format!("{local_254}@{domain}")).is_ok());
        let error = Email::parse(&format!("{local_254}e@{domain}")).unwrap_err();
        assert!(error.message.contains("254"), "{}", error.message);
    }

    #[test]
    fn a_name_is_trimmed_and_must_not_be_empty() {
        assert_eq!(
            Name::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(Name::parse(" \t ").unwrap_err().message, "Enter your name.");
    }

    #[test]
    fn a_name_with_a_nul_character_is_refused_and_says_so() {
        let error = Name::parse("Ada\0").unwrap_err();
        assert_eq!(error.field, "name");
        assert!(error.message.contains("NUL"), "{}", error.message);
    }

    #[test]
    fn a_name_of_100_characters_is_accepted_even_when_multi_byte_and_101_is_refused() {
        assert!(Name::parse(&"é".repeat(100)).is_ok());
        assert!(Name::parse(&"名".repeat(100)).is_ok());
        let error = Name::parse(&"名".repeat(101)).unwrap_err();
        assert_eq!(error.field, "name");
        assert!(
            error.message.contains("at most 100") && error.message.contains("101"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_password_of_11_characters_is_refused_and_12_is_accepted() {
        let error = Password::parse(&"a".repeat(11), "password").unwrap_err();
        assert!(error.message.contains("at least 12"), "{}", error.message);
        assert!(Password::parse(&"a".repeat(12), "password").is_ok());
    }

    #[test]
    fn a_password_of_128_characters_is_accepted_and_129_is_refused() {
        assert!(Password::parse(&"a".repeat(128), "password").is_ok());
        let error = Password::parse(&"a".repeat(129), "new_password").unwrap_err();
        assert_eq!(error.field, "new_password");
        assert!(error.message.contains("at most 128"), "{}", error.message);
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        // 12 emoji are 48 bytes but 12 characters: long enough.
        assert!(Password::parse(&"🔑".repeat(12), "password").is_ok());
        // 128 four-byte characters are 512 bytes and still within the limit.
        assert!(Password::parse(&"🔑".repeat(128), "password").is_ok());
        assert!(Password::parse(&"🔑".repeat(11), "password").is_err());
    }

    #[test]
    fn a_password_keeps_its_spaces_exactly() {
        let password = Password::parse("  correct horse  ", "password").unwrap();
        assert_eq!(password.expose(), "  correct horse  ");
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("correct horse battery", "password").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }

    #[test]
    fn a_log_in_password_longer_than_any_password_cannot_match() {
        let longest = "x".repeat(PASSWORD_MAX_CHARS);
        assert!(!PasswordAttempt::for_log_in(&longest)
            .unwrap()
            .cannot_match());
        let longer = format!("{longest}x");
        assert!(PasswordAttempt::for_log_in(&longer).unwrap().cannot_match());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_parsed_email_is_already_in_its_stored_form(raw in "\\PC{0,300}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(email.as_str(), email.as_str().trim().to_lowercase());
                prop_assert!(email.as_str().chars().count() <= EMAIL_MAX_CHARS);
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
            }
        }

        #[test]
        fn a_password_is_accepted_exactly_when_its_character_count_is_in_range(raw in "\\PC{0,200}") {
            let n = raw.chars().count();
            let accepted = Password::parse(&raw, "password").is_ok();
            prop_assert_eq!(accepted, (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n));
        }

        #[test]
        fn a_name_is_trimmed_and_within_limits(raw in "\\PC{0,150}") {
            match Name::parse(&raw) {
                Ok(name) => {
                    prop_assert_eq!(name.as_str(), raw.trim());
                    prop_assert!((1..=NAME_MAX_CHARS).contains(&name.as_str().chars().count()));
                }
                Err(error) => prop_assert_eq!(error.field, "name"),
            }
        }
    }
}
