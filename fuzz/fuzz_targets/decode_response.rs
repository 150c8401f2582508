//! Any bytes as the body of every success response: the decoder yields a value or a typed error,
//! and the error it becomes renders, never panics.
#![no_main]

use crayon_tenants::types::{
    ApiError, AzurePlan, CustomerTenant, CustomerTenantCollection, CustomerTenantDetailed, ServiceAccountAgreement,
    ServiceAccountAgreementCollection, Token,
};
use crayon_tenants::{Error, GeneratedError};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned>(body: &[u8]) {
    if let Err(error) = serde_json::from_slice::<T>(body) {
        let error = Error::from(GeneratedError::InvalidResponsePayload(body.to_vec().into(), error));
        assert!(!error.to_string().is_empty());
    }
}

fuzz_target!(|body: &[u8]| {
    decode::<CustomerTenantCollection>(body);
    decode::<CustomerTenantDetailed>(body);
    decode::<CustomerTenant>(body);
    decode::<AzurePlan>(body);
    decode::<ServiceAccountAgreementCollection>(body);
    decode::<ServiceAccountAgreement>(body);
    decode::<Token>(body);
    decode::<ApiError>(body);
});
