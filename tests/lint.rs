//! The `lint` check on the capstone, whose selection is PEP 8, pyflakes, bugbear, naming,
//! docstring, complexity and idiom rules. Clean, untidy, silenced (hostile) and unreadable
//! learner files get the verdicts a learner can trust, each finding at its line with its
//! rule, and the findings show in the JSON, JUnit, Markdown and GitHub reports.

mod common;

use common::{Env, repo};
use serde_json::Value;

const CAPSTONE: &str = "10-capstone/01-rate-limiter";

/// The lint check of the capstone, graded with the fixture `name` laid in.
fn graded(name: &str) -> Value {
    let graded = Env::new().grade_files(&format!("lint/{name}"), CAPSTONE);
    common::check(graded.exercise(CAPSTONE), "lint").clone()
}

/// Each finding's rule code.
fn codes(check: &Value) -> Vec<String> {
    let mut codes: Vec<String> = (check["diagnostics"].as_array())
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    codes.sort();
    codes
}

#[test]
fn the_reference_has_no_finding() {
    let check = graded("clean");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(check["score"], 1.0);
    assert!(codes(&check).is_empty());
}

#[test]
fn each_finding_is_reported_at_its_line_with_its_rule_and_a_hint() {
    let check = graded("untidy");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(check["score"], 0.0);
    assert_eq!(
        codes(&check),
        ["D103", "E402", "E701", "E711", "F401", "N802"],
        "{check:#}"
    );
    assert_eq!(check["message"], "6 findings");
    let none = (check["diagnostics"].as_array().unwrap().iter())
        .find(|d| d["code"] == "E711")
        .unwrap();
    assert_eq!(none["file"], "rate_limiter.py");
    let source = std::fs::read_to_string(
        repo().join(format!("exercises/{CAPSTONE}/reference/rate_limiter.py")),
    )
    .unwrap();
    // The fixture's `if limiter == None` is its fifth line after the reference's.
    assert_eq!(none["line"], source.lines().count() + 5, "{none:#}");
    let hint = none["hint"].as_str().unwrap();
    assert!(
        hint.contains("docs.astral.sh/ruff/rules/none-comparison"),
        "{hint}"
    );
}

#[test]
fn noqa_comments_do_not_silence_the_check() {
    let check = graded("silenced");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(codes(&check), ["D103", "E402", "F401", "N802"], "{check:#}");
}

#[test]
fn a_syntax_error_is_an_error_not_a_list_of_findings() {
    let check = graded("unreadable");
    assert_eq!(check["status"], "error", "{check:#}");
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("syntax error"), "{message}");
}

#[test]
fn the_findings_show_in_the_junit_markdown_and_github_reports() {
    let formats = ["junit", "markdown", "github"];
    let (code, reports) = Env::new().reports_of("lint/untidy", CAPSTONE, &formats);
    assert_eq!(code, Some(1));
    for (format, text) in formats.iter().zip(reports) {
        assert!(text.contains("lint"), "{format}: {text}");
        assert!(text.contains("E711"), "{format}: {text}");
    }
}
