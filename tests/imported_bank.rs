//! A bank written the way banks for other graders are (`fixtures/banks/imported`): tests in
//! `unittest` style, and an "extra credit" test skipped on purpose, which its manifest
//! declares neutral.

mod common;

use common::{Env, Fixture, Grade, check, repo};
use serde_json::Value;

const SHAPES: &str = "01-foundations/01-shapes";

/// Grades the learner `name` of `fixtures/banks/imported/learners` against that bank: the
/// pytest check of its report.
fn graded(name: &str) -> Value {
    let env = Env::new();
    let imported = repo().join("fixtures/banks/imported");
    let ws = env.init("ws", Some(&imported.join("bank")));
    let learner = Fixture {
        dir: imported.join("learners").join(name),
        exercise: SHAPES.to_string(),
    };
    learner.lay(&ws.exercise(SHAPES), None);
    let graded = env.check(&ws).graded();
    check(graded.exercise(SHAPES), "pytest").clone()
}

/// The test of that name in a check's results.
fn test<'a>(check: &'a Value, name: &str) -> &'a Value {
    check["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test {name:?} in {check}"))
}

#[test]
fn a_unittest_failure_is_located_at_the_tests_line() {
    let pytest = graded("wrong-perimeter");
    let perimeter = test(&pytest, "perimeter");
    assert_eq!(perimeter["status"], "fail");
    // Not unittest's own assertEqual in the standard library, with the machine's path.
    assert_eq!(perimeter["location"], "tests/test_shapes.py:11");
}

#[test]
fn a_skip_the_tests_decide_is_neutral() {
    let pytest = graded("wrong-perimeter");
    assert_eq!(test(&pytest, "area of nothing")["status"], "skipped");
    // Two tests count: area passed, perimeter failed; the skipped one is left out.
    assert_eq!(pytest["score"], 2.0);
    assert_eq!(pytest["message"], "1 of 2 tests did not pass");
}

#[test]
fn a_skip_from_the_learners_code_counts_against_it() {
    let pytest = graded("skips-from-code");
    let perimeter = test(&pytest, "perimeter");
    assert_eq!(perimeter["status"], "skipped");
    assert!(
        perimeter["message"]
            .as_str()
            .unwrap()
            .starts_with("skipped from shapes.py:"),
        "{perimeter}"
    );
    assert_eq!(pytest["status"], "fail");
    assert_eq!(pytest["score"], 2.0);
}
