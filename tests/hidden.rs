//! Hidden tests: an exercise's `hidden/` folder holds tests that `pygrade init` never writes.
//! A learner's own check leaves them out; `--hidden` runs them with the visible tests and says
//! only how many passed; `--reveal` shows them like the visible ones; `verify` always runs
//! them. The bundled semver exercise has one, and the `hidden-tuned` submission passes every
//! visible test and fails it.

mod common;

use assert_cmd::prelude::*;
use common::{Env, Grade, Graded, WORD_COUNT, check, copy_outline, copy_tree, message, repo};
use predicates::prelude::*;
use serde_json::{Value, json};

const SEMVER: &str = "05-packaging/01-semver";

/// What the hidden test that `hidden-tuned` fails is called and what it says: neither may
/// reach a learner's report.
const HIDDEN_NAME: &str = "a hyphen after the plus belongs to the build";
const HIDDEN_MESSAGE: &str = "'1.0.0+build-5'";

/// Grades `hidden-tuned` with `args` added, for its JSON report and its terminal report.
fn graded(args: &[&str]) -> (Graded, String) {
    let env = Env::new();
    let ws = env.fixture_workspace("hidden-tuned");
    let json = env.check(&ws).args(args).arg(SEMVER).graded();
    let out = env.check(&ws).args(args).arg(SEMVER).output().unwrap();
    assert_eq!(out.status.code(), Some(json.code), "{}", json.printed);
    (json, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn pytest(graded: &Graded) -> &Value {
    check(graded.exercise(SEMVER), "pytest")
}

#[test]
fn a_learners_own_check_grades_the_visible_tests_alone() {
    let (graded, terminal) = graded(&[]);
    assert_eq!(graded.code, 0, "{}", graded.printed);
    let e = graded.exercise(SEMVER);
    assert_eq!((&e["status"], &e["score"]), (&json!("pass"), &json!(10.0)));
    assert_eq!(pytest(&graded)["hidden"], Value::Null);
    assert!(!terminal.contains("hidden"), "{terminal}");
}

#[test]
fn with_hidden_the_report_counts_the_hidden_tests_and_names_none() {
    let (graded, terminal) = graded(&["--hidden"]);
    assert_eq!(graded.code, 1, "{}", graded.printed);
    let pytest = pytest(&graded);
    assert_eq!(pytest["status"], "fail");
    assert_eq!(pytest["hidden"], json!({ "passed": 2, "total": 3 }));
    assert!(message(pytest).starts_with("1 of "), "{pytest}");
    // The points are shared by every test, the hidden ones too: one share of about 40 lost.
    let score = pytest["score"].as_f64().unwrap();
    assert!(5.8 < score && score < 6.0, "{pytest}");
    let tests = pytest["tests"].as_array().unwrap();
    // Only the visible tests are listed, all passed.
    assert!(
        tests
            .iter()
            .all(|t| t["status"] == "pass" && t["hidden"].is_null())
    );
    let json = graded.report.to_string();
    for leak in [HIDDEN_NAME, HIDDEN_MESSAGE, "hidden/", "test_semver_hidden"] {
        assert!(
            !json.contains(leak),
            "the JSON report shows {leak:?}: {json}"
        );
        assert!(
            !terminal.contains(leak),
            "the terminal report shows {leak:?}:\n{terminal}"
        );
    }
    assert!(
        terminal.contains("✗ hidden tests: 2 of 3 passed"),
        "{terminal}"
    );
}

#[test]
fn with_reveal_the_hidden_tests_show_like_the_visible_ones() {
    let (graded, terminal) = graded(&["--reveal"]);
    assert_eq!(graded.code, 1, "{}", graded.printed);
    let pytest = pytest(&graded);
    assert_eq!(pytest["hidden"], json!({ "passed": 2, "total": 3 }));
    let failed: Vec<&Value> = pytest["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] != "pass")
        .collect();
    let [test] = failed.as_slice() else {
        panic!("one test fails: {pytest}");
    };
    assert_eq!(test["hidden"], true);
    assert_eq!(test["name"], format!("{HIDDEN_NAME} [build-only]"));
    assert!(message(test).contains(HIDDEN_MESSAGE), "{test}");
    assert!(
        test["location"]
            .as_str()
            .unwrap()
            .starts_with("hidden/test_semver_hidden.py:"),
        "where the bank holds it: {test}"
    );
    assert!(terminal.contains(HIDDEN_NAME), "{terminal}");
    assert!(terminal.contains(HIDDEN_MESSAGE), "{terminal}");
}

#[test]
fn a_hidden_test_the_learners_run_leaves_out_still_fails() {
    // The tests are those collected with the reference, hidden ones included: code that
    // drops tests from the run loses them. (It reaches pytest's configuration from the frame
    // a signal handler is handed, a way to the tests' frames that no audit event shows; one
    // that does, such as `gc.get_objects`, gets the run rejected instead.)
    let env = Env::new();
    let ws = env.workspace();
    let reference = std::fs::read_to_string(
        repo()
            .join("exercises")
            .join(SEMVER)
            .join("reference/semver.py"),
    )
    .unwrap();
    let hides = r#"
import os
import signal
from types import FrameType

import pytest


class _Hide:
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items[:] = [item for item in items if "hidden" not in item.nodeid]


def _register(signum: int, frame: FrameType | None) -> None:
    while frame is not None:
        config = getattr(frame.f_locals.get("self"), "config", None)
        if isinstance(config, pytest.Config):
            config.pluginmanager.register(_Hide())
            return
        frame = frame.f_back


_previous = signal.signal(signal.SIGUSR1, _register)
os.kill(os.getpid(), signal.SIGUSR1)
signal.signal(signal.SIGUSR1, _previous)
"#;
    let solution = reference.replace(
        "\nif __name__ == \"__main__\":",
        &format!("{hides}\n\nif __name__ == \"__main__\":"),
    );
    std::fs::write(ws.exercise(SEMVER).join("semver.py"), solution).unwrap();
    let plain = env.check(&ws).arg(SEMVER).graded();
    assert_eq!(plain.code, 0, "nothing to hide from: {}", plain.printed);
    let graded = env.check(&ws).args(["--hidden", SEMVER]).graded();
    let pytest = pytest(&graded);
    assert_eq!(pytest["status"], "fail", "{pytest}");
    assert_eq!(pytest["hidden"], json!({ "passed": 0, "total": 3 }));
}

#[test]
fn init_never_writes_the_hidden_tests() {
    let env = Env::new();
    let ws = env.workspace();
    let dir = ws.exercise(SEMVER);
    assert!(dir.join("tests/test_semver.py").is_file());
    for entry in walkdir::WalkDir::new(&ws.dir) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        assert!(
            name != "hidden" && !name.contains("test_semver_hidden"),
            "{} is in the workspace",
            entry.path().display()
        );
        if entry.file_type().is_file() && name.ends_with(".py") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !text.contains("hyphen_after_the_plus"),
                "{}",
                entry.path().display()
            );
        }
    }
}

