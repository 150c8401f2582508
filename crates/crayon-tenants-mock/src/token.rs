//! `POST /api/v1/connect/token/`: the resource owner password grant.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use crayon_tenants::types::Token;

use crate::app::App;
use crate::auth::basic_credentials;
use crate::error::MockError;
use crate::request::{has_content_type, read_body};

/// Checks the API client (HTTP Basic: 401 when wrong) and then the form (400 when the grant is
/// not `password` or the user or password is wrong), as the real identity server does, and
/// issues an opaque random token.
pub(crate) async fn get_user_token(
    State(app): State<Arc<App>>,
    request: Request,
) -> Result<Json<Token>, MockError> {
    let credentials = &app.credentials;
    let client_ok = basic_credentials(request.headers()).is_some_and(|(id, secret)| {
        id == credentials.client_id && secret == credentials.client_secret
    });
    if !client_ok {
        return Err(
            MockError::unauthorized("The client credentials are invalid.").oauth(
                "invalid_client",
                "The client id or secret is wrong or missing (HTTP Basic).",
            ),
        );
    }
    if !has_content_type(&request, "application/x-www-form-urlencoded") {
        return Err(MockError::bad_request(
            "The request body must be sent as application/x-www-form-urlencoded.",
        )
        .oauth("invalid_request", "The body must be a form."));
    }
    let body = read_body(request).await?;
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    match field("grant_type") {
        Some("password") => {}
        Some(other) => {
            return Err(MockError::bad_request(format!(
                "The grant type '{other}' is not supported."
            ))
            .oauth(
                "unsupported_grant_type",
                "Only the password grant is supported.",
            ));
        }
        None => {
            return Err(MockError::bad_request("grant_type is required.")
                .oauth("invalid_request", "grant_type is missing."));
        }
    }
    if field("username") != Some(credentials.username.as_str())
        || field("password") != Some(credentials.password.as_str())
    {
        return Err(
            MockError::bad_request("The user name or password is incorrect.")
                .oauth("invalid_grant", "invalid_username_or_password"),
        );
    }
    if let Some(scope) = field("scope")
        && !scope.split(' ').any(|scope| scope == "CustomerApi")
    {
        return Err(
            MockError::bad_request(format!("The scope '{scope}' is not allowed."))
                .oauth("invalid_scope", "The scope must include CustomerApi."),
        );
    }
    Ok(Json(Token {
        access_token: Some(app.state.issue_token(app.token_ttl)),
        expires_in: Some(app.token_ttl.as_secs().try_into().unwrap_or(i64::MAX)),
        token_type: Some("Bearer".to_owned()),
        ..Default::default()
    }))
}
