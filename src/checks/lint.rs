//! The `lint` check: the learner's Python files under ruff, with the rule selection the
//! exercise gives (PEP 8, complexity, docstrings, idioms) and pygrade's configuration only.
//!
//! ruff runs with `--isolated`, so no configuration file in the learner's folder can change
//! the rules, and with `--ignore-noqa` unless the exercise allows `# noqa`, so a finding
//! cannot be silenced by a comment. Each finding is a diagnostic with its file, line, rule
//! code and name, and ruff's suggested fix and the rule's page as its hint. The points follow
//! the manifest's policy: all or nothing by default, or `per-finding` points off each finding.

use std::ffi::OsString;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::contain::Exit;
use crate::grade::{CheckResult, Diagnostic, Status};

/// `kind = "lint"`: ruff over the learner's Python files.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Lint {
    /// The rules, as ruff's `--select` takes them: codes or prefixes (`E`, `C901`, `D1`).
    select: Vec<String>,
    /// Rules of the selection left out.
    #[serde(default)]
    ignore: Vec<String>,
    /// The longest line `E501` allows.
    #[serde(default = "line_length")]
    line_length: u32,
    /// The most branches `C901` allows a function.
    #[serde(default = "max_complexity")]
    max_complexity: u32,
    /// Which docstring style the `D` rules hold to.
    #[serde(default)]
    docstring_convention: Convention,
    /// Points off each finding, down to 0; without it, any finding costs all the points.
    per_finding: Option<f64>,
    /// Whether `# noqa` comments in the learner's files silence ruff.
    #[serde(default)]
    allow_noqa: bool,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Convention {
    #[default]
    Google,
    Numpy,
    Pep257,
}

impl Convention {
    fn name(self) -> &'static str {
        match self {
            Convention::Google => "google",
            Convention::Numpy => "numpy",
            Convention::Pep257 => "pep257",
        }
    }
}

fn line_length() -> u32 {
    88
}

fn max_complexity() -> u32 {
    10
}

impl Kind for Lint {
    const NAME: &'static str = "lint";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
    /// Tidy code that does not work is not worth the style points.
    const QUALITY: bool = true;

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if !exercise.files.iter().any(|f| f.ends_with(".py")) {
            problems.push("none of `files` is a .py file to lint".into());
        }
        if self.select.is_empty() {
            problems
                .push("`select` is empty: name the rules to check (e.g. [\"E\", \"F\"])".into());
        }
        for rule in self.select.iter().chain(&self.ignore) {
            let letters = rule.trim_end_matches(|c: char| c.is_ascii_digit());
            if rule.is_empty()
                || letters.is_empty()
                || !letters.chars().all(|c| c.is_ascii_uppercase())
            {
                problems.push(format!(
                    "{rule:?} is not a ruff rule code or prefix (such as \"E\", \"C901\", \"D1\")"
                ));
            }
        }
        if self.line_length == 0 || self.line_length > 320 {
            problems.push("`line-length` must be between 1 and 320".into());
        }
        if self
            .per_finding
            .is_some_and(|p| !(p > 0.0 && p.is_finite()))
        {
            problems.push("`per-finding` must be more than 0 points".into());
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let Some(_) = ctx.toolchain.versions.ruff else {
            bail!(
                "the lint check needs ruff, which {} does not have: install ruff=={} there, or grade with pygrade's own environment (no --python)",
                ctx.toolchain.python.display(),
                crate::toolchain::pinned("ruff").unwrap_or("?")
            );
        };
        let files: Vec<&String> = (ctx.exercise.manifest.files.iter())
            .filter(|f| f.ends_with(".py"))
            .collect();
        let mut args: Vec<OsString> = ["-B", "-m", "ruff", "check", "--isolated", "--no-cache"]
            .map(OsString::from)
            .to_vec();
        args.extend(["--output-format", "json", "--quiet"].map(OsString::from));
        args.push(format!("--select={}", self.select.join(",")).into());
        if !self.ignore.is_empty() {
            args.push(format!("--ignore={}", self.ignore.join(",")).into());
        }
        args.push(format!("--line-length={}", self.line_length).into());
        args.push(
            format!(
                "--target-version={}",
                target_version(&ctx.toolchain.versions.python)
            )
            .into(),
        );
        args.push("--config".into());
        args.push(format!("lint.mccabe.max-complexity = {}", self.max_complexity).into());
        args.push("--config".into());
        args.push(
            format!(
                "lint.pydocstyle.convention = \"{}\"",
                self.docstring_convention.name()
            )
            .into(),
        );
        if !self.allow_noqa {
            args.push("--ignore-noqa".into());
        }
        args.push("--".into());
        args.extend(files.iter().map(|file| ctx.work.join(file).into()));

        let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
        // ruff reads the learner's files but never runs them, and takes no configuration from
        // them (`--isolated`), so, like mypy, it needs no sandbox.
        spawn.sandboxed = false;
        let finished = ctx.run(spawn).await?;
        let points = ctx.points;
        let code = match (finished.exit, abnormal_status(finished.exit)) {
            (Exit::Code(code), _) => code,
            (_, status) => {
                return Ok(
                    CheckResult::whole(NAME, status.unwrap_or(Status::Error), points).with_message(
                        format!("ruff {}", describe_exit(finished.exit, &ctx.limits)),
                    ),
                );
            }
        };
        let stdout = finished.stdout.text();
        let findings = parse(&ctx.relative(&stdout)).with_context(|| {
            format!(
                "ruff (status {code}) did not report its findings: {}",
                finished.stderr.text().trim()
            )
        })?;
        if code > 1 || (code == 1 && findings.is_empty()) {
            bail!(
                "ruff failed (status {code}): {}",
                finished.stderr.text().trim()
            );
        }
        Ok(self.grade(findings, points))
    }
}

