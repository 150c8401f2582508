//! The mock's fixed world (organizations, publishers) and its deterministic demo tenants.
//!
//! Everything here is a function of its inputs: the same seed count gives the same tenants with
//! the same identifiers, so demos and snapshot tests print the same output every run.

use crayon_tenants::types::{
    CustomerTenant, CustomerTenantAddress, CustomerTenantCompany, CustomerTenantContact,
    CustomerTenantDetailed, CustomerTenantProfile, CustomerTenantType, EntityStatus,
    ObjectReference, Organization,
};

/// An organization of the mock's world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MockOrganization {
    /// Its `Id`.
    pub id: i32,
    /// Its `Name`.
    pub name: &'static str,
    /// Whether the API user may see it; organization 3 belongs to another reseller.
    pub visible: bool,
}

/// The organizations of the mock: the demo user may see 1 and 2; 3 belongs to someone else.
pub const ORGANIZATIONS: [MockOrganization; 3] = [
    MockOrganization {
        id: 1,
        name: "Demo Reseller AB",
        visible: true,
    },
    MockOrganization {
        id: 2,
        name: "Demo Subsidiary AB",
        visible: true,
    },
    MockOrganization {
        id: 3,
        name: "Another Reseller AB",
        visible: false,
    },
];

/// The publisher id of Microsoft, whose tenants have an Azure plan.
pub const MICROSOFT: i32 = 2;

pub(crate) fn organization(id: i32) -> Option<MockOrganization> {
    ORGANIZATIONS
        .into_iter()
        .find(|organization| organization.id == id)
}

pub(crate) fn is_visible(organization_id: i32) -> bool {
    organization(organization_id).is_some_and(|organization| organization.visible)
}

fn publisher_name(id: i32) -> String {
    match id {
        MICROSOFT => "Microsoft".to_owned(),
        3 => "Adobe".to_owned(),
        other => format!("Publisher {other}"),
    }
}

fn country_name(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_uppercase().as_str() {
        "US" => "United States",
        "SE" => "Sweden",
        "NO" => "Norway",
        "DK" => "Denmark",
        "FI" => "Finland",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "NL" => "Netherlands",
        _ => return None,
    })
}

/// A GUID-shaped identifier derived from a number, the same every run.
pub(crate) fn guid(seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let value = rng.u128(..);
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Fills in the names of a tenant's references, as the real API does in its responses.
pub(crate) fn fill_reference_names(tenant: &mut CustomerTenant, organization_id: i32) {
    fn named(reference: &mut Option<ObjectReference>, name: impl FnOnce(i32) -> String) {
        if let Some(reference) = reference
            && let Some(id) = reference.id
        {
            reference.name = Some(name(id));
        }
    }
    named(&mut tenant.publisher, publisher_name);
    named(&mut tenant.invoice_profile, |id| {
        format!("Invoice profile {id}")
    });
    named(&mut tenant.consumer, |id| format!("Consumer {id}"));
    named(&mut tenant.program, |id| format!("Program {id}"));
    tenant.organization = Some(Organization {
        id: Some(organization_id),
        name: organization(organization_id).map(|organization| organization.name.to_owned()),
        ..Default::default()
    });
}

/// Fills in what the server derives in a profile: the country's name.
pub(crate) fn fill_profile(profile: &mut CustomerTenantProfile) {
    if let Some(address) = &mut profile.address {
        address.country_name = address
            .country_code
            .as_deref()
            .and_then(country_name)
            .map(str::to_owned);
    }
}

const COMPANIES: [&str; 25] = [
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Adventure Works",
    "Tailspin Toys",
    "Wingtip Toys",
    "Litware",
    "Proseware",
    "Woodgrove Bank",
    "Alpine Ski House",
    "Coho Winery",
    "Fourth Coffee",
    "Lamna Healthcare",
    "Margie's Travel",
    "Relecloud",
    "Trey Research",
    "VanArsdel",
    "Wide World Importers",
    "Humongous Insurance",
    "Blue Yonder Airlines",
    "City Power & Light",
    "Graphic Design Institute",
    "Lucerne Publishing",
    "Nod Publishers",
    "School of Fine Art",
];

/// The `index`-th demo tenant of an organization (without its `Id`, which the store assigns).
pub(crate) fn demo_tenant(organization_id: i32, index: usize) -> CustomerTenantDetailed {
    let company = COMPANIES[index % COMPANIES.len()];
    let round = index / COMPANIES.len();
    let name = if round == 0 {
        format!("{company} AB")
    } else {
        format!("{company} {} AB", round + 1)
    };
    let stem: String = company
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let domain_prefix = format!(
        "{stem}{}{}",
        organization_id,
        if round == 0 {
            String::new()
        } else {
            format!("x{round}")
        }
    );
    let publisher = if index % 7 == 6 { 3 } else { MICROSOFT };
    let seed = (organization_id as u64) << 32 | index as u64;
    let mut tenant = CustomerTenant {
        name: Some(name),
        publisher: Some(ObjectReference {
            id: Some(publisher),
            name: None,
        }),
        publisher_customer_id: Some(guid(seed)),
        external_publisher_customer_id: Some(guid(seed ^ 0xffff)),
        domain: Some(format!("{domain_prefix}.onmicrosoft.com")),
        domain_prefix: Some(domain_prefix),
        reference: Some(format!("REF-{organization_id}-{index:04}")),
        customer_tenant_type: Some(if index % 5 == 4 {
            CustomerTenantType::T1
        } else {
            CustomerTenantType::T2
        }),
        entity_status: Some(EntityStatus::None),
        invoice_profile: Some(ObjectReference {
            id: Some(7),
            name: None,
        }),
        ..Default::default()
    };
    fill_reference_names(&mut tenant, organization_id);
    let mut profile = CustomerTenantProfile {
        culture_code: Some("en-US".to_owned()),
        language_code: Some("en".to_owned()),
        contact: Some(CustomerTenantContact {
            first_name: Some("Alex".to_owned()),
            last_name: Some("Example".to_owned()),
            email: Some(format!("alex@{stem}.example")),
            phone_number: Some("000-12345689".to_owned()),
        }),
        address: Some(CustomerTenantAddress {
            first_name: Some("Alex".to_owned()),
            last_name: Some("Example".to_owned()),
            address_line1: Some(format!("Main Street {}", index + 1)),
            city: Some("Stockholm".to_owned()),
            region: Some(String::new()),
            postal_code: Some("111 22".to_owned()),
            country_code: Some("SE".to_owned()),
            ..Default::default()
        }),
        agreement: None,
    };
    fill_profile(&mut profile);
    CustomerTenantDetailed {
        tenant: Some(tenant),
        user: None,
        profile: Some(profile),
        company: Some(CustomerTenantCompany {
            organization_registration_number: Some(format!("556{index:07}")),
        }),
    }
}
