//! Every item of a listing, page after page: a generated list builder, with its filters, made
//! into a stream (`client.list_customer_tenants().organization_id(1).search("x").into_stream()`,
//! `client.list_invoice_profiles().organization_id(1).into_stream()`).
//!
//! The builder is the template of every page (it is `Clone`): only `page` and `pageSize` change,
//! so the filters exist once, in the generated code. The builder owns a clone of the client, so
//! the stream is `'static` and can be
//! stored in a task. Which operations page is the contract's to say: `cargo xtask codegen` gives
//! every list operation that takes `page` and `pageSize` and answers `{Items, TotalHits}` its
//! `into_stream()` and `paging()` and implements [`ListRequest`] for its builder.

use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, FuturesOrdered, Stream, StreamExt};

use crate::builder::ListCustomerTenants;
use crate::{CallFuture, Error};

/// Page size of a listing unless set.
pub const DEFAULT_PAGE_SIZE: i32 = 100;
/// Pages in flight at once unless set.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Pages fetched at most when the server gives no `TotalHits` (a bound on a server that never
/// sends a short page).
const DEFAULT_MAX_PAGES: i32 = 100_000;
/// Reads of a listing after the first when it changed while it was read, unless set.
pub const DEFAULT_MAX_REREADS: u32 = 2;

/// A list request that answers one page of a listing: a generated list builder, bound to the
/// stand-in client of a waiting template. `cargo xtask codegen` implements it for the builder of
/// every list operation of the contract that pages; it is not meant to be implemented elsewhere.
pub trait ListRequest: Clone + Send + Sync + 'static {
    /// What the listing's `Items` hold.
    type Item: Send + 'static;

    /// The item's `Id`, by which a stream yields each item at most once (`None` when the
    /// item's schema has no `Id`, or the server sent none).
    fn item_id(item: &Self::Item) -> Option<i64>;

    /// Sends this request for one page (through the call path, with its retries).
    fn fetch_page(&self, page: i32, page_size: i32) -> CallFuture<Page<Self::Item>>;
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
    /// The paging of `template`, a list builder: called by the generated `paging()`.
    pub fn new(template: R) -> Self {
        Self {
            template,
            page_size: DEFAULT_PAGE_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            max_pages: DEFAULT_MAX_PAGES,
            max_rereads: DEFAULT_MAX_REREADS,
        }
    }
}

/// The pages of a listing, before they are streamed.
///
/// [`stream`](Self::stream) fetches page 1 and learns `TotalHits` and the page size the server
/// really gives (a server may cap it below the one asked for), then fetches the other pages with
/// at most [`concurrency`](Self::concurrency) requests in flight, and yields the items in the
/// server's order, each (by its `Id`) at most once.
///
/// Offset paging over a listing that changes while it is read skips or repeats items. The
/// stream watches for the signs: a page whose `TotalHits` differs from page 1's, an `Id` seen
/// twice in one read, pages that hold fewer items than `TotalHits` says. On any of them it reads
/// the listing again from page 1 (at most [`max_rereads`](Self::max_rereads) times) and yields
/// only what it has not yielded yet; when the reads keep changing it ends with
/// [`Error::ListingChanged`]. Pages that stay short of `TotalHits` read after read (a server
/// whose pages do not add up) end with [`Error::IncompleteListing`]. Without `TotalHits`, a
/// short page ends the stream, and [`max_pages`](Self::max_pages) stops a server that never
/// sends one. A page that fails ends the stream with its error: nothing is skipped. Each page is
/// retried as the client's [`RetryPolicy`](crate::RetryPolicy) says, like any GET.
///
/// A change that keeps the count and the order of what was already read (a tenant deleted and
/// another created, one renamed so that it sorts elsewhere) leaves no sign in one read: use
/// [`verified`](Self::verified) when the listing must be complete.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until `stream()` is polled"]
pub struct Paging<R = ListCustomerTenants> {
    template: R,
    page_size: i32,
    concurrency: usize,
    max_pages: i32,
    max_rereads: u32,
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

    /// How many times a stream reads the listing again after it saw it change (default 2; 0
    /// ends the stream with the error at the first sign). For [`verified`](Self::verified),
    /// how many whole reads it makes beyond the first two at most.
    pub fn max_rereads(mut self, rereads: u32) -> Self {
        self.max_rereads = rereads;
        self
    }

    /// One page of the listing (from 1), with this paging's page size: the same request the
    /// stream sends for it, through the call path.
    pub async fn fetch_page(&self, page: i32) -> Result<Page<R::Item>, Error> {
        self.template.fetch_page(page, self.page_size).await
    }

