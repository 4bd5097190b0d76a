//! Each learner submission in `fixtures/submissions/` is graded and gets the outcome its
//! folder is named for. Learner failures are results (exit 1), never pygrade errors (exit 2).

mod common;

use std::time::{Duration, Instant};

use common::{Env, WORD_COUNT, check, exercise, tests_with_status};
use serde_json::Value;

fn graded(fixture: &str) -> (Env, i32, Value) {
    let env = Env::new();
    let (code, report) = env.grade_fixture(fixture);
    (env, code, report)
}

#[test]
fn pass_earns_full_marks() {
    let (_env, code, report) = graded("pass");
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 0);
    assert_eq!(e["status"], "pass");
    assert_eq!(e["score"], e["max_score"]);
    assert_eq!(e["max_score"], 10.0);
    assert_eq!(report["summary"]["passed"], 1);
    // Each check reports what its processes used: a Python interpreter takes some CPU time
    // and several megabytes.
    let usage = &check(e, "pytest")["usage"];
    assert!(usage["cpu_ms"].as_u64().unwrap() > 0, "{usage}");
    assert!(usage["peak_rss_kib"].as_u64().unwrap() > 4096, "{usage}");
}

#[test]
fn wrong_answer_fails_with_messages_and_a_diff() {
    let (_env, code, report) = graded("wrong-answer");
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 1);
    assert_eq!(e["status"], "fail");
    let pytest = check(e, "pytest");
    assert_eq!(pytest["status"], "fail");
    let failing = pytest["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "fail")
        .unwrap();
    assert!(
        failing["message"]
            .as_str()
            .unwrap()
            .contains("AssertionError"),
        "{failing}"
    );
    let output = check(e, "output");
    assert_eq!(output["status"], "fail");
    let diff = output["tests"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("--- expected") && diff.contains("+++ actual"),
        "{diff}"
    );
}

#[test]
fn partial_earns_partial_credit() {
    let (_env, code, report) = graded("partial");
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 1);
    let pytest = check(e, "pytest");
    let score = pytest["score"].as_f64().unwrap();
    assert!(
        score > 0.0 && score < pytest["max_score"].as_f64().unwrap(),
        "{pytest}"
    );
    assert_eq!(check(e, "mypy")["status"], "pass");
}

#[test]
fn syntax_error_is_an_error_with_the_reason() {
    let (_env, code, report) = graded("syntax-error");
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 1);
    assert_eq!(e["status"], "error");
    let pytest = check(e, "pytest");
    assert_eq!(pytest["status"], "error");
    let message = pytest["message"].as_str().unwrap();
    assert!(
        message.contains("syntax error") && message.contains("word_count.py"),
        "{message}"
    );
    assert_eq!(check(e, "mypy")["status"], "error");
    assert_eq!(report["summary"]["errored"], 1);
}

#[test]
fn import_error_names_the_missing_module() {
    let (_env, _, report) = graded("import-error");
    let pytest = check(exercise(&report, WORD_COUNT), "pytest");
    assert_eq!(pytest["status"], "error");
    let message = pytest["message"].as_str().unwrap();
    assert!(
        message.contains("import error") && message.contains("wordfreq_helpers"),
        "{message}"
    );
}

#[test]
fn raising_at_import_is_an_error_with_the_exception() {
    let (_env, _, report) = graded("raises-at-import");
    let pytest = check(exercise(&report, WORD_COUNT), "pytest");
    assert_eq!(pytest["status"], "error");
    assert!(
        pytest["message"]
            .as_str()
            .unwrap()
            .contains("RuntimeError: configuration file words.cfg not found")
    );
}

#[test]
fn segfault_is_an_error_naming_the_signal() {
    let (_env, _, report) = graded("segfault");
    let e = exercise(&report, WORD_COUNT);
    let pytest = check(e, "pytest");
    assert_eq!(pytest["status"], "error");
    assert!(
        pytest["message"].as_str().unwrap().contains("SIGSEGV"),
        "{pytest}"
    );
    // The test that crashed says where; the ones after it never ran.
    let crashed = &pytest["tests"][0];
    assert_eq!(crashed["status"], "error");
    assert!(
        crashed["output"]
            .as_str()
            .unwrap()
            .contains("word_count.py"),
        "{crashed}"
    );
    assert!(tests_with_status(pytest, "not-run") > 0);
    assert_eq!(check(e, "output")["status"], "error");
}

