//! `cargo xtask diff [--base REV]`: what a change of the contract does to its consumers.
//!
//! The contract at `REV` (default: the last release tag `v*`, else `HEAD`) and the one in the
//! working tree are compared by Optic (`@useoptic/optic`, pinned in `tools/package.json`) with its
//! standard breaking-change rules. Every change is printed as `breaking` or `compatible`, and the
//! command fails when a breaking change comes without the version raise the README's rule asks
//! for: the contract's `info.version` is the crates' version, and a breaking change raises its
//! major part (its minor part while the major part is 0). It also fails when `info.version` and
//! the crates' version differ.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{SPEC_PATH, tools, workspace_root};

/// One change Optic reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `GET /api/v1/customertenants/`.
    pub operation: String,
    /// Where in the operation, for example `query parameter pageSize > /required changed`.
    pub location: String,
    /// The rule it breaks, when it breaks one: `None` for a compatible change.
    pub breaking: Option<String>,
}

pub fn run(base: Option<String>) -> Result<()> {
    let root = workspace_root();
    let base = match base {
        Some(base) => base,
        None => last_release(&root)?.unwrap_or_else(|| "HEAD".to_owned()),
    };
    let base_text = git_show(&root, &base, SPEC_PATH)?;
    let head_text = std::fs::read_to_string(root.join(SPEC_PATH)).context(SPEC_PATH)?;
    let crate_version = workspace_version(&root)?;
    let head_version = info_version(&head_text)?;
    if head_version != crate_version {
        bail!(
            "{SPEC_PATH} says info.version {head_version}, the crates say {crate_version}: they \
             are one number (README, \"Versions\")"
        );
    }
    let base_version = info_version(&base_text)?;
    let changes = compare(&root, &base_text, &head_text)?;
    println!("{SPEC_PATH}: {base} ({base_version}) -> working tree ({head_version})");
    for change in &changes {
        match &change.breaking {
            Some(rule) => println!(
                "  breaking    {} {}: {rule}",
                change.operation, change.location
            ),
            None => println!("  compatible  {} {}", change.operation, change.location),
        }
    }
    let breaking = changes.iter().filter(|c| c.breaking.is_some()).count();
    println!("{} changes, {breaking} breaking", changes.len());
    if breaking > 0 && !raises_for_breaking(&base_version, &head_version)? {
        bail!(
            "{breaking} breaking change(s) since {base} need a new major version (minor below \
             1.0) in info.version and Cargo.toml; {base_version} -> {head_version} is not one"
        );
    }
    Ok(())
}

/// Compares two texts of the contract: every change Optic finds, classed.
///
/// Optic's rules do not look inside `anyOf`, and every optional reference of the contract is a
/// nullable one (`anyOf: [{$ref: X}, {enum: [null]}]`), so Optic runs twice: on the contract with
/// those references unwrapped to `X` (its rules then see into `CustomerTenantDetailed`'s parts),
/// and as written (for what the unwrapping hides: a reference made nullable or not).
pub fn compare(root: &Path, base: &str, head: &str) -> Result<Vec<Change>> {
    let unwrapped = |text: &str| -> Result<String> {
        let mut value: serde_json::Value =
            serde_yaml::from_str(text).context("reading a contract")?;
        unwrap_nullable_refs(&mut value);
        Ok(serde_yaml::to_string(&value)?)
    };
    let mut changes = run_optic(root, &unwrapped(base)?, &unwrapped(head)?)?;
    for change in run_optic(root, base, head)? {
        let seen = changes
            .iter()
            .any(|c| c.operation == change.operation && c.location == change.location);
        if !seen && !change.location.contains("/anyOf/") {
            changes.push(change);
        }
    }
    Ok(changes)
}

