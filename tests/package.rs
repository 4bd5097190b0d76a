//! The `package` check on the release-notes exercise: the learner's folder built into a
//! wheel offline, installed into a fresh virtual environment, its metadata checked and its
//! command run. Complete, incomplete and wrong packages get the verdicts a learner can
//! trust, a hostile build cannot forge its results, and the steps show in the reports.

mod common;

use common::Env;
use serde_json::Value;

const RELNOTES: &str = "05-packaging/02-release-notes";

fn graded(name: &str) -> Value {
    let graded = Env::new().grade_files(&format!("package/{name}"), RELNOTES);
    common::check(graded.exercise(RELNOTES), "package").clone()
}

/// Each step: its name and status.
fn steps(check: &Value) -> Vec<(String, String)> {
    (check["tests"].as_array().into_iter().flatten())
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("status"))
        })
        .collect()
}

fn status_of(check: &Value, step: &str) -> String {
    (steps(check).into_iter())
        .find(|(name, _)| name == step)
        .unwrap_or_else(|| panic!("no step {step:?} in {check:#}"))
        .1
}

fn message_of(check: &Value, step: &str) -> String {
    (check["tests"].as_array().unwrap().iter())
        .find(|t| t["name"] == step)
        .and_then(|t| t["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_complete_package_builds_installs_and_runs() {
    let check = graded("complete");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(check["score"], 8.0);
    assert_eq!(steps(&check).len(), 11, "{check:#}");
}

#[test]
fn a_package_without_its_command_installs_but_every_run_says_what_is_missing() {
    let check = graded("no-entry-point");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(status_of(&check, "builds a wheel"), "pass");
    assert_eq!(
        status_of(&check, "installs into a fresh virtual environment"),
        "pass"
    );
    let run = "runs relnotes --version";
    assert_eq!(status_of(&check, run), "fail");
    assert!(
        message_of(&check, run).contains("[project.scripts]"),
        "{check:#}"
    );
}

#[test]
fn wrong_metadata_fails_its_own_steps_only() {
    let check = graded("wrong-metadata");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(
        status_of(&check, "the distribution is named acme-relnotes"),
        "pass"
    );
    assert_eq!(status_of(&check, "metadata Version = 1.0.0"), "fail");
    assert_eq!(
        status_of(&check, "metadata License-Expression = MIT"),
        "fail"
    );
    assert_eq!(
        status_of(&check, "metadata Requires-Python = >=3.11"),
        "pass"
    );
    assert_eq!(status_of(&check, "runs relnotes --version"), "fail");
    assert_eq!(status_of(&check, "runs relnotes two"), "pass");
    assert!(message_of(&check, "metadata Version = 1.0.0").contains("'0.1.0'"));
}

#[test]
fn a_hostile_build_fails_and_forges_nothing() {
    let check = graded("hostile-build");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(check["score"], 0.0);
    assert_eq!(status_of(&check, "builds a wheel"), "fail");
    let message = message_of(&check, "builds a wheel");
    assert!(
        message.contains("a build that forges results fails"),
        "{message}"
    );
    assert_eq!(
        status_of(&check, "installs into a fresh virtual environment"),
        "not-run"
    );
}

#[test]
fn the_steps_show_in_the_junit_and_markdown_reports() {
    let (code, reports) =
        Env::new().reports_of("package/no-entry-point", RELNOTES, &["junit", "markdown"]);
    assert_eq!(code, Some(1));
    for text in reports {
        assert!(text.contains("package"), "{text}");
        assert!(text.contains("was installed"), "{text}");
    }
}
