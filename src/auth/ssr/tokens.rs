//! Bearer tokens the app hands out (reset links, trusted-device cookies): 256
//! random bits, written as 43 URL-safe base64 characters; stored only as their
//! SHA-256 (a fast hash suits a random 256-bit token; argon2 is for guessable
//! secrets), so a copy of the database opens nothing.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// A new token and the hash to store for it.
pub fn issue() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    (
        Base64UrlUnpadded::encode_string(&raw),
        Sha256::digest(raw).into(),
    )
}

/// The stored hash of a token of the issued shape; None for anything else, which
/// then works like an unknown token.
pub fn hash_of(token: &str) -> Option<[u8; 32]> {
    let mut raw = [0u8; 32];
    let decoded = Base64UrlUnpadded::decode(token.trim(), &mut raw).ok()?;
    (decoded.len() == 32).then(|| Sha256::digest(raw).into())
}

/// A SHA-256 in hex: how a secret is named where it must not be shown (a session
/// on the account page, a device in a throttle key).
pub fn hex_digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub use crate::signing::hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_hashes_to_what_is_stored_and_nothing_else_does() {
        let (token, stored) = issue();
        assert_eq!(token.len(), 43);
        assert_eq!(hash_of(&token), Some(stored));
        let (other, _) = issue();
        assert_ne!(hash_of(&other), Some(stored));
        for bad in [
            "",
            "abc",
            &token[..42],
            &format!("{token}A"),
            "../../etc/passwd",
        ] {
            assert_eq!(hash_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_hex_digest_is_sha_256_as_postgresql_writes_it() {
        // encode(sha256(convert_to('abc', 'UTF8')), 'hex') in PostgreSQL.
        assert_eq!(
            hex_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
