//! A client for the customer-tenants part of Crayon's Cloud-iQ REST API.
//!
//! ```
//! use crayon_tenants::{Client, Credentials};
//! use futures_util::TryStreamExt as _;
//! # use crayon_tenants_mock::{MockConfig, MockServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), crayon_tenants::Error> {
//! # let mock = MockServer::start(MockConfig::default()).await.unwrap();
//! # let base_url = mock.base_url(); // instead of the production address
//! let client = Client::builder()
//!     .base_url(base_url) // https://api.crayon.com by default
//!     .credentials(Credentials::password("demo-client", "demo-secret", "demo@example.com", "demo-password"))
//!     .build()?;
//!
//! // One page: the token is fetched on the first call, then reused and refreshed by itself.
//! let page = client.list_customer_tenants().organization_id(1).page_size(10).await?;
//! assert_eq!(page.items.as_ref().map(Vec::len), Some(10));
//! assert_eq!(page.total_hits, Some(25));
//!
//! // Every tenant that matches: the same builder, its filters and all, made into a stream.
//! let all: Vec<_> = client.list_customer_tenants().organization_id(1).search("contoso")
//!     .into_stream().try_collect().await?;
//! assert_eq!(all[0].name.as_deref(), Some("Contoso AB"));
//!
//! // Errors keep the real status and the API's own message; match on them directly.
//! match client.get_customer_tenant().id(999).await {
//!     Err(error) if error.status().map(|s| s.as_u16()) == Some(404) => {
//!         assert_eq!(error.to_string(), "404 Not Found: Customer tenant 999 was not found.");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The layout shows the layers: `generated.rs` (the models by progenitor and the builders by
//! `cargo xtask codegen`, from the contract `openapi/crayon-tenants.yaml`), `runtime/` (the
//! client, tokens, the one call path, retries, the error type), `extras/` (what is built on the
//! calls) and `types/` (the models, with the hand-written types substituted for some).
//!
//! - [`Client`]: one method per operation, each returning a [`builder`]; awaiting it is the one
//!   way to send a call (token, refresh after a 401, [`RetryPolicy`], deadline, body limit,
//!   redirects, [`Error`]: see [`CallFuture`]). Made by [`Client::builder`]. A builder's
//!   `raw()` takes the same path and gives the answer undecoded ([`RawAnswer`]), to see what
//!   the API sent that the contract does not describe.
//! - [`Paging`]: every list that pages, `.into_stream()` or `.paging()`.
//! - [`CreateOnce`], [`KnownReferences`] and the look-ups by name
//!   ([`Client::find_organization_by_name`] and its siblings).
//! - [`types`]: the models, with constructors for the create body
//!   ([`types::NewCustomerTenantDetailed::new`]).
//!
//! The client checks what it builds against the contract: a parameter out of the contract's
//! bounds (a `pageSize` above [`MAX_PAGE_SIZE`], a `page` below 1) is refused when it is set,
//! and the await returns [`Error::InvalidRequest`] without sending anything. The values inside a
//! body are the server's to judge: it answers a wrong one with a 400 that names it.
//!
//! Cargo features: `rustls` (the default) or `native-tls` choose the TLS backend, none gives
//! plain HTTP only; `schemars` derives `schemars::JsonSchema` for every model.

#![warn(missing_docs)]

// The models by progenitor and the builders by `cargo xtask codegen`, committed and never edited
// by hand; rustfmt would reformat them.
#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;

mod extras;
mod runtime;
pub mod types;

pub use extras::create_once::{CreateOnce, CreatedOnce};
pub use extras::inputs::InputError;
pub use extras::paging::{
    DEFAULT_CONCURRENCY, DEFAULT_MAX_REREADS, DEFAULT_PAGE_SIZE, ItemStream, ListRequest,
    ListingChange, Page, Paging,
};
pub use extras::references::{KnownReferences, Named, ReferenceError};
pub use generated::{MAX_PAGE_SIZE, builder};
/// The HTTP client the crate is built on; its `StatusCode`, `Url` and `Error` appear in this
/// crate's API.
pub use reqwest;
pub use reqwest::StatusCode;
pub use runtime::answer::RawAnswer;
pub use runtime::auth::Credentials;
pub use runtime::call::CallFuture;
pub use runtime::client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_SIZE};
pub use runtime::error::{ApiFailure, Error, ResponseBody, TransportError};
pub use runtime::redirect::redirect_policy;
pub use runtime::retry::RetryPolicy;

/// The README's Rust examples, compiled (and those that need no network, run) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
