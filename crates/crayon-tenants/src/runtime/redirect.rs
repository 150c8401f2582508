//! Redirects: no credential leaves the API's origin.
//!
//! The client's HTTP client follows a redirect only when it stays on the base URL's origin
//! (scheme, host and port), at most ten in a row: the API's routes are case-insensitive with an
//! optional trailing slash, and a server may well send a call to the spelling it prefers. A
//! redirect anywhere else is refused with [`Error::Redirect`](crate::Error::Redirect), which names
//! where it pointed, and so is any redirect of the token request: a 307 or 308 would send its
//! form, the API user's password included, again. (reqwest alone drops `Authorization` across
//! hosts, but re-sends a 307/308 body to any host.)

use std::fmt;

use reqwest::redirect::{Attempt, Policy};

/// Redirects followed in a row at most, as reqwest's default policy.
const MAX_REDIRECTS: usize = 10;

/// The redirect policy of the client's HTTP client for an API at `base_url`: a redirect is
/// followed only within the base URL's origin (at most ten in a row), never for the token
/// request, and any other is refused with [`Error::Redirect`](crate::Error::Redirect). A `reqwest::Client` given to
/// [`ClientBuilder::reqwest_client`](crate::ClientBuilder::reqwest_client) keeps the guarantee
/// only when it is built with this policy (`reqwest::Client::builder().redirect(..)`);
/// otherwise its own policy applies, and reqwest's default follows redirects to other hosts,
/// re-sending a 307/308 body (a password grant's form included).
pub fn redirect_policy(base_url: &reqwest::Url) -> Policy {
    let origin = base_url.origin();
    Policy::custom(move |attempt: Attempt<'_>| {
        let location = attempt.url().to_string();
        let from_token_request = attempt
            .previous()
            .first()
            .is_some_and(|first| is_token_path(first.path()));
        let elsewhere = attempt.url().origin() != origin;
        if from_token_request || elsewhere || attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectRefused { location })
        } else {
            attempt.follow()
        }
    })
}

/// Whether a path is the token operation's (`.../api/v1/connect/token[/]`, in any case).
fn is_token_path(path: &str) -> bool {
    path.trim_end_matches('/')
        .to_ascii_lowercase()
        .ends_with("/connect/token")
}

/// The error the policy gives reqwest for a redirect it does not follow.
#[derive(Debug)]
struct RedirectRefused {
    location: String,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect to {} refused", self.location)
    }
}

impl std::error::Error for RedirectRefused {}

/// Where a redirect pointed that the policy refused, if `error` is one.
pub(crate) fn refused(error: &reqwest::Error) -> Option<String> {
    if !error.is_redirect() {
        return None;
    }
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if let Some(refused) = error.downcast_ref::<RedirectRefused>() {
            return Some(refused.location.clone());
        }
        cause = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_path_is_recognised_in_any_spelling() {
        for path in [
            "/api/v1/connect/token/",
            "/API/V1/Connect/Token",
            "/prefix/api/v1/connect/token",
        ] {
            assert!(is_token_path(path), "{path}");
        }
        assert!(!is_token_path("/api/v1/customertenants/"));
    }
}
