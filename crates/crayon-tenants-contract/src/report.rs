//! A report of what a set of exchanges showed about the contract, per operation: requests
//! made, statuses, how many held, each divergence once with how often it came, and the
//! headers worth knowing. It holds no value of the exchanges (see [`crate::check`]), so it can
//! be pasted into an issue; as JSON (`serde`) or as a table ([`Report::table`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::check::Divergence;

/// What the exchanges showed, per operation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Whether any exchange diverged from the contract.
    pub diverged: bool,
    /// Each operation seen, by `operationId`.
    pub operations: BTreeMap<String, OperationReport>,
}

/// What the exchanges of one operation showed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OperationReport {
    /// Requests made.
    pub requests: u32,
    /// Exchanges in which request and answer held to the contract.
    pub held: u32,
    /// How many answers came with each status.
    pub statuses: BTreeMap<u16, u32>,
    /// Each divergence once (at the first path it was seen at), with how often it came.
    pub divergences: Vec<Seen>,
    /// The last value of each header worth knowing (`Retry-After`, rate limits).
    pub headers: BTreeMap<String, String>,
    /// Requests that got no answer to check (no connection, a retried status that persisted).
    pub failures: Vec<String>,
}

/// A divergence and how often it came (array indices aside: `Items[0].X` and `Items[7].X` are
/// the same divergence).
#[derive(Clone, Debug, Serialize)]
pub struct Seen {
    /// The divergence, as first seen.
    #[serde(flatten)]
    pub divergence: Divergence,
    /// How many times it came.
    pub occurrences: u32,
}

impl Report {
    /// Adds an exchange: its operation, the answer's status and headers (names and values, all
    /// of them: only the ones worth knowing are kept, and only values that are numbers or
    /// times), and what the check found in it.
    pub fn record<'h>(
        &mut self,
        operation: &str,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h [u8])>,
        divergences: Vec<Divergence>,
    ) {
        let report = self.operations.entry(operation.to_owned()).or_default();
        report.requests += 1;
        *report.statuses.entry(status).or_default() += 1;
        for (name, value) in headers {
            if crate::check::notable_header(name) {
                let safe = value.len() <= 64
                    && value
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || b" ,:;=-.".contains(c));
                let value = if safe {
                    String::from_utf8_lossy(value).into_owned()
                } else {
                    format!("<{} characters>", value.len())
                };
                report.headers.insert(name.to_ascii_lowercase(), value);
            }
        }
        if divergences.is_empty() {
            report.held += 1;
            return;
        }
        self.diverged = true;
        for divergence in divergences {
            let key = without_indices(&divergence.path);
            match report.divergences.iter_mut().find(|seen| {
                seen.divergence.direction == divergence.direction
                    && seen.divergence.kind == divergence.kind
                    && seen.divergence.expected == divergence.expected
                    && without_indices(&seen.divergence.path) == key
            }) {
                Some(seen) => seen.occurrences += 1,
                None => report.divergences.push(Seen {
                    divergence,
                    occurrences: 1,
                }),
            }
        }
    }

    /// Adds a request that got no answer to check, with why (an error's message: the caller
    /// makes sure it holds no personal value).
    pub fn record_failure(&mut self, operation: &str, why: String) {
        let report = self.operations.entry(operation.to_owned()).or_default();
        report.requests += 1;
        report.failures.push(why);
    }

    /// The report as text: one block per operation, one line per divergence.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (operation, report) in &self.operations {
            let statuses: Vec<String> = report
                .statuses
                .iter()
                .map(|(status, count)| format!("{status} x{count}"))
                .collect();
            let _ = writeln!(
                out,
                "{operation}: {} request{}, {} held{}{}",
                report.requests,
                if report.requests == 1 { "" } else { "s" },
                report.held,
                if statuses.is_empty() {
                    String::new()
                } else {
                    format!(" (statuses {})", statuses.join(", "))
                },
                if report.divergences.is_empty() {
                    ""
                } else {
                    ", diverged:"
                },
            );
            for seen in &report.divergences {
                let divergence = &seen.divergence;
                let times = if seen.occurrences > 1 {
                    format!(" (x{})", seen.occurrences)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {:?} {} {}: expected {}, found {}{times}",
                    divergence.direction,
                    serde_json::to_value(divergence.kind)
                        .ok()
                        .and_then(|kind| kind.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    divergence.path,
                    divergence.expected,
                    divergence.found,
                );
            }
            for (name, value) in &report.headers {
                let _ = writeln!(out, "  header {name}: {value}");
            }
            for failure in &report.failures {
                let _ = writeln!(out, "  no answer to check: {failure}");
            }
        }
        let unanswered: usize = self
            .operations
            .values()
            .map(|report| report.failures.len())
            .sum();
        let _ = writeln!(
            out,
            "{}",
            match (self.diverged, unanswered) {
                _ if self.operations.is_empty() => "Nothing was checked yet.".to_owned(),
                (true, _) => "The contract diverged from the answers above.".to_owned(),
                (false, 0) => "The contract held.".to_owned(),
                (false, n) => format!(
                    "The contract held for every answer; {n} requests got no answer to check."
                ),
            }
        );
        out
    }
}

/// `Items[3].Name` as `Items[].Name`.
fn without_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}
