//! A bank whose manifest takes learner files by glob (`fixtures/banks/globbed`): the files a
//! glob takes are graded, the caps on them and the rule against links hold, and a file that
//! could change how grading runs is never taken.

mod common;

use assert_cmd::prelude::*;
use common::{Env, Fixture, Grade, Graded, Workspace, check, repo};
use serde_json::Value;

const STOCK: &str = "01-foundations/01-stock-count";

/// A workspace of that bank with the learner `name` of `fixtures/banks/globbed/learners`
/// laid in.
fn workspace(env: &Env, name: &str) -> Workspace {
    let globbed = repo().join("fixtures/banks/globbed");
    let ws = env.init("ws", Some(&globbed.join("bank")));
    let learner = Fixture {
        dir: globbed.join("learners").join(name),
        exercise: STOCK.to_string(),
    };
    learner.lay(&ws.exercise(STOCK), None);
    ws
}

fn grade(env: &Env, ws: &Workspace) -> (Graded, Value) {
    let graded = env.check(ws).graded();
    let exercise = graded.exercise(STOCK).clone();
    (graded, exercise)
}

fn message(exercise: &Value, kind: &str) -> String {
    check(exercise, kind)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_files_a_glob_takes_are_graded() {
    let env = Env::new();
    let ws = workspace(&env, "reads-its-data");
    let (graded, exercise) = grade(&env, &ws);
    assert_eq!(graded.code, 0, "{}", graded.printed);
    assert_eq!(exercise["status"], "pass", "{exercise}");
    assert_eq!(exercise["score"], 5.0);
    assert!(
        exercise.get("not_graded").is_none(),
        "every file is graded: {exercise}"
    );
}

#[test]
fn an_untouched_workspace_with_the_starters_data_is_not_started() {
    let env = Env::new();
    let ws = env.init("ws", Some(&repo().join("fixtures/banks/globbed/bank")));
    let apples = ws.exercise(STOCK).join("data/apples.txt");
    assert_eq!(
        std::fs::read_to_string(&apples).unwrap(),
        "5\n",
        "init hands it out"
    );
    let (_, exercise) = grade(&env, &ws);
    assert_eq!(exercise["status"], "not-started", "{exercise}");
    // A data file of the learner's own is a start, even with the starter's code.
    std::fs::write(ws.exercise(STOCK).join("data/pears.txt"), "7\n").unwrap();
    let (_, exercise) = grade(&env, &ws);
    assert_eq!(exercise["started"], true, "{exercise}");
    assert_eq!(exercise["status"], "fail", "{exercise}");
}

#[test]
fn more_files_than_the_cap_are_rejected_with_the_cap_and_the_count() {
    let env = Env::new();
    let ws = workspace(&env, "too-many-files");
    let (graded, exercise) = grade(&env, &ws);
    assert_eq!(graded.code, 1);
    assert_eq!(exercise["status"], "rejected", "{exercise}");
    assert_eq!(exercise["score"], 0.0);
    let message = message(&exercise, "pytest");
    assert!(
        message.contains("holds 4 files that `files` takes by glob (data/**)")
            && message.contains("over the exercise's `max-files` of 3"),
        "{message}"
    );
}

#[test]
fn a_symbolic_link_in_a_globbed_folder_is_rejected() {
    let env = Env::new();
    let ws = workspace(&env, "reads-its-data");
    let pears = ws.exercise(STOCK).join("data/more/pears.txt");
    let elsewhere = env.path().join("pears.txt");
    std::fs::rename(&pears, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &pears).unwrap();
    let (_, exercise) = grade(&env, &ws);
    assert_eq!(exercise["status"], "rejected", "{exercise}");
    let message = message(&exercise, "pytest");
    assert!(
        message.contains("data/more/pears.txt is a symbolic link"),
        "{message}"
    );
}

#[test]
fn a_glob_never_takes_a_file_that_would_change_how_the_tests_run() {
    let env = Env::new();
    let ws = workspace(&env, "reads-its-data");
    let conftest = ws.exercise(STOCK).join("data/conftest.py");
    std::fs::write(&conftest, "raise SystemExit('taken')\n").unwrap();
    let (_, exercise) = grade(&env, &ws);
    assert_eq!(exercise["status"], "pass", "{exercise}");
    assert_eq!(exercise["not_graded"][0]["file"], "data/conftest.py");
    let reason = exercise["not_graded"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("never takes conftest.py from a learner"),
        "{reason}"
    );
}

#[test]
fn the_bank_verifies() {
    let env = Env::new();
    let bank = repo().join("fixtures/banks/globbed/bank");
    env.pygrade_on(&bank).arg("verify").assert().success();
}