    /// The items, in order, each at most once; see [`Paging`].
    pub fn stream(self) -> ItemStream<R::Item> {
        let total = Arc::new(OnceLock::new());
        let pages = Arc::new(AtomicU32::new(0));
        let walk = Walk::new(Arc::new(self), total.clone(), pages.clone());
        let inner = stream::unfold(walk, |mut walk| async move {
            let next = walk.next().await?;
            Some((next, walk))
        })
        .boxed();
        ItemStream {
            inner,
            total,
            pages,
        }
    }

    /// Every item of the listing as one read found it, verified by reading the whole listing
    /// again until two consecutive reads list the same `Id`s (at most
    /// [`max_rereads`](Self::max_rereads) reads beyond the first two), else
    /// [`Error::ListingChanged`]. It catches what one read cannot: a tenant deleted and another
    /// created, one renamed so that it sorts elsewhere.
    ///
    /// Its cost: a listing that fits in one page is one request (one answer is one read, there
    /// is nothing to compare); a longer one is at least two whole reads (twice the requests and
    /// the time of [`stream`](Self::stream)), three when it changed once while it was read. The
    /// items of the last read are held in memory until it is verified; the reads before it
    /// keep only their `Id`s.
    pub async fn verified(self) -> Result<Vec<R::Item>, Error> {
        self.verified_map(|item| item).await
    }

    /// [`verified`](Self::verified), keeping of each item only what `keep` makes of it: a
    /// long listing then costs the memory of what is kept (an id and a name), not of the items.
    pub async fn verified_map<U>(
        self,
        mut keep: impl FnMut(R::Item) -> U,
    ) -> Result<Vec<U>, Error> {
        let max_reads = self.max_rereads.saturating_add(2);
        let mut previous: Option<HashSet<i64>> = None;
        for read in 1..=max_reads {
            let mut stream = self.clone().stream();
            let mut items = Vec::new();
            let mut ids = HashSet::new();
            while let Some(item) = stream.next().await {
                let item = item?;
                if let Some(id) = R::item_id(&item) {
                    ids.insert(id);
                }
                items.push(keep(item));
            }
            // One page, one answer: nothing to compare it with.
            if read == 1 && stream.pages() == 1 {
                return Ok(items);
            }
            match previous {
                Some(previous) if previous == ids => return Ok(items),
                Some(previous) if read == max_reads => {
                    return Err(Error::ListingChanged {
                        change: ListingChange::DifferentItems {
                            added: ids.difference(&previous).count() as u64,
                            removed: previous.difference(&ids).count() as u64,
                        },
                        reads: read,
                    });
                }
                _ => previous = Some(ids),
            }
        }
        unreachable!("the last read returns")
    }
}

/// A sign that a listing changed while it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListingChange {
    /// A page's `TotalHits` differed from page 1's.
    TotalHits {
        /// Page 1's.
        first: i64,
        /// The page that differed.
        page: i32,
        /// Its `TotalHits`.
        now: i64,
    },
    /// An `Id` came twice in one read: the listing moved under the pages.
    Repeated {
        /// The item.
        id: i64,
        /// The page it came again on.
        page: i32,
    },
    /// The pages held fewer items than `TotalHits`, differently from one read to the next.
    Missing {
        /// Items the last read received.
        received: u64,
        /// Its `TotalHits`.
        total: u64,
    },
    /// Two whole reads listed different items ([`Paging::verified`]).
    DifferentItems {
        /// `Id`s the last read listed that the one before did not.
        added: u64,
        /// `Id`s the one before listed that the last read did not.
        removed: u64,
    },
}

impl std::fmt::Display for ListingChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TotalHits { first, page, now } => {
                write!(
                    f,
                    "TotalHits was {first} on page 1 and {now} on page {page}"
                )
            }
            Self::Repeated { id, page } => write!(f, "Id {id} came again on page {page}"),
            Self::Missing { received, total } => write!(
                f,
                "the pages held {received} of the {total} items TotalHits said"
            ),
            Self::DifferentItems { added, removed } => write!(
                f,
                "the last two reads differed by {added} items added and {removed} removed"
            ),
        }
    }
}

/// How one read of the listing ended.
enum Outcome {
    /// Every page agreed.
    Whole,
    /// A sign of change.
    Changed(ListingChange),
    /// Fewer items than `TotalHits`, with no other sign.
    Short { received: u64, total: u64 },
    /// Without `TotalHits`, every page up to the bound was full.
    BoundReached(i32),
}

