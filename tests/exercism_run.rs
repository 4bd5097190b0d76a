//! `pygrade exercism-run`: pygrade as Exercism's Python test runner. Every example case of
//! exercism/python-test-runner (`fixtures/exercism/example-*`, see its README) is graded and its
//! `results.json` compared, as JSON, with the reference runner's (`results.json` of the case),
//! or, where pygrade deliberately differs, with the case's `expected_results.json`.

mod common;

use std::path::{Path, PathBuf};

use common::{Env, repo};
use serde_json::Value;

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures/exercism"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("example-")
        })
        .collect();
    cases.sort();
    cases
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `pygrade exercism-run` on `case` and returns its results and exit code.
fn run(env: &Env, slug: &str, case: &Path, extra: &[&str]) -> (Value, Option<i32>) {
    let out = env.path().join("out").join(slug);
    let status = env
        .pygrade()
        .arg("exercism-run")
        .args(extra)
        .arg(slug)
        .arg(case)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        out.join("results.json").is_file(),
        "no results.json for {slug}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    (read_json(&out.join("results.json")), status.status.code())
}

#[test]
fn every_example_of_the_reference_runner_grades_as_it_does() {
    let env = Env::new();
    let cases = cases();
    assert!(cases.len() >= 19, "only {} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let slug = case.file_name().unwrap().to_string_lossy().into_owned();
        let before = snapshot(case);
        let (results, code) = run(&env, &slug, case, &[]);
        assert_eq!(code, Some(0), "{slug}: exit code");
        assert_eq!(
            snapshot(case),
            before,
            "{slug}: the input folder was written"
        );
        let expected = case.join("expected_results.json");
        let expected = if expected.is_file() {
            read_json(&expected)
        } else {
            read_json(&case.join("results.json"))
        };
        if results != expected {
            wrong.push(format!(
                "{slug}:\n{}\nexpected:\n{}",
                serde_json::to_string_pretty(&results).unwrap(),
                serde_json::to_string_pretty(&expected).unwrap()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn a_run_past_its_time_is_an_error_result_and_exit_code_zero() {
    let env = Env::new();
    let case = repo().join("fixtures/exercism/infinite-loop");
    let (results, code) = run(&env, "infinite-loop", &case, &["--timeout", "2s"]);
    assert_eq!(code, Some(0));
    assert_eq!(results["status"], "error");
    let message = results["message"].as_str().unwrap();
    assert!(message.contains("timed out"), "{message}");
    assert!(
        message.contains("InfiniteLoopTest::test_hello"),
        "{message}"
    );
}

#[test]
fn a_missing_test_file_is_an_error_result() {
    let env = Env::new();
    let case = repo().join("fixtures/exercism/infinite-loop");
    let (results, code) = run(&env, "two-fer", &case, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(results["status"], "error");
    assert_eq!(
        results["message"],
        "the test file two_fer_test.py is missing from the exercise folder"
    );
}

#[test]
fn an_input_folder_that_is_not_there_is_pygrades_error() {
    let env = Env::new();
    let out = env
        .pygrade()
        .args(["exercism-run", "two-fer"])
        .arg(env.path().join("nowhere"))
        .arg(env.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!env.path().join("out/results.json").exists());
}
