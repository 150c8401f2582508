//! The TLS backend of the HTTP client that `Client::builder()` makes, chosen by the crate's
//! features:
//!
//! - `rustls` (the default): rustls with the ring crypto provider, or with the process's
//!   default provider when the application installed one. Certificates are checked by the
//!   platform's verifier, as reqwest does.
//! - `rustls-aws-lc`: reqwest's own rustls set-up, with aws-lc-rs (wins over `rustls`).
//! - `native-tls`: the platform's TLS library (used when neither rustls feature is on).
//! - none: plain HTTP only, enough for a mock server; `build()` refuses an `https` base URL.
//!
//! ring is given to reqwest as a ready configuration rather than installed as the process's
//! default provider: installing it would make an application's own later
//! `CryptoProvider::install_default` fail.

use crate::Error;

/// Whether this build can speak HTTPS at all.
pub(crate) const HTTPS: bool = cfg!(any(
    feature = "rustls",
    feature = "rustls-aws-lc",
    feature = "native-tls"
));

/// Puts the chosen backend onto `builder`.
pub(crate) fn configure(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
    return ring::configure(builder);
    #[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
    return Ok(builder);
}

#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
mod ring {
    use std::sync::Arc;

    use rustls::crypto::CryptoProvider;
    use rustls_platform_verifier::BuilderVerifierExt as _;

    use crate::Error;

    pub(super) fn configure(
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
        let tls_error =
            |error: rustls::Error| Error::InvalidRequest(format!("TLS set-up failed: {error}"));
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_platform_verifier()
            .map_err(tls_error)?
            .with_no_client_auth();
        // The client speaks HTTP/1.1 only (reqwest is built without HTTP/2).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(builder.tls_backend_preconfigured(config))
    }
}
