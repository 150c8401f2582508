//! Every item of a listing, page after page: a generated list builder, with its filters, made
//! into a stream (`client.list_customer_tenants().organization_id(1).search("x").into_stream()`,
//! `client.list_invoice_profiles().organization_id(1).into_stream()`).
//!
//! The builder is the template of every page (it is `Clone`): only `page` and `pageSize` change,
//! so the filters exist once, in the generated code. The stream owns a clone of the client and
//! the template (bound to a stand-in client until a page is sent), so it is `'static` and can be
//! stored in a task. Which operations page is the contract's to say: `cargo xtask codegen` gives
//! every list operation that takes `page` and `pageSize` and answers `{Items, TotalHits}` its
//! `into_stream()` and `paging()` and implements [`ListRequest`] for its builder.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, Stream, StreamExt};
use progenitor_client::ClientInfo as _;

use crate::builder::ListCustomerTenants;
use crate::types::CustomerTenant;
use crate::{Client, ClientState, Error};

/// Page size of a listing unless set.
pub const DEFAULT_PAGE_SIZE: i32 = 100;
/// Pages in flight at once unless set.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Pages fetched at most when the server gives no `TotalHits` (a bound on a server that never
/// sends a short page).
pub const DEFAULT_MAX_PAGES: i32 = 100_000;

/// A list request that answers one page of a listing: a generated list builder, bound to the
/// stand-in client of a waiting template. `cargo xtask codegen` implements it for the builder of
/// every list operation of the contract that pages; it is not meant to be implemented elsewhere.
pub trait ListRequest: Clone + Send + Sync + 'static {
    /// What the listing's `Items` hold.
    type Item: Send + 'static;

    /// Sends this request for one page with `client` (through the call layer, with its retries).
    fn fetch_page<'c>(
        &self,
        client: &'c Client,
        page: i32,
        page_size: i32,
    ) -> BoxFuture<'c, Result<Page<Self::Item>, Error>>;
}

/// One page of a listing: its `Items` and `TotalHits`, as the collection carried them.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items on this page (none when the server sent `null`).
    pub items: Vec<T>,
    /// Matches on all pages, when the server said.
    pub total_hits: Option<i64>,
}

