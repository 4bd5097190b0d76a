//! `pygrade watch`, used as a person uses it: in a pseudo-terminal, editing the workspace's
//! files, typing keys and reading the screen; and without a terminal, as a log. Every wait is
//! for something to appear on the screen (with a generous limit for a busy machine), never
//! for a time to pass. The pseudo-terminal's reader takes each byte for a character, so the
//! texts waited for are plain ASCII.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::prelude::*;
use common::{Env, copy_tree, repo};
use rexpect::session::PtySession;

const GREET: &str = "01-basics/01-greet";
const COUNTER: &str = "02-classes/01-counter";
/// The longest the screen may take to show what a step expects, on a busy machine.
const PATIENCE_MS: u64 = 90_000;

/// The fixture cohort's two-exercise bank and a fresh workspace of it.
fn setup(env: &Env) -> (PathBuf, PathBuf) {
    let bank = env.path().join("bank");
    copy_tree(&repo().join("fixtures/cohort/bank"), &bank);
    let workspace = env.path().join("ws");
    env.pygrade_on(&bank)
        .arg("init")
        .arg(&workspace)
        .assert()
        .success();
    (bank, workspace)
}

/// `pygrade watch` in a pseudo-terminal, run by a shell that then says how it exited and
/// whether the terminal is back in its usual (canonical) mode.
fn watch_in_terminal(env: &Env, bank: &Path, workspace: &Path) -> PtySession {
    let pygrade = Command::cargo_bin("pygrade").unwrap();
    let script = format!(
        "'{}' --bank '{}' watch --workspace '{}'; echo \"EXIT=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?icanon'",
        pygrade.get_program().to_string_lossy(),
        bank.display(),
        workspace.display()
    );
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(script)
        .env("TMPDIR", env.tmp())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("PYGRADE_BANK")
        .env_remove("PYGRADE_PYTHON")
        .env_remove("PYGRADE_SANDBOX");
    rexpect::session::spawn_command(shell, Some(PATIENCE_MS)).unwrap()
}

/// Writes the exercise's reference files into the workspace, as a learner saving a solution.
fn save_solution(bank: &Path, workspace: &Path, id: &str) {
    copy_tree(&bank.join(id).join("reference"), &workspace.join(id));
}

/// The first Python file of the exercise's reference, by name.
fn solution_file(bank: &Path, id: &str) -> std::ffi::OsString {
    std::fs::read_dir(bank.join(id).join("reference"))
        .unwrap()
        .flatten()
        .find(|entry| entry.path().extension().is_some_and(|ext| ext == "py"))
        .unwrap()
        .file_name()
}

/// After `q` or Ctrl-C: the screen given back (the alternate screen left), exit 0, and the
/// terminal in canonical mode again.
fn expect_terminal_given_back(session: &mut PtySession) {
    let before = session.exp_string("EXIT=").unwrap();
    assert!(
        before.contains("\x1b[?1049l"),
        "the alternate screen was not left: {before:?}"
    );
    session.exp_string("0").unwrap();
    let (_, mode) = session.exp_regex(r"-?icanon").unwrap();
    assert_eq!(mode, "icanon", "the terminal was left in raw mode");
}

#[test]
fn saving_the_solution_turns_the_exercise_green_and_moves_on() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let mut session = watch_in_terminal(&env, &bank, &ws);
    session.exp_string(&format!("{GREET}: Greet\r\n")).unwrap();
    session
        .exp_string(&format!(
            "not started: solve it, then run `pygrade check {GREET}`"
        ))
        .unwrap();
    session
        .exp_string("module  1 [----------] 0/1 Basics")
        .unwrap();

    // A hint, the first one, on the screen at the press of a key.
    session.send("h").unwrap();
    session.flush().unwrap();
    session.exp_string("hint 1 of 2: ").unwrap();

    save_solution(&bank, &ws, GREET);
    session
        .exp_string(&format!("{GREET} is solved. On to the next one: {COUNTER}"))
        .unwrap();
    session
        .exp_string(&format!("{COUNTER}: Counter\r\n"))
        .unwrap();
    session
        .exp_string("module  1 [##########] 1/1 Basics")
        .unwrap();

    // The list, at the press of `l`, marks the exercise being worked on.
    session.send("l").unwrap();
    session.flush().unwrap();
    session
        .exp_regex(&format!(r"> {COUNTER}\s+not-started 0/3"))
        .unwrap();

    session.send("q").unwrap();
    session.flush().unwrap();
    expect_terminal_given_back(&mut session);
}

#[test]
fn a_save_during_a_run_grades_again_and_ctrl_c_gives_the_terminal_back() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let file = ws.join(GREET).join(solution_file(&bank, GREET));
    let mut session = watch_in_terminal(&env, &bank, &ws);
    session.exp_string("not started: solve it").unwrap();

    // A solution that never ends: its run would last until the check's time limit.
    std::fs::write(&file, "while True:\n    pass\n").unwrap();
    session.exp_string("grading").unwrap();
    save_solution(&bank, &ws, GREET);
    session
        .exp_string("a file changed during the run: grading again")
        .unwrap();
    session
        .exp_string(&format!("{GREET} is solved. On to the next one: {COUNTER}"))
        .unwrap();

    session.send_control('c').unwrap();
    expect_terminal_given_back(&mut session);
}

#[test]
fn without_a_terminal_each_result_is_printed_and_keys_are_read_as_lines() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let mut watch = env
        .pygrade_on(&bank)
        .args(["watch", "--workspace"])
        .arg(&ws)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut keys = watch.stdin.take().unwrap();
    let mut screen = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut wait_for = |text: &str| {
        for line in screen.by_ref() {
            if line.unwrap().contains(text) {
                return;
            }
        }
        panic!("the output ended before {text:?}");
    };
    wait_for(&format!("grading {GREET}…"));
    wait_for("not started: solve it");
    // No terminal to take: no escape sequences, and the keys come as lines.
    writeln!(keys, "h").unwrap();
    wait_for("hint 1 of 2: ");
    save_solution(&bank, &ws, GREET);
    wait_for(&format!("{GREET} is solved. On to the next one: {COUNTER}"));
    writeln!(keys, "q").unwrap();
    let status = watch.wait().unwrap();
    assert!(status.success(), "{status}");
}
