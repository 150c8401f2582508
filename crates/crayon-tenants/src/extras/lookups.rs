//! Look-ups by name: the ids a create needs (organization, invoice profile, publisher) and the
//! tenant a domain prefix names, each exact in the same way: the whole value, ignoring ASCII
//! case, `None` when nothing has it.
//!
//! How the API's `search`, `names` and `domainPrefix` filters match is not documented (substring
//! or exact, which fields), so no look-up relies on them to be exact: the organizations, invoice
//! profiles and publishers are read whole (an account sees a few of each), and a tenant is
//! looked for among every tenant the `domainPrefix` filter returns. When two have the name, the
//! first in the API's order is returned.

use futures_util::TryStreamExt as _;

use crate::types::{CustomerTenant, InvoiceProfile, Organization, Publisher};
use crate::{Client, Error, ItemStream};

impl Client {
    /// The organization named `name` (ignoring ASCII case), if this account sees one.
    pub async fn find_organization_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Organization>, Error> {
        let organizations = self.list_organizations().into_stream();
        first_named(organizations, name, |item| item.name.as_deref()).await
    }

    /// The invoice profile of the organization named `name` (ignoring ASCII case), if it has one.
    pub async fn find_invoice_profile_by_name(
        &self,
        organization_id: i32,
        name: &str,
    ) -> Result<Option<InvoiceProfile>, Error> {
        let profiles = self
            .list_invoice_profiles()
            .organization_id(organization_id)
            .into_stream();
        first_named(profiles, name, |item| item.name.as_deref()).await
    }

    /// The publisher named `name` (ignoring ASCII case: `"microsoft"` finds `Microsoft`), if
    /// there is one.
    pub async fn find_publisher_by_name(&self, name: &str) -> Result<Option<Publisher>, Error> {
        let publishers = self.list_publishers().into_stream();
        first_named(publishers, name, |item| item.name.as_deref()).await
    }

    /// The tenant of the organization whose domain prefix is `domain_prefix` (ignoring ASCII
    /// case, as domain names compare), if there is one.
    pub async fn find_customer_tenant_by_domain_prefix(
        &self,
        organization_id: i32,
        domain_prefix: &str,
    ) -> Result<Option<CustomerTenant>, Error> {
        let tenants = self
            .list_customer_tenants()
            .organization_id(organization_id)
            .domain_prefix(domain_prefix)
            .into_stream();
        first_named(tenants, domain_prefix, |item| item.domain_prefix.as_deref()).await
    }
}

/// The first item whose `key` is `wanted`, ignoring ASCII case; reads no further than it.
async fn first_named<T>(
    mut items: ItemStream<T>,
    wanted: &str,
    key: impl Fn(&T) -> Option<&str>,
) -> Result<Option<T>, Error> {
    while let Some(item) = items.try_next().await? {
        if key(&item).is_some_and(|found| found.eq_ignore_ascii_case(wanted)) {
            return Ok(Some(item));
        }
    }
    Ok(None)
}
