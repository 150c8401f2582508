//! The operations of the contract, as the mock counts them and as faults name them.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// Defines [`Operation`] from one table: variant, `operationId`, method and path as the contract
/// spells them. A test below holds the table to the contract, so it cannot drift from it.
macro_rules! operations {
    ($($variant:ident = $id:literal, $method:literal $path:literal;)+) => {
        /// One operation of `openapi/crayon-tenants.yaml`, named by its `operationId`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $(
                #[doc = concat!("`", $method, " ", $path, "`")]
                $variant,
            )+
        }

        impl Operation {
            /// Every operation, in the contract's order.
            pub const ALL: [Operation; operations!(@count $($variant)+)] = [$(Self::$variant),+];

            /// The contract's `operationId`.
            pub const fn operation_id(self) -> &'static str {
                match self {
                    $(Self::$variant => $id,)+
                }
            }

            /// The HTTP method, upper case.
            pub const fn method(self) -> &'static str {
                match self {
                    $(Self::$variant => $method,)+
                }
            }

            /// The path template as the contract spells it (`/api/v1/customertenants/{id}/`).
            pub const fn path(self) -> &'static str {
                match self {
                    $(Self::$variant => $path,)+
                }
            }
        }
    };
    (@count $($variant:ident)+) => { [$(operations!(@one $variant)),+].len() };
    (@one $variant:ident) => { () };
}

operations! {
    GetUserToken = "getUserToken", "POST" "/api/v1/connect/token/";
    ListCustomerTenants = "listCustomerTenants", "GET" "/api/v1/customertenants/";
    CreateCustomerTenant = "createCustomerTenant", "POST" "/api/v1/customertenants/";
    CreateExistingCustomerTenant = "createExistingCustomerTenant", "POST" "/api/v1/customertenants/existing/";
    GetCustomerTenant = "getCustomerTenant", "GET" "/api/v1/customertenants/{id}/";
    UpdateCustomerTenant = "updateCustomerTenant", "PUT" "/api/v1/customertenants/{id}/";
    DeleteCustomerTenant = "deleteCustomerTenant", "DELETE" "/api/v1/customertenants/{id}/";
    GetCustomerTenantDetailed = "getCustomerTenantDetailed", "GET" "/api/v1/customertenants/{id}/detailed/";
    GetCustomerTenantAzurePlan = "getCustomerTenantAzurePlan", "GET" "/api/v1/customertenants/{id}/azurePlan/";
    ListCustomerTenantAgreements = "listCustomerTenantAgreements", "GET" "/api/v1/customertenants/{id}/agreements/";
    CreateCustomerTenantAgreement = "createCustomerTenantAgreement", "POST" "/api/v1/customertenants/{id}/agreements/";
    ListOrganizations = "listOrganizations", "GET" "/api/v1/organizations/";
    GetOrganization = "getOrganization", "GET" "/api/v1/organizations/{id}/";
    ListInvoiceProfiles = "listInvoiceProfiles", "GET" "/api/v1/invoiceprofiles/";
    GetInvoiceProfile = "getInvoiceProfile", "GET" "/api/v1/invoiceprofiles/{id}/";
    ListPublishers = "listPublishers", "GET" "/api/v1/publishers/";
    GetPublisher = "getPublisher", "GET" "/api/v1/publishers/{id}/";
}

impl Operation {
    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

/// The error of parsing an unknown operation name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation(pub String);

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<_> = Operation::ALL.iter().map(|op| op.operation_id()).collect();
        write!(
            f,
            "unknown operation `{}` (one of: {})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownOperation {}

impl FromStr for Operation {
    type Err = UnknownOperation;

    /// Parses an `operationId`, case-insensitively (`listCustomerTenants`, `listcustomertenants`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|op| op.operation_id().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownOperation(name.to_owned()))
    }
}

/// How many requests each operation has received, faults included.
#[derive(Debug, Default)]
pub(crate) struct RequestCounters([AtomicU64; Operation::ALL.len()]);

impl RequestCounters {
    pub(crate) fn record(&self, operation: Operation) -> u64 {
        self.0[operation.index()].fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(crate) fn get(&self, operation: Operation) -> u64 {
        self.0[operation.index()].load(Ordering::SeqCst)
    }

    pub(crate) fn reset(&self) {
        for counter in &self.0 {
            counter.store(0, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_operation_table_is_the_contracts() {
        let contract: BTreeSet<(String, String, String)> = crayon_tenants_contract::operations()
            .map(|(path, method, operation)| {
                let id = operation["operationId"].as_str().unwrap().to_owned();
                (id, method, path.to_owned())
            })
            .collect();
        let table: BTreeSet<(String, String, String)> = Operation::ALL
            .iter()
            .map(|op| {
                let (id, method, path) = (op.operation_id(), op.method(), op.path());
                (id.to_owned(), method.to_owned(), path.to_owned())
            })
            .collect();
        assert_eq!(table, contract);
    }
}