#[test]
fn type_errors_fail_mypy_only() {
    let (_env, _, report) = graded("type-errors");
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(check(e, "pytest")["status"], "pass");
    let mypy = check(e, "mypy");
    assert_eq!(mypy["status"], "fail");
    assert_eq!(mypy["score"], 0.0);
    let codes: Vec<&str> = mypy["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"no-untyped-def") && codes.contains(&"return-value"),
        "{codes:?}"
    );
}

#[test]
fn trailing_whitespace_fails_exact_output_with_a_visible_diff() {
    let (_env, _, report) = graded("trailing-whitespace");
    let output = check(exercise(&report, WORD_COUNT), "output");
    assert_eq!(output["status"], "fail");
    let diff = output["tests"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+the 4 \n") && diff.contains("-the 4\n"),
        "{diff}"
    );
}

#[test]
fn huge_output_is_capped_and_flagged() {
    let (_env, _, report) = graded("huge-output");
    let e = exercise(&report, WORD_COUNT);
    // Printed inside a test: pytest captures it for the test and passes it on to the process's
    // output, which is stopped at the output limit. The tests before it keep their results.
    let pytest = check(e, "pytest");
    assert_eq!(pytest["status"], "output-limit", "{pytest}");
    let tests = pytest["tests"].as_array().unwrap();
    let stopped = tests
        .iter()
        .position(|t| t["status"] == "output-limit")
        .expect("the test in flight is marked");
    assert!(
        tests[stopped]["message"]
            .as_str()
            .unwrap()
            .contains("printed more than 16.0 MiB"),
        "{pytest}"
    );
    assert!(
        tests[stopped + 1..]
            .iter()
            .all(|t| t["status"] == "not-run")
    );
    // Printed by the program: stopped at the output limit.
    let output = check(e, "output");
    assert_eq!(output["status"], "output-limit");
}

#[test]
fn the_callers_secrets_never_reach_learner_code() {
    let env = Env::new();
    let (bank, ws) = env.fixture_workspace("reads-secret-env");
    let out = env
        .pygrade()
        .env("CI_DEPLOY_TOKEN", "tok-5f1e2d3c")
        .env("MY_SECRET", "hunter2-abc")
        .arg("--bank")
        .arg(&bank)
        .arg("check")
        .arg("--workspace")
        .arg(&ws)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let (code, report) = common::parse_report(&out);
    assert_eq!(code, 0, "the submission saw a secret: {report}");
    let text = report.to_string();
    assert!(!text.contains("tok-5f1e2d3c") && !text.contains("hunter2-abc"));
}

