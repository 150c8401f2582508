//! What can go wrong, the one line it prints on stderr, and the exit code it gives.

use std::fmt;
use std::process::ExitCode;

/// The known name closest to `name` (normalized Damerau-Levenshtein, ignoring case), when it is
/// close enough to suggest: the "did you mean" of every refused name (a body's property, a
/// CSV column, a `--columns` path).
pub fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    known
        .into_iter()
        .map(|known| {
            let score = strsim::normalized_damerau_levenshtein(&known.to_lowercase(), &name);
            (score, known)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score >= 0.5)
        .map(|(_, known)| known)
}

/// A failure of a command.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments, missing credentials, an invalid body file: nothing was sent.
    Usage(String),
    /// The call failed.
    Api(crayon_tenants::Error),
    /// Reading a body file or writing the result failed.
    Io(std::io::Error),
    /// An import in which some rows were invalid or failed (their outcomes were printed).
    Incomplete(String),
    /// A contract check whose answers diverged from the contract (the report was printed).
    Diverged,
}

impl Failure {
    /// The documented exit code (see `cli::EXIT_CODES`).
    pub fn exit_code(&self) -> ExitCode {
        use crayon_tenants::Error;
        ExitCode::from(match self {
            // What a script branches on first: give up (7), wait and try again (8), read
            // again (9).
            Self::Api(error) if error.is_not_found() => 7,
            Self::Api(error) if error.is_rate_limited() => 8,
            Self::Api(Error::ListingChanged { .. }) => 9,
            Self::Usage(_) | Self::Api(Error::InvalidRequest(_)) => 2,
            // The token request's too: a 5xx of the token endpoint is an error status.
            Self::Api(Error::Api(_) | Error::NotFoundAfterRetry(_) | Error::Redirect { .. }) => 3,
            Self::Api(Error::Authentication(_)) => 4,
            Self::Api(Error::Timeout(_) | Error::DeadlineExceeded(_) | Error::Connection(_)) => 5,
            Self::Incomplete(_) => 6,
            Self::Diverged => 10,
            Self::Api(_) | Self::Io(_) => 1,
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) | Self::Incomplete(message) => f.write_str(message),
            Self::Diverged => f.write_str(
                "the API's answers diverged from the contract (the report above says where)",
            ),
            // The error and each of its causes, as `anyhow` prints them with `{:#}`.
            Self::Api(error) => {
                write!(f, "{error}")?;
                let mut cause = std::error::Error::source(error);
                while let Some(error) = cause {
                    write!(f, ": {error}")?;
                    cause = error.source();
                }
                Ok(())
            }
            Self::Io(error) => write!(f, "{error}"),
        }
    }
}

impl From<crayon_tenants::Error> for Failure {
    fn from(error: crayon_tenants::Error) -> Self {
        Self::Api(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error)
    }
}
