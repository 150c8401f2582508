"""Schemathesis checks of `cargo xtask conformance` beyond the built-in ones.

The built-in `positive_data_acceptance` demands that schema-valid data be accepted. The API
refuses valid data for two rules that no schema keyword can state, because they depend on what
is already stored: a `DomainPrefix` must be unused, and a tenant (its
`ExternalPublisherCustomerId`) cannot be there twice, whether it is created, added or updated
into a conflict. The mock answers both with a 400 that names the rule in its `ErrorCode`. This check accepts that 400 and nothing else, then defers to the
built-in check, with its configured statuses, for every other response. (The token operation's
400 for unknown credentials is the built-in check's own exception: the contract's OAuth 2.0 flow
names it as the `tokenUrl`.)
"""

import json

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# `ErrorCode`s of the 400s that refuse valid data for what is already stored, per operation.
STORED_CONFLICTS = {"DomainPrefixTaken", "CustomerTenantAlreadyExists"}
WRITES = {"createCustomerTenant", "updateCustomerTenant", "createExistingCustomerTenant"}


def _error_code(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("ErrorCode") if isinstance(body, dict) else None


@schemathesis.check
def positive_data_acceptance_but_for_stored_conflicts(ctx, response, case):
    """Valid data is accepted, unless it conflicts with a stored tenant (a documented 400)."""
    operation_id = case.operation.definition.raw.get("operationId")
    if response.status_code == 400 and operation_id in WRITES and _error_code(response) in STORED_CONFLICTS:
        return None
    return positive_data_acceptance(ctx, response, case)
