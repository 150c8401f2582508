//! The contract's models: the generated ones, and the hand-written types substituted for some
//! (the open integer enums of [`enums`], the types that redact secrets), with constructors for
//! the request bodies a newcomer writes first.

mod bodies;
pub mod enums;
pub(crate) mod sensitive;

pub use crate::generated::types::*;
pub use enums::*;
pub use sensitive::{CustomerTenantUser, Token, TokenRequest};
