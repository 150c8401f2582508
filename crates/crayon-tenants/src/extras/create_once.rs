//! Creating a tenant once: the create is not idempotent, so a careful program looks before it
//! creates and looks again when it cannot tell what happened.
//!
//! A tenant is identified within its organization by its domain prefix, which a create must
//! leave unused. [`Client::create_customer_tenant_once`] looks the prefix up first (found: the
//! tenant is [`CreatedOnce::Existing`]), creates when it is free, and after a create that failed
//! looks it up again instead of sending it twice: a lost answer (timeout, broken connection, a
//! gateway's 5xx) whose tenant is there is [`CreatedOnce::CreatedAnswerLost`], a refusal (4xx)
//! whose prefix is now taken lost a race and is [`CreatedOnce::Existing`]. A taken prefix is
//! recognised by the look-up, not by an error code: Crayon documents none for it.
//!
//! [`Client::find_customer_tenant_by_domain_prefix`] is the look-up.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::types::{CustomerTenant, CustomerTenantDetailed, NewCustomerTenantDetailed};
use crate::{Client, Error};

/// What [`Client::create_customer_tenant_once`] did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CreatedOnce {
    /// Created by this call. The answer holds the administrator's user name and password, which
    /// Crayon shows only here: keep them.
    Created(Box<CustomerTenantDetailed>),
    /// Created by this call, but its answer was lost (a timeout, a broken connection or a 5xx):
    /// the tenant was found by its domain prefix afterwards. The administrator's credentials were
    /// not received; reset the password at the publisher to get them.
    CreatedAnswerLost(Box<CustomerTenant>),
    /// The organization already had a tenant with this domain prefix (before the call, or
    /// created by someone else while it ran): nothing was created.
    Existing(Box<CustomerTenant>),
}

impl CreatedOnce {
    /// The tenant's id, when the server sent one.
    pub fn id(&self) -> Option<i32> {
        match self {
            Self::Created(detailed) => detailed.tenant.as_ref().and_then(|tenant| tenant.id),
            Self::CreatedAnswerLost(tenant) | Self::Existing(tenant) => tenant.id,
        }
    }

    /// Whether this call created the tenant.
    pub fn was_created(&self) -> bool {
        !matches!(self, Self::Existing(_))
    }
}

impl Client {
    /// Creates the tenant unless its organization has one with its domain prefix, and never
    /// sends the create twice: see [`CreatedOnce`] for what it reports. Await it; call
    /// [`CreateOnce::known_absent`] first to skip the look-up before the create when the
    /// organization was just listed.
    ///
    /// ```no_run
    /// # async fn onboard(client: &crayon_tenants::Client, body: crayon_tenants::types::NewCustomerTenantDetailed) -> Result<(), crayon_tenants::Error> {
    /// use crayon_tenants::CreatedOnce;
    ///
    /// match client.create_customer_tenant_once(body).await? {
    ///     CreatedOnce::Created(created) => println!("created; administrator {:?}", created.user),
    ///     CreatedOnce::CreatedAnswerLost(tenant) => println!("created {:?}, credentials lost", tenant.id),
    ///     CreatedOnce::Existing(tenant) => println!("already there: {:?}", tenant.id),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn create_customer_tenant_once(&self, body: NewCustomerTenantDetailed) -> CreateOnce<'_> {
        CreateOnce {
            client: self,
            body,
            look_first: true,
        }
    }
}

/// A create that happens at most once; await it. Made by [`Client::create_customer_tenant_once`].
#[derive(Debug)]
#[must_use = "a create does nothing until awaited"]
pub struct CreateOnce<'a> {
    client: &'a Client,
    body: NewCustomerTenantDetailed,
    look_first: bool,
}

impl CreateOnce<'_> {
    /// Skips the look-up before the create: for a caller that has just listed the organization
    /// and did not find the prefix. A tenant created meanwhile by someone else is still found by
    /// the look-up after the refused create, and reported as [`CreatedOnce::Existing`].
    pub fn known_absent(mut self) -> Self {
        self.look_first = false;
        self
    }

    async fn run(self) -> Result<CreatedOnce, Error> {
        let client = self.client;
        let organization_id = self.body.tenant.organization.id;
        let prefix = self.body.tenant.domain_prefix.clone();
        if self.look_first
            && let Some(tenant) = client
                .find_customer_tenant_by_domain_prefix(organization_id, &prefix)
                .await?
        {
            return Ok(CreatedOnce::Existing(Box::new(tenant)));
        }
        let error = match client.create_customer_tenant().body(self.body).await {
            Ok(created) => return Ok(CreatedOnce::Created(Box::new(created))),
            Err(error) => error,
        };
        // The create was sent once and failed: look, never send it again. A refusal whose prefix
        // is now taken lost a race; anything else whose tenant is there was ours.
        let refused = error
            .status()
            .is_some_and(|status| status.is_client_error());
        match client
            .find_customer_tenant_by_domain_prefix(organization_id, &prefix)
            .await
        {
            Ok(Some(tenant)) if refused => Ok(CreatedOnce::Existing(Box::new(tenant))),
            Ok(Some(tenant)) => Ok(CreatedOnce::CreatedAnswerLost(Box::new(tenant))),
            // Not there, or the look-up failed too: the create's own error says what happened.
            Ok(None) | Err(_) => Err(error),
        }
    }
}

impl<'a> IntoFuture for CreateOnce<'a> {
    type Output = Result<CreatedOnce, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}