impl<R: ListRequest> Paging<R> {
    /// The paging of `template`, a list builder already bound to the stand-in client that
    /// waits in a stream, sent with `client`. Called by the generated `paging()`.
    pub fn new(client: Client, template: R) -> Self {
        Self {
            client,
            template,
            page_size: DEFAULT_PAGE_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// The client a template is bound to while it waits in a stream; it never sends anything (each
/// page is sent with the stream's own client). Used by the generated `paging()`.
pub fn detached(client: &Client) -> &'static Client {
    static DETACHED: OnceLock<Client> = OnceLock::new();
    DETACHED.get_or_init(|| {
        Client::new_with_client(
            "http://detached.invalid",
            client.client().clone(),
            ClientState::default(),
        )
    })
}

/// The pages of a listing, before they are streamed.
///
/// [`stream`](Self::stream) fetches page 1 and learns `TotalHits` and the page size the server
/// really gives (a server may cap it below the one asked for), then fetches the other pages with
/// at most [`concurrency`](Self::concurrency) requests in flight, and yields the items in the
/// server's order. `TotalHits` is the truth: a short or empty page before it is reached does not
/// end the stream quietly; when the pages run out first, the stream ends with
/// [`Error::IncompleteListing`]. Without `TotalHits`, a short page ends the stream, and
/// [`max_pages`](Self::max_pages) stops a server that never sends one. A page that fails ends
/// the stream with its error: nothing is skipped. Each page is retried as the client's
/// [`RetryPolicy`](crate::RetryPolicy) says, like any GET.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until `stream()` is polled"]
pub struct Paging<R = ListCustomerTenants<'static>> {
    client: Client,
    template: R,
    page_size: i32,
    concurrency: usize,
    max_pages: i32,
}

impl<R: ListRequest> Paging<R> {
    /// Items asked for per request (default 100; at least 1). One above [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE)
    /// fails the first page with `Error::InvalidRequest`, before anything is sent.
    pub fn page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Pages in flight at once after the first (default 4; at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Pages fetched at most when the server gives no `TotalHits` (default 100,000).
    pub fn max_pages(mut self, pages: i32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// One page of the listing (from 1), with this paging's page size: the same request the
    /// stream sends for it, through the call layer.
    pub async fn fetch_page(&self, page: i32) -> Result<Page<R::Item>, Error> {
        self.template
            .fetch_page(&self.client, page, self.page_size)
            .await
    }

    /// The items, in order; see [`Paging`].
    pub fn stream(self) -> ItemStream<R::Item> {
        let total = Arc::new(OnceLock::new());
        let known = total.clone();
        let paging = Arc::new(self);
        let inner = stream::once(fetch(paging.clone(), 1, paging.page_size))
            .flat_map(move |first| match first {
                Err(error) => stream::iter([Err(error)]).boxed(),
                Ok(first) => {
                    let items = first.items;
                    let plan = Plan::after_first_page(&paging, items.len(), first.total_hits);
                    if let Some(total) = first.total_hits {
                        let _ = known.set(total);
                    }
                    stream::iter(items.into_iter().map(Ok))
                        .chain(plan.rest(paging.clone()))
                        .boxed()
                }
            })
            .boxed();
        ItemStream { inner, total }
    }
}

/// What to fetch after page 1.
struct Plan {
    /// The page size to ask for: the one the server gave on page 1 when it gave fewer than asked
    /// and `TotalHits` says there are more.
    page_size: i32,
    /// The last page to fetch.
    last_page: i32,
    /// `TotalHits`, and how many tenants page 1 held.
    total: Option<u64>,
    received: u64,
}

impl Plan {
    fn after_first_page<R>(paging: &Paging<R>, received: usize, total_hits: Option<i64>) -> Self {
        let received = received as u64;
        let asked = paging.page_size as u64;
        let total = total_hits.map(|total| total.max(0).unsigned_abs());
        let (page_size, last_page) = match total {
            Some(total) if received >= total => (paging.page_size, 1),
            // More to come: pages of the size the server really gives.
            Some(total) if received > 0 => {
                let size = received.min(asked);
                let pages = total.div_ceil(size);
                (size as i32, i32::try_from(pages).unwrap_or(i32::MAX))
            }
            // An empty page 1 while TotalHits promises tenants: nothing more to ask for.
            Some(_) => (paging.page_size, 1),
            None if received < asked => (paging.page_size, 1),
            None => (paging.page_size, paging.max_pages),
        };
        Self {
            page_size,
            last_page,
            total,
            received,
        }
    }

    /// Pages 2 to the last, in order, then the check that nothing was lost.
    fn rest<R: ListRequest>(
        self,
        paging: Arc<Paging<R>>,
    ) -> BoxStream<'static, Result<R::Item, Error>> {
        let Plan {
            page_size,
            last_page,
            total,
            received,
        } = self;
        let concurrency = paging.concurrency;
        let pages = stream::iter(2..=last_page)
            .map(move |number| fetch(paging.clone(), number, page_size))
            .buffered(concurrency);
        // Stop after a failed page, and after an empty or (without TotalHits) short one.
        let stopped_short = Arc::new(AtomicBool::new(false));
        let stopping = stopped_short.clone();
        let pages = pages.scan(false, move |ended, page| {
            if *ended {
                return futures_util::future::ready(None);
            }
            let length = page.as_ref().map_or(0, |page| page.items.len());
            let short = length == 0 || (total.is_none() && length < page_size as usize);
            stopping.fetch_or(short, Ordering::Relaxed);
            *ended = page.is_err() || short;
            futures_util::future::ready(Some(page.map(|page| page.items)))
        });
        // Tenants received so far, or `None` once a page failed (its error says why it ended).
        let counted = Arc::new(Mutex::new(Some(received)));
        let counter = counted.clone();
        let tenants = pages.flat_map(move |page| {
            let mut count = counter.lock().unwrap_or_else(PoisonError::into_inner);
            match page {
                Ok(items) => {
                    *count = count.map(|count| count + items.len() as u64);
                    stream::iter(items.into_iter().map(Ok)).boxed()
                }
                Err(error) => {
                    *count = None;
                    stream::iter([Err(error)]).boxed()
                }
            }
        });
        let check = stream::once(async move {
            let received = *counted.lock().unwrap_or_else(PoisonError::into_inner);
            match (received, total) {
                (Some(received), Some(total)) if received < total => {
                    Some(Err(Error::IncompleteListing { received, total }))
                }
                // Without TotalHits, every page up to the bound came back full.
                (Some(_), None) if !stopped_short.load(Ordering::Relaxed) => {
                    Some(Err(Error::PageBoundReached { pages: last_page }))
                }
                _ => None,
            }
        })
        .filter_map(futures_util::future::ready);
        tenants.chain(check).boxed()
    }
}

async fn fetch<R: ListRequest>(
    paging: Arc<Paging<R>>,
    page: i32,
    page_size: i32,
) -> Result<Page<R::Item>, Error> {
    paging
        .template
        .fetch_page(&paging.client, page, page_size)
        .await
}

/// The items of a listing, in order: a `Stream` of `Result<T, Error>` that owns what it needs.
/// [`total`](Self::total) is `TotalHits` once page 1 has arrived, for progress.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    inner: BoxStream<'static, Result<T, Error>>,
    total: Arc<OnceLock<i64>>,
}

/// The tenants of a listing (`list_customer_tenants().into_stream()`).
pub type TenantStream = ItemStream<CustomerTenant>;

impl<T> ItemStream<T> {
    /// `TotalHits` of the listing, once the first page has arrived (and if the server sent it).
    pub fn total(&self) -> Option<i64> {
        self.total.get().copied()
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemStream")
            .field("total", &self.total())
            .finish_non_exhaustive()
    }
}
