//! What happens around every call: the client and its settings, the token cache, the one call
//! path (attempts, retries, the shared pause, the deadline, the body limit, spans), redirects,
//! TLS, and the error type.

pub(crate) mod answer;
pub(crate) mod auth;
pub(crate) mod call;
pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod pacing;
pub(crate) mod redirect;
pub(crate) mod retry;
pub(crate) mod tls;