/// A bank of the semver exercise alone, to change.
fn semver_bank(env: &Env) -> std::path::PathBuf {
    let bank = env.path().join("bank");
    copy_tree(&repo().join("exercises").join(SEMVER), &bank.join(SEMVER));
    copy_outline(&bank);
    bank
}

#[test]
fn verify_runs_the_hidden_tests_against_the_reference() {
    let env = Env::new();
    let bank = semver_bank(&env);
    let hidden = bank.join(SEMVER).join("hidden/test_semver_hidden.py");
    let text = std::fs::read_to_string(&hidden)
        .unwrap()
        .replace("(\"build-5\",)", "(\"build-6\",)");
    std::fs::write(&hidden, text).unwrap();
    env.pygrade_on(&bank)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "reference/ does not pass the pytest check",
        ))
        .stdout(predicate::str::contains(HIDDEN_NAME));
}

#[test]
fn a_hidden_test_file_named_like_a_visible_one_is_a_bank_problem() {
    let env = Env::new();
    let bank = semver_bank(&env);
    let dir = bank.join(SEMVER);
    std::fs::rename(
        dir.join("hidden/test_semver_hidden.py"),
        dir.join("hidden/test_semver.py"),
    )
    .unwrap();
    env.pygrade_on(&bank)
        .args(["hint", "semver"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "hidden/test_semver.py has the name of tests/test_semver.py",
        ));
}