const NAME: &str = "lint";

impl Lint {
    /// The check's result from ruff's findings, by the exercise's policy.
    fn grade(&self, findings: Vec<Diagnostic>, points: f64) -> CheckResult {
        let count = findings.len();
        let syntax = findings.iter().any(|d| d.code.as_deref() == Some("syntax"));
        let mut result = if syntax {
            CheckResult::whole(NAME, Status::Error, points)
                .with_message("ruff could not read your code: it has a syntax error")
        } else if count == 0 {
            CheckResult::whole(NAME, Status::Pass, points).with_message("no findings")
        } else {
            let mut result = CheckResult::whole(NAME, Status::Fail, points).with_message(format!(
                "{count} finding{}",
                if count == 1 { "" } else { "s" }
            ));
            if let Some(each) = self.per_finding {
                result.score = (points - each * count as f64).max(0.0);
                result.message = Some(format!(
                    "{count} finding{}, {} point{} off each",
                    if count == 1 { "" } else { "s" },
                    each,
                    if each == 1.0 { "" } else { "s" }
                ));
            }
            result
        };
        result.diagnostics = findings;
        result
    }
}

/// `py311` for Python 3.11.x: the syntax ruff should expect is the grading Python's.
fn target_version(python: &str) -> String {
    let mut parts = python.split('.');
    let major = parts.next().unwrap_or("3");
    let minor = parts.next().unwrap_or("11");
    format!("py{major}{minor}")
}

#[derive(Deserialize)]
struct Finding {
    code: Option<String>,
    name: Option<String>,
    filename: String,
    location: Location,
    message: String,
    fix: Option<Fix>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    row: u64,
    column: u64,
}

#[derive(Deserialize)]
struct Fix {
    message: Option<String>,
}

