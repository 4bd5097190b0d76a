//! Each learner submission in `fixtures/submissions/` is graded as a learner's would be, and
//! its exit code and JSON report must match the snapshot named after it in `tests/snapshots/`:
//! the statuses, scores, messages, test names, diffs and diagnostics a reader expects from the
//! fixture's name. So are a few cases of the hostile corpus whose reports show one outcome in
//! detail (a crash, output stopped at its limit, silenced mypy, patched or hidden tests).
//! Learner failures are results (exit 1), never pygrade errors (exit 2).
//!
//! What varies from run to run is redacted (see `common::report_settings`). For the timing and
//! memory fixtures that is every figure measured: the snapshots hold verdicts, which rest on
//! CPU-time ratios and exponents and so hold on a busy machine; how often they hold is
//! measured by `benches/timing_verdicts.py`, not asserted here.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, Grade, WORD_COUNT, check, exercise, message};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};

/// A test per fixture, named after it (`timing_3x_slower` grades `timing-3x-slower`), that
/// grades it and compares the result with its snapshot; after the `=>`, assertions on the
/// report that a snapshot cannot make.
macro_rules! graded {
    ($($fixture:ident $(=> $also:expr)?,)*) => {
        const FIXTURES: &[&str] = &[$(stringify!($fixture)),*];
        $(
            #[test]
            fn $fixture() {
                let _report = matches_its_snapshot(stringify!($fixture));
                $(($also)(&_report);)?
            }
        )*
    };
}

graded! {
    pass => every_check_reports_what_it_used,
    wrong_answer,
    partial,
    syntax_error,
    import_error,
    raises_at_import,
    type_errors,
    trailing_whitespace,
    loose_typing,
    timing_equivalent,
    timing_3x_slower,
    timing_quadratic,
    timing_fast_wrong,
    memory_generator,
    memory_materialises_list,
    exits_at_import,
    invalid_utf8_output,
    looping_test,
    output_leaves_files,
    output_nonzero_exit,
    undeclared_data_file,
    hidden_tuned,
    // Cases of the hostile corpus.
    segfault,
    huge_output,
    silences_mypy,
    patches_pytest,
    hides_tests,
    skips_tests_at_import,
}

/// Grades the fixture a test is named for and compares its exit code and report with the
/// snapshot of the same name; returns the report.
fn matches_its_snapshot(test: &str) -> Value {
    let fixture = test.replace('_', "-");
    let graded = Env::new().grade_fixture(&fixture);
    let (code, report) = (graded.code, graded.report);
    common::report_settings().bind(|| {
        insta::assert_json_snapshot!(fixture, json!({ "exit_code": code, "report": report }));
    });
    report
}

/// A Python interpreter takes some CPU time and several megabytes: each check reports it.
fn every_check_reports_what_it_used(report: &Value) {
    for check in exercise(report, WORD_COUNT)["checks"].as_array().unwrap() {
        let usage = &check["usage"];
        assert!(usage["cpu_ms"].as_u64().unwrap() > 0, "{check}");
        assert!(usage["peak_rss_kib"].as_u64().unwrap() > 4096, "{check}");
        assert!(
            usage["peak_memory_kib"].as_u64().unwrap() >= usage["peak_rss_kib"].as_u64().unwrap(),
            "the whole tree holds at least its largest process: {check}"
        );
    }
}

#[test]
fn every_submission_fixture_has_its_test() {
    for entry in std::fs::read_dir(common::repo().join("fixtures/submissions")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace('-', "_");
            assert!(
                FIXTURES.contains(&name.as_str()),
                "no test for {}",
                path.display()
            );
        }
    }
}

#[test]
fn the_callers_secrets_never_reach_learner_code() {
    let env = Env::new();
    let ws = env.fixture_workspace("reads-secret-env");
    let graded = env
        .check(&ws)
        .env("CI_DEPLOY_TOKEN", "tok-5f1e2d3c")
        .env("MY_SECRET", "hunter2-abc")
        .graded();
    assert_eq!(
        graded.code, 0,
        "the submission saw a secret: {}",
        graded.report
    );
    assert!(!graded.printed.contains("tok-5f1e2d3c") && !graded.printed.contains("hunter2-abc"));
}

