//! The operations of the contract, as the mock counts them and as faults name them.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// One operation of `openapi/crayon-tenants.yaml`, named by its `operationId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `POST /api/v1/connect/token/`
    GetUserToken,
    /// `GET /api/v1/customertenants/`
    ListCustomerTenants,
    /// `POST /api/v1/customertenants/`
    CreateCustomerTenant,
    /// `POST /api/v1/customertenants/existing/`
    CreateExistingCustomerTenant,
    /// `GET /api/v1/customertenants/{id}/`
    GetCustomerTenant,
    /// `PUT /api/v1/customertenants/{id}/`
    UpdateCustomerTenant,
    /// `DELETE /api/v1/customertenants/{id}/`
    DeleteCustomerTenant,
    /// `GET /api/v1/customertenants/{id}/detailed/`
    GetCustomerTenantDetailed,
    /// `GET /api/v1/customertenants/{id}/azurePlan/`
    GetCustomerTenantAzurePlan,
    /// `GET /api/v1/customertenants/{id}/agreements/`
    ListCustomerTenantAgreements,
    /// `POST /api/v1/customertenants/{id}/agreements/`
    CreateCustomerTenantAgreement,
}

impl Operation {
    /// Every operation, in the contract's order.
    pub const ALL: [Operation; 11] = [
        Self::GetUserToken,
        Self::ListCustomerTenants,
        Self::CreateCustomerTenant,
        Self::CreateExistingCustomerTenant,
        Self::GetCustomerTenant,
        Self::UpdateCustomerTenant,
        Self::DeleteCustomerTenant,
        Self::GetCustomerTenantDetailed,
        Self::GetCustomerTenantAzurePlan,
        Self::ListCustomerTenantAgreements,
        Self::CreateCustomerTenantAgreement,
    ];

    /// The contract's `operationId`.
    pub const fn operation_id(self) -> &'static str {
        match self {
            Self::GetUserToken => "getUserToken",
            Self::ListCustomerTenants => "listCustomerTenants",
            Self::CreateCustomerTenant => "createCustomerTenant",
            Self::CreateExistingCustomerTenant => "createExistingCustomerTenant",
            Self::GetCustomerTenant => "getCustomerTenant",
            Self::UpdateCustomerTenant => "updateCustomerTenant",
            Self::DeleteCustomerTenant => "deleteCustomerTenant",
            Self::GetCustomerTenantDetailed => "getCustomerTenantDetailed",
            Self::GetCustomerTenantAzurePlan => "getCustomerTenantAzurePlan",
            Self::ListCustomerTenantAgreements => "listCustomerTenantAgreements",
            Self::CreateCustomerTenantAgreement => "createCustomerTenantAgreement",
        }
    }

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
pub(crate) struct RequestCounters([AtomicU64; 11]);

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
