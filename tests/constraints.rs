//! The `constraints` check on the CSV summary exercise, whose rules are: import `pathlib`,
//! call neither `os.path` nor the built-in `open`. Learner files that keep the rules, break
//! them, hide the calls (hostile) and cannot be read (hostile) get the verdicts a learner can
//! trust, and the rules show in the JSON, JUnit and Markdown reports.

mod common;

use common::Env;
use serde_json::Value;

const CSV_SUMMARY: &str = "01-foundations/02-csv-summary";

/// The constraints check of the CSV summary exercise, graded with the fixture `name` laid in.
fn graded(name: &str) -> Value {
    let graded = Env::new().grade_files(&format!("constraints/{name}"), CSV_SUMMARY);
    common::check(graded.exercise(CSV_SUMMARY), "constraints").clone()
}

/// Each rule's test: its name, status and location.
fn rules(check: &Value) -> Vec<(String, String, String)> {
    check["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("status"), text("location"))
        })
        .collect()
}

fn rule(name: &str, status: &str, location: &str) -> (String, String, String) {
    (name.into(), status.into(), location.into())
}

#[test]
fn code_that_keeps_the_rules_passes_every_one() {
    let check = graded("keeps-the-rules");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(check["score"], 1.0);
    assert_eq!(
        rules(&check),
        [
            rule("imports pathlib", "pass", ""),
            rule("does not call os.path", "pass", ""),
            rule("does not call open", "pass", ""),
        ]
    );
}

#[test]
fn each_broken_rule_fails_at_its_line_with_the_exercises_message() {
    let check = graded("breaks-the-rules");
    assert_eq!(check["status"], "fail", "{check:#}");
    let found = rules(&check);
    assert_eq!(found[0], rule("imports pathlib", "pass", ""));
    assert_eq!(found[1].1, "fail");
    assert_eq!(found[2].1, "fail");
    let message = check["tests"][2]["message"].as_str().unwrap();
    assert!(
        message.starts_with("open files with `path.open(...)`"),
        "{message}"
    );
    assert_eq!(check["message"], "2 rules are broken");
}

#[test]
fn calls_hidden_behind_import_getattr_and_an_alias_are_still_found() {
    let check = graded("hides-the-calls");
    let found = rules(&check);
    assert_eq!(found[1].1, "fail", "{check:#}");
    assert_eq!(found[2].1, "fail", "{check:#}");
}

#[test]
fn a_file_too_deep_to_read_is_an_error_of_the_learner_not_of_pygrade() {
    let check = graded("unreadable");
    assert_eq!(check["status"], "error", "{check:#}");
    let message = check["message"].as_str().unwrap();
    assert!(message.starts_with("could not read your code"), "{message}");
}

#[test]
fn the_rules_show_in_the_junit_and_markdown_reports() {
    let (code, reports) = Env::new().reports_of(
        "constraints/breaks-the-rules",
        CSV_SUMMARY,
        &["junit", "markdown"],
    );
    assert_eq!(code, Some(1));
    for text in reports {
        assert!(text.contains("constraints"), "{text}");
        assert!(text.contains("does not call open"), "{text}");
    }
}
