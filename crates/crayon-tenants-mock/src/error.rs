//! Error responses: always an `ApiError` body, with `ErrorCode` as the real API writes it
//! (`"401 Unauthorized"`: the status and the .NET name of its reason) or a symbolic code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crayon_tenants::types::{ApiError, ObjectError};

/// An error the mock answers with.
#[derive(Debug)]
pub(crate) struct MockError {
    status: StatusCode,
    body: Box<ApiError>,
}

/// The .NET `HttpStatusCode` name of a status, as the real API puts it into `ErrorCode`.
fn dotnet_status_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("Unknown")
        .replace([' ', '-', '\''], "")
}

/// `ErrorCode` for a status: `"400 BadRequest"`.
pub(crate) fn status_error_code(status: StatusCode) -> String {
    format!("{} {}", status.as_u16(), dotnet_status_name(status))
}

impl MockError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ApiError {
                error_code: Some(status_error_code(status)),
                message: Some(message.into()),
                ..Default::default()
            }),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn forbidden_organization(organization_id: i32) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("Access to organization {organization_id} is denied."),
        )
        .parameter("OrganizationId", organization_id.to_string())
    }

    pub(crate) fn tenant_not_found(id: i32) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Customer tenant {id} was not found."),
        )
        .parameter("Id", id.to_string())
    }

    /// A 400 that names the query parameter at fault.
    pub(crate) fn bad_parameter(name: &str, message: impl Into<String>) -> Self {
        Self::bad_request(message).parameter("Parameter", name)
    }

    /// A 400 listing every problem with a request body, one `ObjectErrors` entry per field.
    pub(crate) fn invalid_body(problems: Vec<FieldProblem>) -> Self {
        let mut error = Self::bad_request("The request is invalid.");
        error.body.object_errors = Some(
            problems
                .into_iter()
                .map(|problem| ObjectError {
                    error_code: Some(problem.code.to_owned()),
                    message: Some(problem.message),
                    parameters: Some([("Field".to_owned(), Some(problem.field))].into()),
                })
                .collect(),
        );
        error
    }

    /// Replaces the status-derived `ErrorCode` with a symbolic one (`DomainPrefixTaken`).
    pub(crate) fn code(mut self, code: &str) -> Self {
        self.body.error_code = Some(code.to_owned());
        self
    }

    pub(crate) fn parameter(mut self, name: &str, value: impl Into<String>) -> Self {
        self.body
            .parameters
            .get_or_insert_with(Default::default)
            .insert(name.to_owned(), Some(value.into()));
        self
    }

    /// Adds the OAuth 2.0 fields the token operation's identity server sends.
    pub(crate) fn oauth(mut self, error: &str, description: &str) -> Self {
        self.body.error = Some(error.to_owned());
        self.body.error_description = Some(description.to_owned());
        self
    }
}

impl MockError {
    /// The `ApiError` body this error answers with.
    pub(crate) fn into_api_error(self) -> ApiError {
        *self.body
    }
}

impl IntoResponse for MockError {
    fn into_response(self) -> Response {
        (self.status, Json(*self.body)).into_response()
    }
}

/// One problem with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldProblem {
    /// Dotted path of the field, `Tenant.Name`.
    pub field: String,
    /// `Required` or `Invalid`.
    pub code: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub(crate) fn required(field: String) -> Self {
        let name = field.rsplit('.').next().unwrap_or(&field).to_owned();
        Self {
            message: format!("The {name} field is required."),
            field,
            code: "Required",
        }
    }

    pub(crate) fn invalid(field: String, message: String) -> Self {
        Self {
            field,
            code: "Invalid",
            message,
        }
    }
}

impl From<crayon_tenants_contract::Problem> for FieldProblem {
    /// The contract's problem as the API words it; the body itself is `(body)`.
    fn from(problem: crayon_tenants_contract::Problem) -> Self {
        use crayon_tenants_contract::ProblemKind;
        let field = match problem.path {
            path if path.is_empty() => "(body)".to_owned(),
            path => path,
        };
        match problem.kind {
            ProblemKind::Required => Self::required(field),
            ProblemKind::Null => Self::invalid(
                field,
                "null is not allowed here; leave the property out instead.".to_owned(),
            ),
            ProblemKind::Invalid(message) => Self::invalid(field, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_use_the_dotnet_status_names() {
        assert_eq!(
            status_error_code(StatusCode::UNAUTHORIZED),
            "401 Unauthorized"
        );
        assert_eq!(status_error_code(StatusCode::BAD_REQUEST), "400 BadRequest");
        assert_eq!(
            status_error_code(StatusCode::INTERNAL_SERVER_ERROR),
            "500 InternalServerError"
        );
        assert_eq!(
            status_error_code(StatusCode::TOO_MANY_REQUESTS),
            "429 TooManyRequests"
        );
    }
}