#[test]
fn ctrl_c_keeps_finished_results_and_stops_every_process() {
    let env = Env::new();
    let (bank, ws) = env.fixture_workspace("sleeps-forever");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pygrade"))
        .env("TMPDIR", env.tmp())
        .arg("--bank")
        .arg(&bank)
        .arg("check")
        .arg("--workspace")
        .arg(&ws)
        .args(["--format", "json", "--jobs", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // With one job the pytest check (first) is hanging by now; mypy and output wait their turn.
    std::thread::sleep(Duration::from_millis(1500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an interrupted run is not a graded run"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    let (_, report) = common::parse_report(&out);
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(check(e, "pytest")["status"], "skipped");
    assert_eq!(check(e, "output")["status"], "skipped");
    // The supervisors clean up on their own after pygrade has gone; give them their grace.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !env.survivors().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(env.survivors(), Vec::<String>::new());
}

#[test]
fn loose_typing_fails_mypy_where_the_tests_rely_on_the_types() {
    // The decorators exercise type-checks its tests with the learner's file: a `retry` that
    // works but is typed `Callable[..., Any]` passes pytest and fails mypy in the tests.
    let env = Env::new();
    let ws = env.workspace();
    common::copy_tree(
        &common::repo().join("fixtures/submissions/loose-typing"),
        &ws,
    );
    let id = "08-advanced/01-decorators";
    let (_, report) = env.check_json(None, &ws, &[id]);
    let e = exercise(&report, id);
    assert_eq!(check(e, "pytest")["status"], "pass");
    let mypy = check(e, "mypy");
    assert_eq!(mypy["status"], "fail");
    let files: Vec<&str> = mypy["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(files.iter().any(|f| f.starts_with("tests/")), "{files:?}");
}

#[test]
fn without_a_sandbox_the_report_says_so() {
    let env = Env::new();
    let (bank, ws) = env.fixture_workspace("pass");
    let out = env
        .pygrade()
        .args(["--sandbox", "none", "--bank"])
        .arg(&bank)
        .args(["check", "--format", "json", "--workspace"])
        .arg(&ws)
        .output()
        .unwrap();
    let (code, report) = common::parse_report(&out);
    assert_eq!(code, 0);
    assert_eq!(
        report["tools"]["sandbox"],
        "none (turned off with --sandbox none)"
    );
}

#[test]
fn a_memory_bomb_meets_its_checks_memory_limit() {
    let env = Env::new();
    let (bank, ws) = env.fixture_workspace("memory-bomb");
    // Each check may set a memory limit for its processes: here pytest's and the program's.
    let manifest = bank.join(WORD_COUNT).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("timeout = \"", "memory = \"256 MiB\", timeout = \"");
    std::fs::write(&manifest, text).unwrap();
    let (code, report) = env.check_json(Some(&bank), &ws, &[]);
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 1);
    assert_eq!(check(e, "pytest")["status"], "memory-limit", "{e}");
    assert_eq!(check(e, "output")["status"], "memory-limit", "{e}");
    assert_eq!(env.survivors(), Vec::<String>::new());
}

#[test]
fn a_link_or_an_oversize_file_is_rejected_before_anything_runs() {
    let env = Env::new();
    let ws = env.workspace();
    let file = ws.join(WORD_COUNT).join("word_count.py");
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", &file).unwrap();
    let (code, report) = env.check_json(None, &ws, &[WORD_COUNT]);
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(code, 1);
    assert_eq!(e["status"], "rejected");
    assert!(
        e["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("symbolic link"),
        "{e}"
    );

    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, "#".repeat(2 * 1024 * 1024)).unwrap();
    let (_, report) = env.check_json(None, &ws, &[WORD_COUNT]);
    let e = exercise(&report, WORD_COUNT);
    assert_eq!(e["status"], "rejected");
    assert!(
        e["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("over the 1048576 bytes"),
        "{e}"
    );
    assert_eq!(report["summary"]["errored"], 1);
}

#[test]
fn silencing_mypy_counts_against_the_learner() {
    let (_env, _, report) = graded("silences-mypy");
    let mypy = check(exercise(&report, WORD_COUNT), "mypy");
    assert_eq!(mypy["status"], "fail");
    let codes: Vec<&str> = mypy["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["pygrade-no-ignores"], "{mypy}");
}

#[test]
fn patching_pytests_reporting_gets_the_submission_rejected() {
    let (_env, code, report) = graded("patches-pytest");
    let pytest = check(exercise(&report, WORD_COUNT), "pytest");
    assert_eq!(code, 1);
    assert_eq!(pytest["status"], "rejected", "{pytest}");
    assert!(
        pytest["message"]
            .as_str()
            .unwrap()
            .contains("BaseReport.failed"),
        "{pytest}"
    );
    assert_eq!(pytest["score"], 0.0);
}

#[test]
fn tests_hidden_from_the_run_count_as_failed() {
    let (_env, _, report) = graded("hides-tests");
    let pytest = check(exercise(&report, WORD_COUNT), "pytest");
    assert_eq!(pytest["status"], "fail", "{pytest}");
    let hidden = pytest["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("not reported"))
        })
        .count();
    assert!(hidden > 0, "{pytest}");
    assert!(pytest["score"].as_f64().unwrap() < 6.0);
}
