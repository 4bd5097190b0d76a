//! pygrade's own sandbox on a machine without bubblewrap: `doctor` names its layers, and
//! `--sandbox auto` grades in it. (What it keeps out is the hostile corpus's business:
//! `tests/hostile.rs`, run by `.ci/run` with `PYGRADE_SANDBOX=builtin`.)

mod common;

use std::path::PathBuf;

use common::{Env, Grade, Graded, WORD_COUNT, exercise, leave_open};

/// A `PATH` with no bubblewrap on it: only an empty folder of this test's.
fn no_bwrap(env: &Env) -> PathBuf {
    let empty = env.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    empty
}

/// Whether this machine lets pygrade make its sandbox; where it does not, the tests say so
/// and pass, unless `PYGRADE_REQUIRE_SANDBOX` (set by `.ci/run`) asks for it.
fn builtin_works(env: &Env) -> bool {
    let out = env
        .pygrade()
        .args(["--sandbox", "builtin", "doctor"])
        .env("PATH", no_bwrap(env))
        .output()
        .unwrap();
    let works = String::from_utf8_lossy(&out.stdout).contains("sandbox: builtin:");
    if !works {
        assert!(
            std::env::var_os("PYGRADE_REQUIRE_SANDBOX").is_none(),
            "PYGRADE_REQUIRE_SANDBOX is set but the built-in sandbox does not work here: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        eprintln!("the built-in sandbox does not work here: not tested");
    }
    works
}

/// Asserts that word count was graded in the built-in sandbox, with full marks; `context`
/// starts each message.
fn full_marks_in_the_builtin_sandbox(graded: &Graded, context: &str) {
    assert_eq!(
        graded.report["tools"]["sandbox"], "builtin",
        "{context}{}",
        graded.printed
    );
    let e = exercise(&graded.report, WORD_COUNT);
    assert_eq!(e["score"], e["max_score"], "{context}{e}");
}

#[test]
fn without_bubblewrap_doctor_reports_the_builtin_sandbox_and_its_layers() {
    let env = Env::new();
    env.pygrade().arg("setup").output().unwrap();
    if !builtin_works(&env) {
        return;
    }
    let out = env
        .pygrade()
        .arg("doctor")
        .env("PATH", no_bwrap(&env))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    for line in [
        "sandbox: builtin: learner code runs with no network, in its own namespaces, seeing only its job's folder\n",
        "         namespaces: user, mount, pid, network, ipc, uts",
        "         seccomp:    on: ",
        "         landlock:   ",
        "limits:  processes: ",
    ] {
        assert!(said.contains(line), "no {line:?} in:\n{said}");
    }
}

#[test]
fn without_bubblewrap_auto_grades_in_the_builtin_sandbox_with_full_marks() {
    let env = Env::new();
    if !builtin_works(&env) {
        return;
    }
    let ws = env.fixture_workspace("pass");
    let graded = env
        .check(&ws)
        .arg(WORD_COUNT)
        .env("PATH", no_bwrap(&env))
        .graded();
    full_marks_in_the_builtin_sandbox(&graded, "");
    // The terminal report says nothing of the sandbox when there is one.
    let terminal = env
        .check(&ws)
        .arg(WORD_COUNT)
        .env("PATH", no_bwrap(&env))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&terminal.stdout).contains("sandbox:"));
}

#[test]
fn descriptors_the_callers_shell_left_open_reach_no_learner_code() {
    let env = Env::new();
    if !builtin_works(&env) {
        return;
    }
    // The case writes to every descriptor it holds that leads to this file.
    let file = env.path().join("pygrade-hostile-caller-file");
    let ws = env.fixture_workspace("writes-inherited-descriptors");
    // Warm workers on, and off: then every learner process is started afresh.
    for warm in ["true", "false"] {
        let mut check = env.check(&ws);
        leave_open(&mut check, &file, &[3, 7]);
        let graded = check
            .arg(WORD_COUNT)
            .env("PATH", no_bwrap(&env))
            .env("PYGRADE_WARM", warm)
            .graded();
        full_marks_in_the_builtin_sandbox(&graded, &format!("warm {warm}: "));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "",
            "warm {warm}: learner code wrote to a file pygrade's caller left open"
        );
    }
}
