//! The `constraints` check: the rules an exercise's README states (use `pathlib`, no
//! `time.sleep`, no bare `except`, `value` is a property, the class derives from an ABC),
//! checked on the learner's syntax tree by `pygrade_graders.constraints`, which reads the
//! files and never runs them.
//!
//! Each rule is one test of the check, named for what it asks, with the message the exercise
//! gives when it is broken and the lines that break it; the points are shared among the rules.
//! A file that does not parse makes the check `error`, as it does mypy's.

use std::ffi::OsString;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::contain::Exit;
use crate::grade::{CheckResult, Status, TestResult};

/// `kind = "constraints"`: a `[[check.rule]]` table for each rule.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Constraints {
    #[serde(rename = "rule")]
    rules: Vec<Rule>,
}

/// One rule: exactly one of the rule keys, and the message a learner reads when it is broken.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Rule {
    require_import: Option<String>,
    forbid_import: Option<String>,
    require_call: Option<String>,
    forbid_call: Option<String>,
    /// A construct: `bare-except`, `global`, `star-import`, `eval`, `exec`, `print`,
    /// `introspection`.
    forbid: Option<String>,
    /// `Class.attribute`, which must be a `@property`.
    property: Option<String>,
    /// A class that must derive from `from`.
    class: Option<String>,
    /// The base `class` must have (`abc.ABC`, or a name as the file writes it).
    derives_from: Option<String>,
    /// What the learner reads when the rule is broken.
    message: String,
}

/// The constructs `forbid` may name.
const CONSTRUCTS: &[&str] = &[
    "bare-except",
    "global",
    "star-import",
    "eval",
    "exec",
    "print",
    "introspection",
];

impl Rule {
    /// The rule as the harness takes it (`kind`, `target`), or why it is not one rule.
    fn spec(&self) -> Result<(&'static str, String), String> {
        let given: Vec<(&'static str, &String)> = [
            ("require-import", &self.require_import),
            ("forbid-import", &self.forbid_import),
            ("require-call", &self.require_call),
            ("forbid-call", &self.forbid_call),
            ("forbid", &self.forbid),
            ("property", &self.property),
            ("derives-from", &self.derives_from),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .collect();
        let &[(kind, target)] = given.as_slice() else {
            let keys: Vec<&str> = given.iter().map(|(key, _)| *key).collect();
            return Err(format!(
                "a rule takes exactly one of require-import, forbid-import, require-call, forbid-call, forbid, property and derives-from; this one has {}",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            ));
        };
        if target.trim().is_empty() {
            return Err(format!("`{kind}` is empty"));
        }
        if kind == "forbid" && !CONSTRUCTS.contains(&target.as_str()) {
            return Err(format!(
                "`forbid = {target:?}` names no construct pygrade knows: one of {}",
                CONSTRUCTS.join(", ")
            ));
        }
        if kind == "property" && !target.contains('.') {
            return Err(format!(
                "`property = {target:?}` must name `Class.attribute`"
            ));
        }
        match (kind, &self.class) {
            ("derives-from", None) => {
                Err("`derives-from` needs the `class` that must derive".into())
            }
            ("derives-from", Some(class)) => Ok((kind, format!("{class} {target}"))),
            (_, Some(_)) => Err("`class` goes only with `derives-from`".into()),
            _ => Ok((kind, target.clone())),
        }
    }

    /// What the rule asks, as a test's name.
    fn name(&self) -> String {
        let (kind, target) = self.spec().unwrap_or(("", String::new()));
        match kind {
            "require-import" => format!("imports {target}"),
            "forbid-import" => format!("does not import {target}"),
            "require-call" => format!("calls {target}"),
            "forbid-call" => format!("does not call {target}"),
            "forbid" => format!("has no {target}"),
            "property" => format!("{target} is a property"),
            _ => {
                let (class, base) = target.split_once(' ').unwrap_or_default();
                format!("{class} derives from {base}")
            }
        }
    }

    /// Whether a finding keeps the rule (else each finding breaks it).
    fn findings_keep_it(&self) -> bool {
        self.forbid_import.is_none() && self.forbid_call.is_none() && self.forbid.is_none()
    }
}

impl Kind for Constraints {
    const NAME: &'static str = "constraints";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
    /// Code that keeps the rules but does not work is not worth the points.
    const QUALITY: bool = true;

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if self.rules.is_empty() {
            problems.push("no `[[check.rule]]`: give the rules to check".into());
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if let Err(why) = rule.spec() {
                problems.push(format!("rule {}: {why}", i + 1));
            }
            if rule.message.trim().is_empty() {
                problems.push(format!(
                    "rule {}: `message` is empty: say what to do",
                    i + 1
                ));
            }
        }
        if !exercise.files.iter().any(|f| f.ends_with(".py")) {
            problems.push("none of `files` is a .py file to read".into());
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, self).await
    }
}