/// ruff's findings from its JSON array, each as a diagnostic; `None` when stdout is not one.
fn parse(stdout: &str) -> Option<Vec<Diagnostic>> {
    let findings: Vec<Finding> = if stdout.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(stdout).ok()?
    };
    Some(
        findings
            .into_iter()
            .map(|f| {
                let syntax = matches!(f.code.as_deref(), None | Some("invalid-syntax"));
                let hint = [
                    f.fix.and_then(|fix| fix.message),
                    f.url.map(|u| format!("see {u}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
                Diagnostic {
                    file: f.filename,
                    line: f.location.row,
                    column: Some(f.location.column),
                    severity: "error".into(),
                    code: if syntax {
                        Some("syntax".into())
                    } else {
                        f.code
                    },
                    message: match (syntax, f.name) {
                        (false, Some(name)) => format!("{} ({name})", f.message),
                        _ => f.message,
                    },
                    hint: (!hint.is_empty()).then(|| hint.join("; ")),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(toml: &str) -> Lint {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn a_section_needs_a_selection_and_takes_sensible_defaults() {
        let plain = lint("select = [\"E\", \"F\"]");
        assert_eq!((plain.line_length, plain.max_complexity), (88, 10));
        assert!(plain.per_finding.is_none() && !plain.allow_noqa);
        let missing = toml::from_str::<Lint>("ignore = [\"E501\"]").unwrap_err();
        assert!(missing.to_string().contains("select"), "{missing}");
        let typo = toml::from_str::<Lint>("select = [\"E\"]\nper_finding = 1").unwrap_err();
        assert!(typo.to_string().contains("per_finding"), "{typo}");
    }

    #[test]
    fn findings_are_read_with_their_rule_fix_and_page() {
        let out = r#"[
          {"cell": null, "code": "E711", "filename": "m.py", "location": {"column": 11, "row": 3},
           "end_location": {"column": 15, "row": 3},
           "fix": {"applicability": "unsafe", "edits": [], "message": "Replace with `cond is None`"},
           "message": "Comparison to `None` should be `cond is None`", "name": "none-comparison",
           "noqa_row": 3, "severity": "error", "url": "https://docs.astral.sh/ruff/rules/none-comparison"},
          {"cell": null, "code": "invalid-syntax", "filename": "b.py", "location": {"column": 7, "row": 1},
           "end_location": {"column": 8, "row": 1}, "fix": null,
           "message": "Expected `)`, found newline", "name": "invalid-syntax", "noqa_row": null,
           "severity": "error", "url": null}
        ]"#;
        let found = parse(out).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line, found[0].column), (3, Some(11)));
        assert_eq!(found[0].code.as_deref(), Some("E711"));
        assert_eq!(
            found[0].message,
            "Comparison to `None` should be `cond is None` (none-comparison)"
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some(
                "Replace with `cond is None`; see https://docs.astral.sh/ruff/rules/none-comparison"
            )
        );
        assert_eq!(found[1].code.as_deref(), Some("syntax"));
        assert_eq!(parse("").unwrap(), Vec::new());
        assert!(parse("error: unknown rule").is_none());
    }

    #[test]
    fn points_follow_the_policy() {
        let finding = |line| Diagnostic {
            file: "m.py".into(),
            line,
            column: Some(1),
            severity: "error".into(),
            code: Some("E501".into()),
            message: "Line too long".into(),
            hint: None,
        };
        let strict = lint("select = [\"E\"]");
        let failed = strict.grade(vec![finding(1)], 2.0);
        assert_eq!((failed.status, failed.score), (Status::Fail, 0.0));
        let passed = strict.grade(Vec::new(), 2.0);
        assert_eq!((passed.status, passed.score), (Status::Pass, 2.0));

        let lenient = lint("select = [\"E\"]\nper-finding = 0.5");
        let two = lenient.grade(vec![finding(1), finding(2)], 2.0);
        assert_eq!((two.status, two.score), (Status::Fail, 1.0));
        assert_eq!(
            two.message.as_deref(),
            Some("2 findings, 0.5 points off each")
        );
        let many = lenient.grade((1..=9).map(finding).collect(), 2.0);
        assert_eq!(many.score, 0.0);
    }

    #[test]
    fn the_target_is_the_grading_python() {
        assert_eq!(target_version("3.11.7"), "py311");
        assert_eq!(target_version("3.13.0rc1"), "py313");
    }
}