#[test]
fn ctrl_c_keeps_finished_results_and_stops_every_process() {
    let env = Env::new();
    let ws = env.fixture_workspace("sleeps-forever");
    let child = env
        .check(&ws)
        .args(["--format", "json", "--jobs", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // With one job the pytest check (first) is hanging by now; mypy and output wait their turn.
    std::thread::sleep(Duration::from_millis(1500));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
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
fn without_a_sandbox_the_report_says_so() {
    let env = Env::new();
    let ws = env.fixture_workspace("pass");
    let graded = env.check(&ws).args(["--sandbox", "none"]).graded();
    assert_eq!(graded.code, 0);
    assert_eq!(
        graded.report["tools"]["sandbox"],
        "none (turned off with --sandbox none)"
    );
}

#[test]
fn a_memory_bomb_meets_its_checks_memory_limit() {
    let env = Env::new();
    let ws = env.fixture_workspace("memory-bomb");
    // Each check may set a memory limit for its processes: here pytest's and the program's.
    let manifest = ws
        .bank
        .as_ref()
        .unwrap()
        .join(WORD_COUNT)
        .join("exercise.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("timeout = \"", "memory = \"256 MiB\", timeout = \"");
    std::fs::write(&manifest, text).unwrap();
    let graded = env.check(&ws).graded();
    let e = graded.exercise(WORD_COUNT);
    assert_eq!(graded.code, 1);
    for kind in ["pytest", "output"] {
        let c = check(e, kind);
        assert_eq!(c["status"], "memory-limit", "{e}");
        assert!(
            message(c).contains("used more than its memory limit of 256.0 MiB (peak "),
            "{c}"
        );
        // The tree's peak is in the report, and it never held much more than its limit.
        let peak = c["usage"]["peak_memory_kib"].as_u64().unwrap();
        assert!((200 << 10..=320 << 10).contains(&peak), "{c}");
    }
    assert_eq!(env.survivors(), Vec::<String>::new());
}

#[test]
fn a_check_stopped_at_its_time_limit_reports_what_it_used() {
    let env = Env::new();
    let graded = env.grade_fixture("infinite-loop");
    let e = graded.exercise(WORD_COUNT);
    let pytest = check(e, "pytest");
    assert_eq!(pytest["status"], "timeout", "{e}");
    // It spun until its 3 s limit on a clock that leaves out time spent waiting for a core,
    // and Python alone holds some megabytes: not the near-zero figures of a tree whose
    // processes nobody waited for.
    let usage = &pytest["usage"];
    assert!(usage["cpu_ms"].as_u64().unwrap() > 1000, "{pytest}");
    assert!(usage["peak_rss_kib"].as_u64().unwrap() > 8192, "{pytest}");
    assert!(
        usage["peak_memory_kib"].as_u64().unwrap() > 8192,
        "{pytest}"
    );
}

#[test]
fn a_link_or_an_oversize_file_is_rejected_before_anything_runs() {
    let env = Env::new();
    let ws = env.workspace();
    let file = ws.exercise(WORD_COUNT).join("word_count.py");
    let rejected_for = |reason: &str| {
        let graded = env.check(&ws).arg(WORD_COUNT).graded();
        let e = graded.exercise(WORD_COUNT);
        assert_eq!((graded.code, &e["status"]), (1, &json!("rejected")), "{e}");
        assert!(message(&e["checks"][0]).contains(reason), "{e}");
        assert_eq!(graded.report["summary"]["errored"], 1);
    };

    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", &file).unwrap();
    rejected_for("symbolic link");

    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, "#".repeat(2 * 1024 * 1024)).unwrap();
    rejected_for("over the 1048576 bytes");
}