/// The state of a stream: the read under way and what every read so far has yielded.
struct Walk<R: ListRequest> {
    paging: Arc<Paging<R>>,
    total_of_stream: Arc<OnceLock<i64>>,
    /// Pages requested, over every read.
    pages: Arc<AtomicU32>,
    /// Every `Id` seen, with the read (from 0) that saw it last.
    seen: HashMap<i64, u32>,
    read: u32,
    /// The outcome of the read before, when it was short.
    short_before: Option<(u64, u64)>,
    /// Items ready to yield.
    ready: VecDeque<R::Item>,
    /// The read under way: `None` until its page 1 has arrived.
    pass: Option<Pass<R::Item>>,
    finished: bool,
    /// The error that ends the stream once `ready` is yielded.
    error: Option<Error>,
}

/// A page's number and what fetching it gave.
type Numbered<T> = (i32, Result<Page<T>, Error>);

/// One read after its page 1.
struct Pass<T> {
    total: Option<i64>,
    page_size: i32,
    last_page: i32,
    next_page: i32,
    received: u64,
    in_flight: FuturesOrdered<BoxFuture<'static, Numbered<T>>>,
    /// Whether a page came back short or empty.
    ended_short: bool,
}

impl<R: ListRequest> Walk<R> {
    fn new(
        paging: Arc<Paging<R>>,
        total_of_stream: Arc<OnceLock<i64>>,
        pages: Arc<AtomicU32>,
    ) -> Self {
        Self {
            paging,
            total_of_stream,
            pages,
            seen: HashMap::new(),
            read: 0,
            short_before: None,
            ready: VecDeque::new(),
            pass: None,
            finished: false,
            error: None,
        }
    }

    async fn next(&mut self) -> Option<Result<R::Item, Error>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(Ok(item));
            }
            if self.finished {
                return self.error.take().map(Err);
            }
            let outcome = match &mut self.pass {
                None => match self.start().await {
                    Ok(None) => continue,
                    Ok(Some(outcome)) => outcome,
                    Err(error) => return self.fail(error),
                },
                Some(pass) => match pass.in_flight.next().await {
                    None => pass.outcome(self.paging.max_pages),
                    Some((_, Err(error))) => return self.fail(error),
                    Some((number, Ok(page))) => match self.take(number, page) {
                        None => continue,
                        Some(outcome) => outcome,
                    },
                },
            };
            if let Some(error) = self.after(outcome) {
                return self.fail(error);
            }
        }
    }

    /// Ends the stream with `error`, after the items already taken.
    fn fail(&mut self, error: Error) -> Option<Result<R::Item, Error>> {
        self.finished = true;
        self.pass = None;
        match self.ready.pop_front() {
            Some(item) => {
                self.error = Some(error);
                Some(Ok(item))
            }
            None => Some(Err(error)),
        }
    }

    /// Fetches page 1 of a read and plans the others; the outcome when it is the only page.
    async fn start(&mut self) -> Result<Option<Outcome>, Error> {
        let paging = self.paging.clone();
        self.pages.fetch_add(1, Ordering::Relaxed);
        let first = fetch(paging.clone(), 1, paging.page_size).await.1?;
        if let Some(total) = first.total_hits {
            let _ = self.total_of_stream.set(total);
        }
        let received = first.items.len() as u64;
        let asked = paging.page_size as u64;
        let total = first.total_hits.map(|total| total.max(0).unsigned_abs());
        let (page_size, last_page) = match total {
            Some(total) if received >= total => (paging.page_size, 1),
            // More to come: pages of the size the server really gives.
            Some(total) if received > 0 => {
                let size = received.min(asked);
                let pages = total.div_ceil(size);
                (size as i32, i32::try_from(pages).unwrap_or(i32::MAX))
            }
            // An empty page 1 while TotalHits promises items: nothing more to ask for.
            Some(_) => (paging.page_size, 1),
            None if received < asked => (paging.page_size, 1),
            None => (paging.page_size, paging.max_pages),
        };
        // Room for every id at once, instead of growing (and holding two tables while it
        // grows); bounded, whatever a server says its TotalHits are.
        if let Some(total) = total
            && self.read == 0
        {
            self.seen.reserve(total.min(1 << 20) as usize);
        }
        self.pass = Some(Pass {
            total: first.total_hits,
            page_size,
            last_page,
            next_page: 2,
            received: 0,
            in_flight: FuturesOrdered::new(),
            ended_short: false,
        });
        // Taking page 1 puts the next pages in flight.
        Ok(self.take(1, first))
    }

    /// Takes one page of the read under way: its new items to yield, and the outcome when it
    /// shows a change or ends the read.
    fn take(&mut self, number: i32, page: Page<R::Item>) -> Option<Outcome> {
        let Self {
            paging,
            seen,
            read,
            ready,
            pass,
            pages,
            ..
        } = self;
        let pass = pass.as_mut()?;
        if let (Some(first), Some(now)) = (pass.total, page.total_hits)
            && first != now
        {
            return Some(Outcome::Changed(ListingChange::TotalHits {
                first,
                page: number,
                now,
            }));
        }
        let length = page.items.len();
        for item in page.items {
            pass.received += 1;
            match R::item_id(&item) {
                Some(id) => match seen.insert(id, *read) {
                    None => ready.push_back(item),
                    Some(seen_in) if seen_in == *read => {
                        return Some(Outcome::Changed(ListingChange::Repeated {
                            id,
                            page: number,
                        }));
                    }
                    Some(_) => {}
                },
                // Without an `Id` an item cannot be told from another: yielded by the first
                // read only.
                None if *read == 0 => ready.push_back(item),
                None => {}
            }
        }
        // With TotalHits, an empty page or a short one before the last ends the read short;
        // without it, a short page is the last.
        let short = match pass.total {
            Some(_) => length == 0 || (number < pass.last_page && length < pass.page_size as usize),
            None => length < pass.page_size as usize,
        };
        if short {
            pass.ended_short = true;
            pass.in_flight = FuturesOrdered::new();
            return Some(pass.outcome(paging.max_pages));
        }
        if number == pass.last_page {
            return Some(pass.outcome(paging.max_pages));
        }
        pass.fill(paging, pages);
        None
    }

    /// What follows a read's outcome: the end, another read, or the error.
    fn after(&mut self, outcome: Outcome) -> Option<Error> {
        let paging = &self.paging;
        let rereads_left = self.read < paging.max_rereads;
        let reads = self.read + 1;
        self.pass = None;
        let error = match outcome {
            Outcome::BoundReached(pages) => Some(Error::PageBoundReached { pages }),
            Outcome::Whole => None,
            Outcome::Short { received, total } if self.short_before == Some((received, total)) => {
                Some(Error::IncompleteListing { received, total })
            }
            Outcome::Short { received, total } if !rereads_left => Some(if self.read == 0 {
                Error::IncompleteListing { received, total }
            } else {
                Error::ListingChanged {
                    change: ListingChange::Missing { received, total },
                    reads,
                }
            }),
            Outcome::Short { received, total } => {
                self.short_before = Some((received, total));
                self.read += 1;
                return None;
            }
            Outcome::Changed(change) if !rereads_left => {
                Some(Error::ListingChanged { change, reads })
            }
            Outcome::Changed(_) => {
                self.short_before = None;
                self.read += 1;
                return None;
            }
        };
        self.finished = true;
        error
    }
}

