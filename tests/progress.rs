//! A learner's way through the bank: `next` names the exercise to solve, `reset` starts one
//! over without losing the learner's files, `solution` shows a reference once the learner's
//! own got full marks, `list` ends with the whole way and the next step, and the workspace's
//! state keeps all of it (versioned, and never half-written).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::prelude::*;
use common::{Env, copy_tree, repo};
use predicates::prelude::*;

const GREET: &str = "01-basics/01-greet";
const COUNTER: &str = "02-classes/01-counter";

/// The fixture cohort's two-exercise bank, and a fresh workspace of it.
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

/// Writes the exercise's reference files into the workspace, as a learner who solved it.
fn solve(bank: &Path, workspace: &Path, id: &str) {
    copy_tree(&bank.join(id).join("reference"), &workspace.join(id));
}

/// `list` says greet passed with full marks.
fn list_shows_greet_passed(env: &Env, bank: &Path, workspace: &Path) {
    env.pygrade_on(bank)
        .args(["list", "--workspace"])
        .arg(workspace)
        .assert()
        .success()
        .stdout(predicate::str::contains("pass         6/6"));
}

fn check(env: &Env, bank: &Path, workspace: &Path) -> assert_cmd::assert::Assert {
    env.pygrade_on(bank)
        .args(["check", "--workspace"])
        .arg(workspace)
        .assert()
}

#[test]
fn next_names_the_first_exercise_without_full_marks_and_its_folder() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let next = |path: bool| {
        let mut cmd = env.pygrade_on(&bank);
        cmd.arg("next").arg("--workspace").arg(&ws);
        if path {
            cmd.arg("--path");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (said, _) = next(false);
    assert!(said.starts_with(&format!("Next: {GREET} (")), "{said}");
    assert!(
        said.contains("not graded yet") && said.contains("0 of 2 exercises solved"),
        "{said}"
    );
    assert_eq!(next(true).0, format!("{}\n", ws.join(GREET).display()));

    solve(&bank, &ws, GREET);
    check(&env, &bank, &ws).code(1);
    let (said, _) = next(false);
    assert!(said.starts_with(&format!("Next: {COUNTER} (")), "{said}");
    assert!(said.contains("1 of 2 exercises solved"), "{said}");
    env.pygrade_on(&bank)
        .args(["list", "--workspace"])
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "All: [#####-----] 1/2\nNext: {COUNTER} ("
        )));

    solve(&bank, &ws, COUNTER);
    check(&env, &bank, &ws).success();
    let (said, news) = next(true);
    assert_eq!(said, "", "nothing for `cd` to go to");
    assert!(news.contains("Every exercise is solved: 2 of 2"), "{news}");
}

#[test]
fn reset_puts_the_starter_back_and_keeps_the_learners_files() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let folder = ws.join(GREET);
    let file = std::fs::read_dir(bank.join(GREET).join("starter"))
        .unwrap()
        .flatten()
        .find(|entry| entry.path().extension().is_some_and(|ext| ext == "py"))
        .expect("a starter file")
        .file_name();
    solve(&bank, &ws, GREET);
    std::fs::write(folder.join("notes.txt"), "my own notes").unwrap();
    check(&env, &bank, &ws).code(1);

    let out = env
        .pygrade_on(&bank)
        .args(["reset", "greet", "--workspace"])
        .arg(&ws)
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let backup = said
        .split_once("Your files are kept in ")
        .map(|(_, rest)| PathBuf::from(rest.trim().trim_end_matches('.')))
        .unwrap_or_else(|| panic!("no backup named in: {said}"));
    assert!(
        backup.starts_with(ws.join(".pygrade/backups").join(GREET)),
        "{said}"
    );

    let starter = std::fs::read(bank.join(GREET).join("starter").join(&file)).unwrap();
    let reference = std::fs::read(bank.join(GREET).join("reference").join(&file)).unwrap();
    assert_eq!(std::fs::read(folder.join(&file)).unwrap(), starter);
    assert_eq!(std::fs::read(backup.join(&file)).unwrap(), reference);
    assert_eq!(
        std::fs::read_to_string(backup.join("notes.txt")).unwrap(),
        "my own notes"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("notes.txt")).unwrap(),
        "my own notes",
        "a file of the learner's own stays"
    );
    // The grade of the files that are gone is forgotten; a second reset keeps both backups.
    env.pygrade_on(&bank)
        .args(["list", "--workspace"])
        .arg(&ws)
        .assert()
        .stdout(predicate::str::contains("not graded"));
    env.pygrade_on(&bank)
        .args(["reset", "greet", "--workspace"])
        .arg(&ws)
        .assert()
        .success();
    let backups = std::fs::read_dir(ws.join(".pygrade/backups").join(GREET))
        .unwrap()
        .count();
    assert_eq!(backups, 2);
}

