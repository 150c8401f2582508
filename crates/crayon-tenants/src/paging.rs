//! `list_all_customer_tenants(..).stream()`: every tenant of an organization, page after page.

use std::sync::Arc;

use futures_util::stream::{self, BoxStream, StreamExt};

use crate::types::{CustomerTenant, CustomerTenantCollection, CustomerTenantType};
use crate::{Client, Error};

/// Page size of [`ListAllCustomerTenants`] unless set.
pub const DEFAULT_PAGE_SIZE: i32 = 100;
/// Pages in flight at once unless set.
pub const DEFAULT_CONCURRENCY: usize = 4;

impl Client {
    /// Every customer tenant of an organization, as a stream: see [`ListAllCustomerTenants`].
    pub fn list_all_customer_tenants(&self, organization_id: i32) -> ListAllCustomerTenants<'_> {
        ListAllCustomerTenants {
            client: self,
            organization_id,
            filters: Filters::default(),
            page_size: DEFAULT_PAGE_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// The optional filters of `listCustomerTenants`.
#[derive(Clone, Debug, Default)]
struct Filters {
    search: Option<String>,
    domain_prefix: Option<String>,
    domain: Option<String>,
    publisher_id: Option<i32>,
    customer_tenant_type: Option<CustomerTenantType>,
    program_id: Option<i32>,
    consumer_id: Option<i32>,
    invoice_profile_id: Option<i32>,
}

/// Lists every customer tenant of an organization that matches the filters.
///
/// [`stream`](Self::stream) fetches page 1, learns `TotalHits`, then fetches the other pages
/// with at most [`concurrency`](Self::concurrency) requests in flight, and yields the tenants in
/// the server's order, without gaps or duplicates on a list that does not change meanwhile. It
/// ends after a page that comes back short. A page that fails ends the stream with its error:
/// nothing is skipped. Each page is retried as the client's [`RetryPolicy`](crate::RetryPolicy)
/// says, like any GET.
#[derive(Clone, Debug)]
#[must_use = "a listing does nothing until `stream()` is polled"]
pub struct ListAllCustomerTenants<'a> {
    client: &'a Client,
    organization_id: i32,
    filters: Filters,
    page_size: i32,
    concurrency: usize,
}

impl<'a> ListAllCustomerTenants<'a> {
    /// Only tenants whose name or reference contains this text (case-insensitive).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.filters.search = Some(text.into());
        self
    }

    /// Only tenants with this domain prefix.
    pub fn domain_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.filters.domain_prefix = Some(prefix.into());
        self
    }

    /// Only tenants with this full domain.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.filters.domain = Some(domain.into());
        self
    }

    /// Only tenants of this publisher (2 is Microsoft).
    pub fn publisher_id(mut self, id: i32) -> Self {
        self.filters.publisher_id = Some(id);
        self
    }

    /// Only tenants of this type.
    pub fn customer_tenant_type(mut self, tenant_type: CustomerTenantType) -> Self {
        self.filters.customer_tenant_type = Some(tenant_type);
        self
    }

    /// Only tenants of this publisher program.
    pub fn program_id(mut self, id: i32) -> Self {
        self.filters.program_id = Some(id);
        self
    }

    /// Only tenants of this consumer.
    pub fn consumer_id(mut self, id: i32) -> Self {
        self.filters.consumer_id = Some(id);
        self
    }

    /// Only tenants billed through this invoice profile.
    pub fn invoice_profile_id(mut self, id: i32) -> Self {
        self.filters.invoice_profile_id = Some(id);
        self
    }

    /// Tenants per request (default 100; at least 1).
    pub fn page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Pages in flight at once after the first (default 4; at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The tenants, in order; see [`ListAllCustomerTenants`].
    pub fn stream(self) -> BoxStream<'a, Result<CustomerTenant, Error>> {
        let listing = Arc::new(self);
        let first = listing.clone();
        stream::once(async move { first.fetch(1).await })
            .flat_map(move |first_page| match first_page {
                Err(error) => stream::iter([Err(error)]).boxed(),
                Ok(page) => {
                    let size = listing.page_size as usize;
                    let items = page.items.unwrap_or_default();
                    // Without TotalHits, pages are fetched until one comes back short.
                    let last_page = match (items.len() < size, page.total_hits) {
                        (true, _) => 1,
                        (false, Some(total)) => {
                            i32::try_from(total.max(0).unsigned_abs().div_ceil(size as u64))
                                .unwrap_or(i32::MAX)
                        }
                        (false, None) => i32::MAX,
                    };
                    let rest = listing.clone();
                    let concurrency = listing.concurrency;
                    let following = stream::iter(2..=last_page)
                        .map(move |number| {
                            let listing = rest.clone();
                            async move { listing.fetch(number).await }
                        })
                        .buffered(concurrency)
                        .scan(false, move |ended, page| {
                            if *ended {
                                return futures_util::future::ready(None);
                            }
                            *ended = page.as_ref().map_or(true, |page| {
                                page.items.as_ref().map_or(0, Vec::len) < size
                            });
                            futures_util::future::ready(Some(page))
                        })
                        .flat_map(|page| match page {
                            Ok(page) => {
                                stream::iter(page.items.unwrap_or_default().into_iter().map(Ok))
                                    .boxed()
                            }
                            Err(error) => stream::iter([Err(error)]).boxed(),
                        });
                    stream::iter(items.into_iter().map(Ok))
                        .chain(following)
                        .boxed()
                }
            })
            .boxed()
    }

    async fn fetch(&self, page: i32) -> Result<CustomerTenantCollection, Error> {
        let filters = &self.filters;
        let mut request = self
            .client
            .list_customer_tenants()
            .organization_id(self.organization_id)
            .page(page)
            .page_size(self.page_size);
        if let Some(search) = &filters.search {
            request = request.search(search.clone());
        }
        if let Some(prefix) = &filters.domain_prefix {
            request = request.domain_prefix(prefix.clone());
        }
        if let Some(domain) = &filters.domain {
            request = request.domain(domain.clone());
        }
        if let Some(id) = filters.publisher_id {
            request = request.publisher_id(id);
        }
        if let Some(tenant_type) = filters.customer_tenant_type {
            request = request.customer_tenant_type(tenant_type);
        }
        if let Some(id) = filters.program_id {
            request = request.program_id(id);
        }
        if let Some(id) = filters.consumer_id {
            request = request.consumer_id(id);
        }
        if let Some(id) = filters.invoice_profile_id {
            request = request.invoice_profile_id(id);
        }
        Ok(request.send().await?.into_inner())
    }
}
