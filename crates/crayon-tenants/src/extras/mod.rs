//! What is built on the calls: paging streams that say when a listing changed and a verified
//! listing, create once, look-ups by name and checked references, and response-to-request
//! conversions.

pub(crate) mod create_once;
pub(crate) mod inputs;
pub(crate) mod lookups;
pub(crate) mod paging;
pub(crate) mod references;