/// A place where a rule is kept or broken.
#[derive(Deserialize)]
pub(super) struct Found {
    pub file: String,
    pub line: u64,
}

#[derive(Deserialize)]
struct RuleFindings {
    findings: Vec<Found>,
}

#[derive(Deserialize)]
struct Syntax {
    file: String,
    line: u64,
    message: String,
}

#[derive(Deserialize)]
struct Output {
    rules: Option<Vec<RuleFindings>>,
    syntax: Option<Syntax>,
}

/// What the harness read in the learner's files.
pub(super) enum Reading {
    /// The places each rule, in order, is kept or broken.
    Found(Vec<Vec<Found>>),
    /// A file it could not parse: where, and why.
    Unreadable(String),
    /// Reading stopped at a limit, with how.
    Stopped(Status, String),
}

/// Reads `files` (relative to the check's folder) for `rules` (`kind`, `target`, as
/// [`Rule::spec`] gives them) with `pygrade_graders.constraints`.
pub(super) async fn read(
    ctx: &Ctx<'_>,
    files: &[&String],
    rules: &[(&str, String)],
) -> Result<Reading> {
    let rules: Vec<serde_json::Value> = (rules.iter())
        .map(|(kind, target)| serde_json::json!({ "kind": kind, "target": target }))
        .collect();
    let spec_path = ctx.own.join("constraints-spec.json");
    std::fs::write(
        &spec_path,
        serde_json::to_vec(&serde_json::json!({ "files": files, "rules": rules }))?,
    )?;
    let args: Vec<OsString> = vec![
        "-B".into(),
        "-m".into(),
        "pygrade_graders.constraints".into(),
        spec_path.into(),
    ];
    let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
    // It reads the learner's files and never runs them, as mypy does.
    spawn.sandboxed = false;
    let finished = ctx.run(spawn).await?;
    match (finished.exit, abnormal_status(finished.exit)) {
        (Exit::Code(0), _) => {}
        (Exit::Code(code), _) => bail!(
            "the constraints harness failed (status {code}): {}",
            finished.stderr.text().trim()
        ),
        (exit, status) => {
            return Ok(Reading::Stopped(
                status.unwrap_or(Status::Error),
                format!("reading your code {}", describe_exit(exit, &ctx.limits)),
            ));
        }
    }
    let output: Output = serde_json::from_str(&finished.stdout.text())
        .context("the constraints harness said something unreadable")?;
    if let Some(syntax) = output.syntax {
        return Ok(Reading::Unreadable(format!(
            "{}:{}: {}",
            syntax.file, syntax.line, syntax.message
        )));
    }
    let found = output
        .rules
        .context("the constraints harness gave no rules")?;
    if found.len() != rules.len() {
        bail!(
            "the constraints harness answered for {} of {} rules",
            found.len(),
            rules.len()
        );
    }
    Ok(Reading::Found(
        found.into_iter().map(|r| r.findings).collect(),
    ))
}

