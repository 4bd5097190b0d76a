//! The `package` check: the learner's `pyproject.toml` and package, built into a wheel
//! offline with the pinned setuptools, installed into a throwaway virtual environment,
//! its metadata checked, and its console scripts run with given arguments, as its first user
//! would (`pygrade_graders.package`, in the sandbox: building runs the learner's
//! configuration, and the commands are the learner's code).
//!
//! Each step is one test of the check, and the points are shared among them; once the build
//! or the install fails, the later steps are `not-run`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::contain::{CHANNEL_FD, TOKEN_FD};
use crate::grade::{CheckResult, Status, TestResult};
use crate::protocol::package::{Event, Run, Spec};
use crate::protocol::{self, Mismatch};

const NAME: &str = "package";

/// `kind = "package"`: build, install, inspect and run the learner's package.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Package {
    /// The folder of the learner's `pyproject.toml`, in the exercise.
    #[serde(default = "here")]
    project: String,
    /// The distribution name the wheel must carry.
    name: String,
    /// Core metadata fields and the values they must have (`"*"`: any, but present).
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    /// The installed commands to run, each a `[[check.run]]`.
    #[serde(default, rename = "run")]
    runs: Vec<Run>,
}

fn here() -> String {
    ".".into()
}

/// The steps before the metadata and the runs: when one fails, the rest cannot be tried.
const STEPS: [&str; 2] = [
    "builds a wheel",
    "installs into a fresh virtual environment",
];

impl Kind for Package {
    const NAME: &'static str = NAME;
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        let pyproject = Path::new(&self.project).join("pyproject.toml");
        let pyproject = pyproject.strip_prefix(".").unwrap_or(&pyproject);
        if !exercise.files.iter().any(|f| Path::new(f) == pyproject) {
            problems.push(format!(
                "`files` must name {} (as a plain path): the learner writes it",
                pyproject.display()
            ));
        }
        if self.name.trim().is_empty() {
            problems.push("`name` is empty: give the distribution name the wheel must have".into());
        }
        for run in &self.runs {
            if run.args.first().is_none_or(|a| a.trim().is_empty()) {
                problems.push("a `[[check.run]]` has no command in `args`".into());
            }
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let points = ctx.points;
        let step_time = ctx.limits.timeout.map_or(60.0, |t| t.as_secs_f64());
        let spec = Spec {
            project: ctx.work.join(&self.project).display().to_string(),
            name: &self.name,
            metadata: &self.metadata,
            runs: &self.runs,
            timeout: step_time,
        };
        let spec_path = ctx.own.join("package-spec.json");
        std::fs::write(&spec_path, serde_json::to_vec(&spec)?)?;
        let args = vec![
            "-B".into(),
            "-m".into(),
            "pygrade_graders.package".into(),
            spec_path.into(),
            CHANNEL_FD.to_string().into(),
            TOKEN_FD.to_string().into(),
        ];
        let mut spawn = ctx.spawn(&ctx.toolchain.python, args);
        spawn.channel = true;
        let finished = ctx.run(spawn).await?;
        if let Some(line) = finished.channel.forged {
            return Ok(CheckResult::whole(NAME, Status::Rejected, points).with_message(format!(
                "rejected: line {line} of the results channel was not written by pygrade's harness; results from such a run cannot be trusted"
            )));
        }
        let (events, _) = protocol::parse::<Event>(&finished.channel.lines, None);
        match events.first() {
            Some(Event::Hello { protocol }) if *protocol == protocol::VERSION => {}
            Some(Event::Hello { protocol }) => {
                return Err(Mismatch {
                    speaker: "packaging harness",
                    found: *protocol,
                    fix: "run `pygrade setup` to refresh it",
                }
                .into());
            }
            _ => bail!(
                "the packaging harness did not start ({:?}): {}",
                finished.exit,
                finished.stderr.text().trim()
            ),
        }
        let mut tests: Vec<TestResult> = (events.iter())
            .filter_map(|event| match event {
                Event::Step {
                    name,
                    status,
                    message,
                } => {
                    let mut test = TestResult::new(
                        name,
                        if status == "pass" {
                            Status::Pass
                        } else {
                            Status::Fail
                        },
                    );
                    test.message = message.as_deref().map(|m| ctx.relative(m));
                    Some(test)
                }
                _ => None,
            })
            .collect();
        let done = events.iter().any(|e| matches!(e, Event::Done {}));
        let stopped = abnormal_status(finished.exit);
        if !done && stopped.is_none() {
            bail!(
                "the packaging harness failed: {}",
                finished.stderr.text().trim()
            );
        }
        // Whatever was not reached is listed, not run, so the learner sees every step.
        let mut expected: Vec<String> = STEPS.iter().map(|s| s.to_string()).collect();
        expected.push(format!("the distribution is named {}", self.name));
        for (key, value) in &self.metadata {
            expected.push(if value == "*" {
                format!("metadata {key}")
            } else {
                format!("metadata {key} = {value}")
            });
        }
        expected.extend(
            self.runs
                .iter()
                .map(|r| format!("runs {}", r.args.join(" "))),
        );
        for name in expected {
            if !tests.iter().any(|t| t.name == name) {
                let mut test = TestResult::new(name, Status::NotRun);
                test.message = Some("not tried: an earlier step failed".into());
                tests.push(test);
            }
        }
        let failed = tests.iter().filter(|t| t.status != Status::Pass).count();
        let (status, message) = match stopped {
            Some(status) => (
                status,
                format!(
                    "the packaging {}",
                    describe_exit(finished.exit, &ctx.limits)
                ),
            ),
            None if failed == 0 => (Status::Pass, "builds, installs and runs".to_string()),
            None => (
                Status::Fail,
                match tests.iter().find(|t| t.status == Status::Fail) {
                    Some(first) => format!(
                        "{} of {} steps did not pass: first, {}",
                        failed,
                        tests.len(),
                        first.name
                    ),
                    None => format!("{failed} of {} steps did not pass", tests.len()),
                },
            ),
        };
        Ok(CheckResult::from_tests(NAME, status, points, tests).with_message(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_names_the_distribution_and_its_runs() {
        let section: Package = toml::from_str(
            "name = \"relnotes\"\n[metadata]\nRequires-Python = \">=3.11\"\n[[run]]\nargs = [\"relnotes\", \"--version\"]\nstdout = \"1.0.0\"\n",
        )
        .unwrap();
        assert_eq!(section.project, ".");
        assert_eq!(section.runs[0].code, 0);
        assert_eq!(section.metadata["Requires-Python"], ">=3.11");
        let typo =
            toml::from_str::<Package>("name = \"x\"\n[[run]]\nargv = [\"x\"]\n").unwrap_err();
        assert!(typo.to_string().contains("argv"), "{typo}");
    }
}