/// Replaces `{anyOf: [X, {enum: [null]}], ...}` by `X`. The contract puts only a `description`
/// beside such an `anyOf`, which classes nothing (the run on the contract as written still lists
/// a changed description); keeping it would need `allOf: [X]`, inside which Optic's enum and
/// type rules do not look either.
fn unwrap_nullable_refs(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(object) => {
            let inner = match object.get("anyOf").and_then(Value::as_array) {
                Some(options) if options.len() == 2 => {
                    let is_null =
                        |option: &Value| option.get("enum") == Some(&serde_json::json!([null]));
                    match (is_null(&options[0]), is_null(&options[1])) {
                        (false, true) => Some(options[0].clone()),
                        (true, false) => Some(options[1].clone()),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(inner) = inner {
                *value = inner;
                return unwrap_nullable_refs(value);
            }
            object.values_mut().for_each(unwrap_nullable_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_nullable_refs),
        _ => {}
    }
}

/// Runs Optic on two texts and reads its report.
fn run_optic(root: &Path, base: &str, head: &str) -> Result<Vec<Change>> {
    let optic = tools::node_bin(root)?.join("optic");
    let dir = tools::target_dir(root).join("diff");
    std::fs::create_dir_all(&dir)?;
    // Unique names: the tests compare several versions at once.
    let stamp = format!("{}-{:x}", std::process::id(), short_hash(&[base, head]));
    let (base_file, head_file) = (
        dir.join(format!("base-{stamp}.yaml")),
        dir.join(format!("head-{stamp}.yaml")),
    );
    std::fs::write(&base_file, base)?;
    std::fs::write(&head_file, head)?;
    let output = Command::new(&optic)
        .current_dir(&dir)
        .arg("diff")
        .args([&base_file, &head_file])
        .arg("--check")
        .env("OPTIC_TELEMETRY_LEVEL", "off")
        .env("NO_COLOR", "1")
        .output()
        .with_context(|| format!("running {}", optic.display()))?;
    let _ = std::fs::remove_file(&base_file);
    let _ = std::fs::remove_file(&head_file);
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    let changes = parse_report(&report);
    // Optic exits 1 when a check fails; anything else (or a failure without a breaking change
    // to show for it) is the tool failing, not a verdict.
    let verdict_breaking = changes.iter().any(|c| c.breaking.is_some());
    match output.status.code() {
        Some(0) if !verdict_breaking => Ok(changes),
        Some(1) if verdict_breaking => Ok(changes),
        _ => bail!(
            "optic diff failed ({}):\n{report}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// Reads Optic's text report: an operation line (`x GET /path:`, or `✔ GET /path: added` for a
/// whole operation), under it a tree of `- ` lines down to each change, and under a line that
/// breaks a rule the line `x [rule] message`.
fn parse_report(report: &str) -> Vec<Change> {
    const METHODS: &[&str] = &[
        "GET ", "PUT ", "POST ", "DELETE ", "PATCH ", "HEAD ", "OPTIONS ",
    ];
    let mut changes: Vec<Change> = Vec::new();
    let mut operation: Option<String> = None;
    // The `- ` lines above the current one, by indentation, and where the last line pointed.
    let mut trail: Vec<(usize, String)> = Vec::new();
    let mut location = String::new();
    for line in report.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent == 0 {
            let heading = text.trim_start_matches(['x', '✔']).trim();
            operation = None;
            trail.clear();
            if !METHODS.iter().any(|method| heading.starts_with(method)) {
                continue;
            }
            if let Some(name) = heading.strip_suffix(':') {
                operation = Some(name.to_owned());
                location.clear();
            } else if let Some((name, what)) = heading.rsplit_once(": ") {
                operation = Some(name.to_owned());
                location = format!("operation {what}");
                changes.push(Change {
                    operation: name.to_owned(),
                    location: location.clone(),
                    breaking: None,
                });
            }
            continue;
        }
        let Some(operation) = &operation else {
            continue;
        };
        if let Some(item) = text.strip_prefix("- ") {
            trail.retain(|(depth, _)| *depth < indent);
            trail.push((indent, item.trim_end_matches(':').trim().to_owned()));
            location = trail
                .iter()
                .map(|(_, item)| item.as_str())
                .collect::<Vec<_>>()
                .join(" > ");
            let is_change = ["added", "removed", "changed"]
                .iter()
                .any(|word| item.ends_with(word));
            if is_change {
                changes.push(Change {
                    operation: operation.clone(),
                    location: location.clone(),
                    breaking: None,
                });
            }
        } else if let Some(rule) = text.strip_prefix("x [") {
            let rule = format!("[{rule}");
            match changes.last_mut() {
                Some(last) if last.operation == *operation && last.location == location => {
                    last.breaking = Some(match last.breaking.take() {
                        Some(earlier) => format!("{earlier}; {rule}"),
                        None => rule,
                    });
                }
                _ => changes.push(Change {
                    operation: operation.clone(),
                    location: location.clone(),
                    breaking: Some(rule),
                }),
            }
        }
    }
    changes
}

/// Whether `head` raises `base` enough for a breaking change: its major part, or its minor part
/// while the major part is 0.
pub fn raises_for_breaking(base: &str, head: &str) -> Result<bool> {
    let (base, head) = (semver(base)?, semver(head)?);
    Ok(if base.0 == 0 && head.0 == 0 {
        head.1 > base.1
    } else {
        head.0 > base.0
    })
}

fn semver(version: &str) -> Result<(u64, u64, u64)> {
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("{version:?} is not a version MAJOR.MINOR.PATCH"))?;
    match parts[..] {
        [major, minor, patch] => Ok((major, minor, patch)),
        _ => bail!("{version:?} is not a version MAJOR.MINOR.PATCH"),
    }
}

/// The version of the release `rev` (its contract's `info.version`) and of the working tree.
pub fn release_and_head_versions(root: &Path, rev: &str) -> Result<(String, String)> {
    let base = info_version(&git_show(root, rev, crate::SPEC_PATH)?)?;
    Ok((base, workspace_version(root)?))
}

fn info_version(contract: &str) -> Result<String> {
    let value: serde_json::Value = serde_yaml::from_str(contract).context("reading a contract")?;
    value["info"]["version"]
        .as_str()
        .map(str::to_owned)
        .context("the contract has no info.version")
}

fn workspace_version(root: &Path) -> Result<String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if in_package && let Some(value) = line.strip_prefix("version") {
            return Ok(value
                .trim_start_matches([' ', '='])
                .trim()
                .trim_matches('"')
                .to_owned());
        }
    }
    bail!("Cargo.toml has no [workspace.package] version")
}

/// The last release: the newest tag `vX.Y.Z` reachable from `HEAD`, else (in a clone without
/// tags) the newest commit whose subject starts `Release X.Y.Z`, as every release commit's does
/// (README, "Versions"); `None` before the first release.
pub fn last_release(root: &Path) -> Result<Option<String>> {
    let git = |args: &[&str]| -> Result<Option<String>> {
        let output = Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .context("running git")?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Ok((output.status.success() && !text.is_empty()).then_some(text))
    };
    match git(&["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"])? {
        Some(tag) => Ok(Some(tag)),
        None => git(&[
            "log",
            "-1",
            "--format=%H",
            "--extended-regexp",
            "--grep",
            "^Release [0-9]+\\.[0-9]+\\.[0-9]+",
        ]),
    }
}

fn git_show(root: &Path, rev: &str, path: &str) -> Result<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .context("running git show")?;
    if !output.status.success() {
        bail!(
            "git show {rev}:{path}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("{rev}:{path} is not UTF-8"))
}

/// A short hash of some texts, for file names within one run.
fn short_hash(texts: &[&str]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    texts.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn contract() -> Value {
        let text = std::fs::read_to_string(workspace_root().join(SPEC_PATH)).unwrap();
        serde_yaml::from_str(&text).unwrap()
    }

    /// Compares the real contract with itself changed by `edit`.
    fn changes_after(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
        let base = contract();
        let mut head = base.clone();
        edit(&mut head);
        compare(
            &workspace_root(),
            &serde_yaml::to_string(&base).unwrap(),
            &serde_yaml::to_string(&head).unwrap(),
        )
        .unwrap()
    }

    fn breaking(changes: &[Change]) -> Vec<&Change> {
        changes.iter().filter(|c| c.breaking.is_some()).collect()
    }

    /// Removes the last value of a closed enumeration, with its name and description.
    fn remove_last_enum_value(contract: &mut Value, name: &str) {
        let schema = &mut contract["components"]["schemas"][name];
        for key in ["enum", "x-enum-varnames", "x-enum-descriptions"] {
            schema[key].as_array_mut().unwrap().pop().unwrap();
        }
    }

    fn list_parameter<'a>(contract: &'a mut Value, name: &str) -> &'a mut Value {
        contract["paths"]["/api/v1/customertenants/"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|parameter| parameter["name"] == name)
            .unwrap()
    }

    #[test]
    fn an_optional_parameter_made_required_is_breaking() {
        let changes = changes_after(|contract| {
            list_parameter(contract, "pageSize")["required"] = json!(true);
        });
        let breaking = breaking(&changes);
        assert_eq!(breaking.len(), 1, "{changes:#?}");
        assert_eq!(breaking[0].operation, "GET /api/v1/customertenants/");
        assert!(breaking[0].location.contains("pageSize"), "{breaking:?}");
    }

    #[test]
    fn a_removed_response_property_is_breaking() {
        let changes = changes_after(|contract| {
            let properties = &mut contract["components"]["schemas"]["CustomerTenant"]["properties"];
            properties.as_object_mut().unwrap().remove("Name").unwrap();
        });
        let breaking = breaking(&changes);
        assert!(
            breaking
                .iter()
                .any(|c| c.operation == "GET /api/v1/customertenants/{id}/"
                    && c.location.contains("/properties/Name: removed")),
            "{changes:#?}"
        );
    }

    #[test]
    fn a_removed_property_behind_a_nullable_reference_is_breaking() {
        let changes = changes_after(|contract| {
            let properties =
                &mut contract["components"]["schemas"]["CustomerTenantProfile"]["properties"];
            let name = properties
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .clone();
            properties.as_object_mut().unwrap().remove(&name).unwrap();
        });
        assert!(
            breaking(&changes)
                .iter()
                .any(|c| c.operation == "GET /api/v1/customertenants/{id}/detailed/"),
            "{changes:#?}"
        );
    }

    #[test]
    fn a_removed_enum_value_of_a_request_property_is_breaking() {
        let changes = changes_after(|contract| remove_last_enum_value(contract, "EntityStatus"));
        assert!(
            breaking(&changes)
                .iter()
                .any(|c| c.location.starts_with("request")
                    && c.breaking.as_deref().unwrap().contains("enum")),
            "{changes:#?}"
        );
    }

    #[test]
    fn a_removed_enum_value_is_breaking() {
        let changes =
            changes_after(|contract| remove_last_enum_value(contract, "CustomerTenantType"));
        let breaking = breaking(&changes);
        assert!(
            breaking
                .iter()
                .any(|c| c.location.contains("customerTenantType")
                    && c.breaking.as_deref().unwrap().contains("enum")),
            "{changes:#?}"
        );
    }

    #[test]
    fn a_changed_property_type_is_breaking() {
        let changes = changes_after(|contract| {
            contract["components"]["schemas"]["CustomerTenant"]["properties"]["Id"] =
                json!({"type": "string"});
        });
        let breaking = breaking(&changes);
        assert!(
            breaking
                .iter()
                .any(|c| c.location.contains("/properties/Id: changed")),
            "{changes:#?}"
        );
    }

    #[test]
    fn an_added_optional_property_is_compatible() {
        let changes = changes_after(|contract| {
            contract["components"]["schemas"]["CustomerTenant"]["properties"]["Notes"] =
                json!({"type": "string", "nullable": true, "description": "Free text."});
        });
        assert!(
            changes
                .iter()
                .any(|c| c.location.contains("/properties/Notes: added")),
            "{changes:#?}"
        );
        assert!(breaking(&changes).is_empty(), "{changes:#?}");
    }

    #[test]
    fn a_removed_operation_is_breaking_and_an_added_one_compatible() {
        let path = "/api/v1/customertenants/{id}/azurePlan/";
        let changes = changes_after(|contract| {
            contract["paths"]
                .as_object_mut()
                .unwrap()
                .remove(path)
                .unwrap();
        });
        let removed = &changes[0];
        assert_eq!(removed.operation, format!("GET {path}"));
        assert_eq!(removed.location, "operation removed");
        assert!(
            removed
                .breaking
                .as_deref()
                .unwrap()
                .contains("operation removal")
        );

        let changes = changes_after(|contract| {
            let mut copy = contract["paths"][path].clone();
            copy["get"]["operationId"] = json!("getCustomerTenantAzurePlanAgain");
            contract["paths"]["/api/v1/customertenants/{id}/azurePlanAgain/"] = copy;
        });
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].location, "operation added");
        assert_eq!(changes[0].breaking, None);
    }

    #[test]
    fn an_unchanged_contract_has_no_changes() {
        assert_eq!(changes_after(|_| {}), vec![]);
    }

    #[test]
    fn a_breaking_change_needs_the_major_part_or_the_minor_below_one() {
        assert!(raises_for_breaking("0.1.0", "0.2.0").unwrap());
        assert!(!raises_for_breaking("0.1.0", "0.1.1").unwrap());
        assert!(raises_for_breaking("0.9.3", "1.0.0").unwrap());
        assert!(raises_for_breaking("1.4.2", "2.0.0").unwrap());
        assert!(!raises_for_breaking("1.4.2", "1.5.0").unwrap());
        assert!(!raises_for_breaking("1.4.2", "1.4.2").unwrap());
        assert!(raises_for_breaking("1.0", "2.0.0").is_err());
    }

    #[test]
    fn the_contract_and_the_crates_have_one_version() {
        let root = workspace_root();
        let text = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
        assert_eq!(
            info_version(&text).unwrap(),
            workspace_version(&root).unwrap()
        );
    }
}