#[test]
fn a_hidden_test_file_that_cannot_load_the_code_keeps_its_text_hidden() {
    // The bank's hidden tests also import a name the visible tests do not, and the learner's
    // module calls it otherwise: only the hidden file fails to load it.
    let env = Env::new();
    let bank = semver_bank(&env);
    let hidden = bank.join(SEMVER).join("hidden/test_semver_hidden.py");
    let text = std::fs::read_to_string(&hidden).unwrap().replace(
        "from semver import Version",
        "from semver import PARTS, Version",
    );
    std::fs::write(&hidden, text).unwrap();
    let ws = env.init("ws", Some(&bank));
    let reference = std::fs::read_to_string(bank.join(SEMVER).join("reference/semver.py"))
        .unwrap()
        .replace("PARTS", "_PARTS");
    std::fs::write(ws.exercise(SEMVER).join("semver.py"), reference).unwrap();

    let graded = env.check(&ws).args(["--hidden", SEMVER]).graded();
    let check = pytest(&graded);
    assert_eq!(check["status"], "error", "{check}");
    assert_eq!(
        message(check),
        "the hidden tests could not load your code because of an import error"
    );
    assert_eq!(check["hidden"], json!({ "passed": 0, "total": 3 }));
    assert!(!graded.report.to_string().contains("PARTS"), "{check}");

    let revealed = env.check(&ws).args(["--reveal", SEMVER]).graded();
    let tests = pytest(&revealed)["tests"].as_array().unwrap().clone();
    let hidden: Vec<&Value> = tests.iter().filter(|t| t["hidden"] == true).collect();
    assert_eq!(hidden.len(), 3);
    assert!(
        hidden
            .iter()
            .all(|t| t["status"] == "error" && message(t).contains("cannot import name 'PARTS'")),
        "{hidden:?}"
    );
}

/// A visible test that passes only where pytest finds its module already rewritten, and only
/// where no part of the hidden tests is in the job's folder unless their source is.
const REWRITTEN_PROBE: &str = r#"
from pathlib import Path

HERE = Path(__file__)


def test_found_rewritten() -> None:
    assert list((HERE.parent / "__pycache__").glob(HERE.stem + ".*-pytest-*.pyc"))


def test_nothing_hidden_without_the_hidden_tests() -> None:
    hidden = HERE.parent / "hidden"
    assert hidden.exists() == (hidden / "test_probe_hidden.py").exists()
"#;

#[test]
fn the_test_modules_rewritten_with_the_reference_are_laid_beside_the_tests_hidden_ones_only_when_they_run()
 {
    let env = Env::new();
    let bank = env.fast_bank();
    let exercise = bank.join(WORD_COUNT);
    std::fs::write(exercise.join("tests/test_probe.py"), REWRITTEN_PROBE).unwrap();
    let hidden = REWRITTEN_PROBE
        .split("\n\ndef test_nothing")
        .next()
        .unwrap();
    std::fs::create_dir(exercise.join("hidden")).unwrap();
    std::fs::write(exercise.join("hidden/test_probe_hidden.py"), hidden).unwrap();
    let ws = env.init("ws", Some(&bank));
    std::fs::copy(
        exercise.join("reference/word_count.py"),
        ws.exercise(WORD_COUNT).join("word_count.py"),
    )
    .unwrap();
    for args in [&[][..], &["--hidden"]] {
        let graded = env.check(&ws).args(args).arg(WORD_COUNT).graded();
        let pytest = check(graded.exercise(WORD_COUNT), "pytest");
        assert_eq!(pytest["status"], "pass", "{args:?}: {pytest}");
        let hidden = (!args.is_empty()).then(|| json!({ "passed": 1, "total": 1 }));
        assert_eq!(pytest["hidden"], json!(hidden), "{args:?}: {pytest}");
    }
}