#[test]
fn a_solution_is_shown_once_the_learners_own_got_full_marks() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let solution = || {
        env.pygrade_on(&bank)
            .args(["solution", "greet", "--workspace"])
            .arg(&ws)
            .assert()
    };
    solution().code(1).stderr(predicate::str::contains(format!(
        "Solve {GREET} first: its reference solution is shown once your own has got full marks"
    )));

    solve(&bank, &ws, GREET);
    check(&env, &bank, &ws).code(1);
    let reference = std::fs::read_dir(bank.join(GREET).join("reference"))
        .unwrap()
        .flatten()
        .find(|entry| entry.path().extension().is_some_and(|ext| ext == "py"))
        .unwrap();
    let text = std::fs::read_to_string(reference.path()).unwrap();
    solution()
        .success()
        .stdout(predicate::str::contains(format!(
            "── {} ──",
            reference.file_name().to_string_lossy()
        )))
        .stdout(predicate::str::contains(text.trim()));

    // Solved once stays solved, though a later change broke the learner's own.
    std::fs::write(ws.join(GREET).join(reference.file_name()), "broken(\n").unwrap();
    check(&env, &bank, &ws).code(1);
    solution().success();

    // A bank graded for marks keeps its solutions to the mentors.
    let outline = bank.join("outline.toml");
    let text = std::fs::read_to_string(&outline).unwrap();
    std::fs::write(
        &outline,
        text.replacen("\n[[module]]", "\nshow-solutions = false\n\n[[module]]", 1),
    )
    .unwrap();
    solution()
        .code(1)
        .stderr(predicate::str::contains("`show-solutions = false`"));
}

#[test]
fn the_state_of_an_older_pygrade_is_read_and_a_newer_ones_refused() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    let state = ws.join(".pygrade/state.json");
    // Version 1 was the grades alone: a pass there is a solved exercise.
    std::fs::write(
        &state,
        format!(r#"{{"{GREET}": {{"status": "pass", "score": 6.0, "max_score": 6.0}}}}"#),
    )
    .unwrap();
    list_shows_greet_passed(&env, &bank, &ws);
    env.pygrade_on(&bank)
        .args(["solution", "greet", "--workspace"])
        .arg(&ws)
        .assert()
        .success();
    // Written again by this pygrade: versioned, the grade and the hint kept.
    env.pygrade_on(&bank)
        .args(["hint", "greet", "--workspace"])
        .arg(&ws)
        .assert()
        .success();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(written["version"], 2);
    assert_eq!(written["grades"][GREET]["score"], 6.0);
    assert_eq!(written["hints"][GREET], 1);
    assert_eq!(written["solved"][0], GREET);

    std::fs::write(&state, r#"{"version": 9, "grades": {}}"#).unwrap();
    env.pygrade_on(&bank)
        .args(["list", "--workspace"])
        .arg(&ws)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the workspace's state is of version 9, written by a newer pygrade than this one (which reads up to 2): upgrade pygrade",
        ));
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        r#"{"version": 9, "grades": {}}"#,
        "a newer pygrade's state is never overwritten"
    );
}

#[test]
fn a_pygrade_killed_while_it_writes_the_state_leaves_the_last_good_one() {
    let env = Env::new();
    let (bank, ws) = setup(&env);
    solve(&bank, &ws, GREET);
    check(&env, &bank, &ws).code(1); // greet solved, counter not started
    let state = ws.join(".pygrade/state.json");
    let hint = || {
        let mut cmd = env.pygrade_on(&bank);
        cmd.args(["hint", "greet", "--workspace"])
            .arg(&ws)
            .stdout(std::process::Stdio::null());
        cmd
    };
    // How long a whole `hint` takes here, read, change and write: the kills below land all
    // over it, the write included (here one or two of the 40 kill it with its staging file
    // written but not yet in place).
    let started = std::time::Instant::now();
    hint().assert().success();
    let whole = started.elapsed();
    for step in 0..40u32 {
        let mut child = hint().spawn().unwrap();
        std::thread::sleep(whole * step / 30);
        let _ = child.kill();
        let _ = child.wait();
        let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap())
            .unwrap_or_else(|e| panic!("the state is half-written after a kill: {e}"));
        assert_eq!(
            written["grades"][GREET]["score"], 6.0,
            "the grade is kept through every kill"
        );
    }
    list_shows_greet_passed(&env, &bank, &ws);
}
