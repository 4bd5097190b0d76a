//! The `predict` check on the "Under the hood" exercise: answers checked against what the
//! snippets print under the grading Python, or against the exercise's key. Right answers, a
//! wrong one, a file that is not TOML and hostile values each get the verdict a learner can
//! trust, and a wrong answer never gives the right one away.

mod common;

use common::Env;
use serde_json::Value;

const UNDER_THE_HOOD: &str = "01-foundations/03-under-the-hood";

/// The predict check of the exercise, graded with the fixture `name` handed in.
fn graded(name: &str) -> Value {
    let graded = Env::new().grade_files(&format!("predict/{name}"), UNDER_THE_HOOD);
    common::check(graded.exercise(UNDER_THE_HOOD), "predict").clone()
}

/// Each question's status, by id.
fn answers(check: &Value) -> Vec<(String, String)> {
    (check["tests"].as_array().unwrap().iter())
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("status"))
        })
        .collect()
}

fn status_of<'a>(found: &'a [(String, String)], id: &str) -> &'a str {
    &found.iter().find(|(name, _)| name == id).unwrap().1
}

#[test]
fn right_answers_earn_every_point() {
    let check = graded("right");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(check["score"], 9.0);
    assert_eq!(check["message"], "9 of 9 answers right");
}

#[test]
fn a_wrong_answer_fails_alone_and_does_not_give_the_right_one_away() {
    let check = graded("one-wrong");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(check["score"], 8.0);
    let found = answers(&check);
    assert_eq!(status_of(&found, "frames"), "fail");
    assert_eq!(
        status_of(&found, "freed"),
        "pass",
        "space and case do not count"
    );
    let wrong = (check["tests"].as_array().unwrap().iter())
        .find(|t| t["name"] == "frames")
        .unwrap();
    let message = wrong["message"].as_str().unwrap();
    assert_eq!(
        message,
        "not what snippets/frames.py prints: think it through once more"
    );
    assert!(
        !check.to_string().contains("\"4\""),
        "the right answer leaked: {check:#}"
    );
}

#[test]
fn answers_that_are_not_toml_are_an_error_naming_the_line() {
    let check = graded("not-toml");
    assert_eq!(check["status"], "error", "{check:#}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.starts_with("answers.toml is not a TOML file of answers (line 2)"),
        "{message}"
    );
}

#[test]
fn hostile_values_fail_their_own_questions_and_nothing_else() {
    let check = graded("hostile-values");
    assert_eq!(check["status"], "fail", "{check:#}");
    let found = answers(&check);
    for id in ["model", "duck", "cycle", "frames"] {
        assert_eq!(status_of(&found, id), "fail", "{id}: {check:#}");
    }
    for id in [
        "compiled",
        "cache-folder",
        "runs-bytecode",
        "freed",
        "default",
    ] {
        assert_eq!(status_of(&found, id), "pass", "{id}: {check:#}");
    }
    assert_eq!(check["score"], 5.0);
}