impl<T: Send + 'static> Pass<T> {
    /// Keeps `concurrency` pages in flight, up to the last.
    fn fill<R: ListRequest<Item = T>>(&mut self, paging: &Arc<Paging<R>>, pages: &AtomicU32) {
        while self.in_flight.len() < paging.concurrency && self.next_page <= self.last_page {
            pages.fetch_add(1, Ordering::Relaxed);
            self.in_flight
                .push_back(fetch(paging.clone(), self.next_page, self.page_size).boxed());
            self.next_page += 1;
        }
    }

    /// How the read ended, from what it received.
    fn outcome(&self, max_pages: i32) -> Outcome {
        match self.total {
            Some(total) if self.received < total.max(0).unsigned_abs() => Outcome::Short {
                received: self.received,
                total: total.max(0).unsigned_abs(),
            },
            // Without TotalHits, every page up to the bound came back full.
            None if !self.ended_short && self.last_page == max_pages => {
                Outcome::BoundReached(max_pages)
            }
            _ => Outcome::Whole,
        }
    }
}

async fn fetch<R: ListRequest>(
    paging: Arc<Paging<R>>,
    page: i32,
    page_size: i32,
) -> Numbered<R::Item> {
    let result = paging.template.fetch_page(page, page_size).await;
    (page, result)
}

/// The items of a listing, in order: a `Stream` of `Result<T, Error>` that owns what it needs.
/// [`total`](Self::total) is `TotalHits` once page 1 has arrived, for progress.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    inner: BoxStream<'static, Result<T, Error>>,
    total: Arc<OnceLock<i64>>,
    pages: Arc<AtomicU32>,
}

impl<T> ItemStream<T> {
    /// `TotalHits` of the listing, once the first page has arrived (and if the server sent it).
    pub fn total(&self) -> Option<i64> {
        self.total.get().copied()
    }

    /// Pages requested so far, over every read (a listing read again after it changed counts
    /// its pages again).
    pub fn pages(&self) -> u32 {
        self.pages.load(Ordering::Relaxed)
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
