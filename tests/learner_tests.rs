//! The `learner-tests` check on the pricing tests exercise: the learner's tests against the
//! correct `pricing.py`, its eight faulty versions and a branch coverage budget. Thorough,
//! wrong and thin tests get the verdicts a learner can trust; tests that tell the versions
//! apart by reading the file (hostile) are refused or fail; the verdicts show in the JUnit
//! and Markdown reports; and `pygrade init` hands out the code under test, never the manifest
//! that holds its variants.

mod common;

use common::Env;
use serde_json::Value;

const PRICING: &str = "04-testing-typing/02-pricing-tests";

/// The learner-tests check of the exercise, graded with the fixture `name` laid in.
fn graded(name: &str) -> Value {
    let graded = Env::new().grade_files(&format!("learner-tests/{name}"), PRICING);
    common::check(graded.exercise(PRICING), "learner-tests").clone()
}

/// Each of the check's tests: its name and status.
fn verdicts(check: &Value) -> Vec<(String, String)> {
    (check["tests"].as_array().into_iter().flatten())
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("status"))
        })
        .collect()
}

fn count(check: &Value, prefix: &str, status: &str) -> usize {
    (verdicts(check).iter())
        .filter(|(name, s)| name.starts_with(prefix) && s == status)
        .count()
}

#[test]
fn thorough_tests_pass_catch_every_faulty_version_and_cover_the_branches() {
    let check = graded("thorough");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(check["score"], 8.0);
    assert_eq!(count(&check, "catches ", "pass"), 8, "{check:#}");
    assert_eq!(
        verdicts(&check).last().unwrap(),
        &(
            "branch coverage of pricing.py at least 95%".to_string(),
            "pass".to_string()
        )
    );
    assert_eq!(
        check["message"],
        "8 of 8 faulty versions caught, branch coverage 100%"
    );
}

#[test]
fn tests_that_fail_against_the_correct_code_earn_nothing() {
    let check = graded("fails-on-correct");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(check["score"], 0.0);
    let first = &check["tests"][0];
    assert_eq!(first["status"], "fail");
    let message = first["message"].as_str().unwrap();
    assert!(
        message.contains("bulk discount is ten percent"),
        "{message}"
    );
    assert_eq!(count(&check, "catches ", "not-run"), 8, "{check:#}");
}

#[test]
fn thin_tests_let_bugs_through_and_are_told_which() {
    let check = graded("misses-some");
    assert_eq!(check["status"], "fail", "{check:#}");
    let caught = count(&check, "catches ", "pass");
    let missed = count(&check, "catches ", "fail");
    assert_eq!(caught + missed, 8, "{check:#}");
    assert!(caught >= 1 && missed >= 1, "{check:#}");
    let coupon = (check["tests"].as_array().unwrap().iter())
        .find(|t| t["name"] == "catches coupon_case")
        .unwrap();
    assert_eq!(coupon["status"], "fail");
    assert_eq!(
        coupon["message"],
        "every test passed against a version with this bug: coupon codes are case-sensitive"
    );
    let coverage = check["tests"].as_array().unwrap().last().unwrap();
    assert_eq!(coverage["status"], "fail", "{coverage:#}");
    let score = check["score"].as_f64().unwrap();
    assert!(score > 0.0 && score < 8.0, "{score}");
}

#[test]
fn tests_that_read_the_code_under_test_are_refused() {
    let check = graded("reads-the-source");
    assert_eq!(check["status"], "rejected", "{check:#}");
    assert_eq!(check["score"], 0.0);
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("hashlib at test_pricing.py:3"),
        "{message}"
    );
    assert!(
        message.contains("introspection at test_pricing.py:12"),
        "{message}"
    );
}

#[test]
fn tests_of_how_the_file_is_written_fail_against_the_same_code_written_out_again() {
    let check = graded("tests-the-text");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(check["score"], 0.0);
    let message = check["tests"][0]["message"].as_str().unwrap();
    assert!(message.contains("written out differently"), "{message}");
}

#[test]
fn the_verdicts_show_in_the_junit_and_markdown_reports() {
    let (code, reports) =
        Env::new().reports_of("learner-tests/misses-some", PRICING, &["junit", "markdown"]);
    assert_eq!(code, Some(1));
    for text in reports {
        assert!(text.contains("learner-tests"), "{text}");
        assert!(text.contains("coupon codes are case-sensitive"), "{text}");
    }
}

#[test]
fn the_learner_is_handed_the_code_under_test_but_not_its_variants() {
    // The variants are edits the manifest holds, and the manifest stays with pygrade.
    let env = Env::new();
    let ws = env.workspace();
    let folder = ws.exercise(PRICING);
    assert!(folder.join("pricing.py").is_file());
    assert!(folder.join("test_pricing.py").is_file());
    assert!(!folder.join("exercise.toml").exists());
}
