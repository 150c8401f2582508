//! What a create names, checked against the look-ups before it is sent.
//!
//! A create needs `Tenant.Organization.Id`, `Tenant.InvoiceProfile.Id` and `Tenant.Publisher.Id`.
//! A wrong one costs a round trip at best, and the server's answer is not documented; a reseller
//! onboarding a file of customers wants every wrong id named before anything is sent, with what
//! it could have been. [`KnownReferences::fetch`] reads the look-ups once (the organizations the
//! user has access to, the publishers, and the invoice profiles of the organizations asked for),
//! and [`KnownReferences::check`] checks any number of create bodies against them without
//! another request.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use futures_util::TryStreamExt as _;

use crate::types::{NewCustomerTenant, ObjectReferenceById};
use crate::{Client, Error, ItemStream};

/// An id with the name the look-up gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The `Id`.
    pub id: i32,
    /// The `Name`, when the server sent one.
    pub name: Option<String>,
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} ({name})", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

fn list(known: &[Named]) -> String {
    if known.is_empty() {
        return "none".to_owned();
    }
    known
        .iter()
        .map(Named::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reference of a create body that the look-ups do not have, with what they do have.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferenceError {
    /// `Tenant.Organization.Id` is none of the organizations the user has access to.
    Organization {
        /// The id the body names.
        id: i32,
        /// The organizations the user has access to.
        known: Vec<Named>,
    },
    /// `Tenant.InvoiceProfile.Id` is none of the organization's invoice profiles.
    InvoiceProfile {
        /// The id the body names.
        id: i32,
        /// The organization the body names.
        organization: Named,
        /// That organization's invoice profiles.
        known: Vec<Named>,
    },
    /// `Tenant.Publisher.Id` is none of the publishers.
    Publisher {
        /// The id the body names.
        id: i32,
        /// The publishers.
        known: Vec<Named>,
    },
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Organization { id, known } => write!(
                f,
                "Tenant.Organization.Id {id} is no organization this user has access to; those are {}",
                list(known)
            ),
            Self::InvoiceProfile {
                id,
                organization,
                known,
            } => write!(
                f,
                "Tenant.InvoiceProfile.Id {id} is no invoice profile of organization {organization}, which has {}",
                list(known)
            ),
            Self::Publisher { id, known } => write!(
                f,
                "Tenant.Publisher.Id {id} is no publisher; the publishers are {}",
                list(known)
            ),
        }
    }
}

impl std::error::Error for ReferenceError {}

/// Every item of a listing, as its id and name.
async fn named<T>(
    items: ItemStream<T>,
    id_and_name: fn(T) -> (Option<i32>, Option<String>),
) -> Result<Vec<Named>, Error> {
    items
        .map_ok(|item| {
            let (id, name) = id_and_name(item);
            Named {
                id: id.unwrap_or_default(),
                name,
            }
        })
        .try_collect()
        .await
}

/// The look-ups a create is checked against: [`fetch`](Self::fetch) reads them once,
/// [`check`](Self::check) checks any number of create bodies against them without another
/// request.
///
/// ```
/// use crayon_tenants::types::{
///     NewCustomerTenant, NewCustomerTenantAddress, NewCustomerTenantContact,
///     NewCustomerTenantDetailed,
/// };
/// use crayon_tenants::{Client, Credentials, KnownReferences};
/// # use crayon_tenants_mock::{MockConfig, MockServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = MockServer::start(MockConfig::default()).await?;
/// # let client = Client::builder().base_url(mock.base_url())
/// #     .credentials(Credentials::password("demo-client", "demo-secret", "demo@example.com", "demo-password"))
/// #     .build()?;
/// // Organization 1, invoice profile 8 (which is organization 2's), publisher 2.
/// let mut body = NewCustomerTenantDetailed::new(
///     NewCustomerTenant::new("Contoso AB", "contosoab", 1, 8, 2),
///     NewCustomerTenantContact::new("A", "B", "a@b.example", "1"),
///     NewCustomerTenantAddress::new("A", "B", "Street 1", "Oslo", "Oslo", "0150", "NO"),
///     "1",
/// );
/// let known = KnownReferences::fetch(&client, [body.tenant.organization.id]).await?;
/// let problems = known.check(&body.tenant);
/// assert_eq!(
///     problems[0].to_string(),
///     "Tenant.InvoiceProfile.Id 8 is no invoice profile of organization 1 (Demo Reseller AB), \
///      which has 7 (My invoice profile), 10 (Projects)"
/// );
/// body.tenant.invoice_profile.id = known.invoice_profiles(1).unwrap()[0].id;
/// assert!(known.check(&body.tenant).is_empty());
/// client.create_customer_tenant().body(body).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownReferences {
    organizations: Vec<Named>,
    publishers: Vec<Named>,
    /// The invoice profiles of each organization fetched.
    invoice_profiles: BTreeMap<i32, Vec<Named>>,
}

