//! Whether this build can speak HTTPS: the crate's features choose reqwest's TLS backend
//! (`rustls`, the default: rustls with aws-lc-rs and the platform's verifier; `native-tls`;
//! none: plain HTTP only, enough for a mock server, and `build()` refuses an `https` base URL).
//!
//! Not ring: rustls 0.23.48 deprecated ring's provider (no post-quantum key exchange), and a
//! library that installed a process-wide provider would make the application's own
//! `CryptoProvider::install_default` fail.

/// Whether this build can speak HTTPS at all.
pub(crate) const HTTPS: bool = cfg!(any(feature = "rustls", feature = "native-tls"));