async fn run(ctx: &Ctx<'_>, section: &Constraints) -> Result<CheckResult> {
    let points = ctx.points;
    let files: Vec<&String> = (ctx.exercise.manifest.files.iter())
        .filter(|f| f.ends_with(".py"))
        .collect();
    let rules: Vec<(&str, String)> = (section.rules.iter())
        .map(|rule| rule.spec().expect("validated with the bank"))
        .collect();
    let found = match read(ctx, &files, &rules).await? {
        Reading::Found(found) => found,
        Reading::Unreadable(why) => {
            return Ok(CheckResult::whole("constraints", Status::Error, points)
                .with_message(format!("could not read your code: {why}")));
        }
        Reading::Stopped(status, why) => {
            return Ok(CheckResult::whole("constraints", status, points).with_message(why));
        }
    };
    let tests: Vec<TestResult> = (section.rules.iter().zip(found))
        .map(|(rule, found)| judge(rule, &found))
        .collect();
    let broken = tests.iter().filter(|t| t.status != Status::Pass).count();
    let status = if broken == 0 {
        Status::Pass
    } else {
        Status::Fail
    };
    let message = match broken {
        0 => "every rule is kept".to_string(),
        1 => "1 rule is broken".to_string(),
        n => format!("{n} rules are broken"),
    };
    Ok(CheckResult::from_tests("constraints", status, points, tests).with_message(message))
}

/// A rule's test: kept, or broken with its message and where.
fn judge(rule: &Rule, findings: &[Found]) -> TestResult {
    let at = |f: &Found| format!("{}:{}", f.file, f.line);
    let kept = if rule.findings_keep_it() {
        !findings.is_empty()
    } else {
        findings.is_empty()
    };
    if kept {
        return TestResult::new(rule.name(), Status::Pass);
    }
    let mut test = TestResult::new(rule.name(), Status::Fail);
    // The first place is the test's location; the others follow the message.
    let others: Vec<String> = findings.iter().skip(1).take(5).map(at).collect();
    test.message = Some(if others.is_empty() {
        rule.message.trim().to_string()
    } else {
        format!("{} (also at {})", rule.message.trim(), others.join(", "))
    });
    test.location = findings.first().map(at);
    test
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Constraints {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn each_rule_takes_one_key_and_a_message() {
        let rules = section(
            r#"
            [[rule]]
            forbid-call = "time.sleep"
            message = "wait on an event"
            [[rule]]
            class = "Exporter"
            derives-from = "abc.ABC"
            message = "make it abstract"
            "#,
        );
        assert_eq!(
            rules.rules[0].spec().unwrap(),
            ("forbid-call", "time.sleep".into())
        );
        assert_eq!(rules.rules[0].name(), "does not call time.sleep");
        assert_eq!(
            rules.rules[1].spec().unwrap(),
            ("derives-from", "Exporter abc.ABC".into())
        );
        assert_eq!(rules.rules[1].name(), "Exporter derives from abc.ABC");
        let two =
            section("[[rule]]\nforbid-call = \"a\"\nrequire-import = \"b\"\nmessage = \"m\"\n");
        let why = two.rules[0].spec().unwrap_err();
        assert!(
            why.ends_with("this one has require-import, forbid-call"),
            "{why}"
        );
        let unknown = section("[[rule]]\nforbid = \"goto\"\nmessage = \"m\"\n");
        assert!(
            unknown.rules[0]
                .spec()
                .unwrap_err()
                .contains("bare-except, global")
        );
        let typo = toml::from_str::<Constraints>("[[rule]]\nforbid-cal = \"a\"\nmessage = \"m\"\n");
        assert!(typo.unwrap_err().to_string().contains("forbid-cal"));
    }

    #[test]
    fn a_forbidden_call_is_broken_where_it_is_made_and_a_required_one_where_it_is_missing() {
        let rules = section(
            "[[rule]]\nforbid-call = \"time.sleep\"\nmessage = \"no sleeps\"\n[[rule]]\nrequire-import = \"pathlib\"\nmessage = \"use pathlib\"\n",
        );
        let here = [
            Found {
                file: "a.py".into(),
                line: 3,
            },
            Found {
                file: "b.py".into(),
                line: 8,
            },
        ];
        let broken = judge(&rules.rules[0], &here);
        assert_eq!(broken.status, Status::Fail);
        assert_eq!(broken.location.as_deref(), Some("a.py:3"));
        assert_eq!(
            broken.message.as_deref(),
            Some("no sleeps (also at b.py:8)")
        );
        assert_eq!(judge(&rules.rules[0], &[]).status, Status::Pass);
        assert_eq!(judge(&rules.rules[1], &here).status, Status::Pass);
        let missing = judge(&rules.rules[1], &[]);
        assert_eq!(missing.message.as_deref(), Some("use pathlib"));
    }
}