impl KnownReferences {
    /// Reads every organization the user has access to and every publisher, and the invoice
    /// profiles of each of `organization_ids` that is one of those organizations: two listings
    /// and one per organization, each streamed through every page.
    pub async fn fetch(
        client: &Client,
        organization_ids: impl IntoIterator<Item = i32>,
    ) -> Result<Self, Error> {
        let organizations = named(client.list_organizations().into_stream(), |organization| {
            (organization.id, organization.name)
        })
        .await?;
        let publishers = named(client.list_publishers().into_stream(), |publisher| {
            (publisher.id, publisher.name)
        })
        .await?;
        let mut invoice_profiles = BTreeMap::new();
        let wanted: BTreeSet<i32> = organization_ids.into_iter().collect();
        for id in wanted {
            if !organizations
                .iter()
                .any(|organization| organization.id == id)
            {
                continue;
            }
            let profiles = client
                .list_invoice_profiles()
                .organization_id(id)
                .into_stream();
            let profiles = named(profiles, |profile| (profile.id, profile.name)).await?;
            invoice_profiles.insert(id, profiles);
        }
        Ok(Self {
            organizations,
            publishers,
            invoice_profiles,
        })
    }

    /// The organizations the user has access to.
    pub fn organizations(&self) -> &[Named] {
        &self.organizations
    }

    /// The publishers.
    pub fn publishers(&self) -> &[Named] {
        &self.publishers
    }

    /// The invoice profiles of an organization, if they were fetched.
    pub fn invoice_profiles(&self, organization_id: i32) -> Option<&[Named]> {
        self.invoice_profiles
            .get(&organization_id)
            .map(Vec::as_slice)
    }

    /// Every reference of `tenant` the look-ups do not have (none: the body names only what
    /// exists). An organization whose invoice profiles were not fetched is reported as unknown
    /// only when it is none of the user's.
    pub fn check(&self, tenant: &NewCustomerTenant) -> Vec<ReferenceError> {
        let mut problems = Vec::new();
        let has = |known: &[Named], reference: &ObjectReferenceById| {
            known.iter().any(|named| named.id == reference.id)
        };
        let organization_id = tenant.organization.id;
        match self
            .organizations
            .iter()
            .find(|organization| organization.id == organization_id)
        {
            None => problems.push(ReferenceError::Organization {
                id: organization_id,
                known: self.organizations.clone(),
            }),
            Some(organization) => {
                if let Some(known) = self.invoice_profiles.get(&organization_id)
                    && !has(known, &tenant.invoice_profile)
                {
                    problems.push(ReferenceError::InvoiceProfile {
                        id: tenant.invoice_profile.id,
                        organization: organization.clone(),
                        known: known.clone(),
                    });
                }
            }
        }
        if !has(&self.publishers, &tenant.publisher) {
            problems.push(ReferenceError::Publisher {
                id: tenant.publisher.id,
                known: self.publishers.clone(),
            });
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: i32, name: &str) -> Named {
        Named {
            id,
            name: Some(name.to_owned()),
        }
    }

    fn tenant(organization: i32, invoice_profile: i32, publisher: i32) -> NewCustomerTenant {
        serde_json::from_value(serde_json::json!({
            "Name": "Contoso AB", "DomainPrefix": "contoso", "CustomerTenantType": 2,
            "Organization": {"Id": organization}, "InvoiceProfile": {"Id": invoice_profile},
            "Publisher": {"Id": publisher}
        }))
        .unwrap()
    }

    fn known() -> KnownReferences {
        KnownReferences {
            organizations: vec![named(1, "Demo Reseller AB"), named(2, "Demo Subsidiary AB")],
            publishers: vec![named(2, "Microsoft"), named(3, "Adobe")],
            invoice_profiles: BTreeMap::from([(
                1,
                vec![named(7, "My invoice profile"), named(10, "Projects")],
            )]),
        }
    }

    #[test]
    fn what_exists_passes() {
        assert_eq!(known().check(&tenant(1, 10, 3)), []);
    }

    #[test]
    fn each_wrong_id_is_named_with_what_exists() {
        let problems: Vec<String> = known()
            .check(&tenant(1, 8, 5))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "Tenant.InvoiceProfile.Id 8 is no invoice profile of organization 1 (Demo Reseller AB), which has 7 (My invoice profile), 10 (Projects)",
                "Tenant.Publisher.Id 5 is no publisher; the publishers are 2 (Microsoft), 3 (Adobe)",
            ]
        );
        let problems = known().check(&tenant(3, 9, 2));
        assert_eq!(
            problems[0].to_string(),
            "Tenant.Organization.Id 3 is no organization this user has access to; those are 1 (Demo Reseller AB), 2 (Demo Subsidiary AB)"
        );
        assert_eq!(problems.len(), 1);
    }
}
