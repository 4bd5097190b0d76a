//! The GitHub Action (`action.yml`): its grading step's script runs here as a runner runs it,
//! in a repository folder, with the runner's environment variables set (the step summary and
//! output files, the temporary folder, the action's path) and the inputs as `action.yml` hands
//! them over. Its install step is run by `.ci/run` on the wheel it builds.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use common::{Env, WORD_COUNT, copy_tree, repo};

/// One run of the grading step, and what it left for the runner.
struct Step {
    code: i32,
    log: String,
    summary: String,
    outputs: BTreeMap<String, String>,
}

/// Runs `action/grade.sh` in `dir` with `inputs` (as `PYGRADE_ACTION_<INPUT>`) and a fresh
/// runner's files.
fn grade_step(env: &Env, dir: &Path, inputs: &[(&str, &str)]) -> Step {
    let runner = env.path().join("runner");
    std::fs::create_dir_all(&runner).unwrap();
    let (summary, outputs) = (runner.join("summary.md"), runner.join("output"));
    std::fs::write(&summary, "").unwrap();
    std::fs::write(&outputs, "").unwrap();
    let binary = Command::cargo_bin("pygrade")
        .unwrap()
        .get_program()
        .to_owned();
    let bin_dir = PathBuf::from(binary).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut step = Command::new("bash");
    step.arg(repo().join("action/grade.sh"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", std::env::var_os("HOME").unwrap())
        .env("TMPDIR", env.tmp())
        .env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", dir)
        .env("GITHUB_ACTION_PATH", repo())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", &runner);
    for (input, value) in inputs {
        let name = format!("PYGRADE_ACTION_{}", input.to_uppercase().replace('-', "_"));
        step.env(name, value);
    }
    let out = step.output().unwrap();
    let outputs = std::fs::read_to_string(&outputs)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    Step {
        code: out.status.code().expect("the step exited by itself"),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs,
    }
}

#[test]
fn the_grading_step_grades_the_workspace_writes_the_summary_and_fails_as_fail_on_says() {
    let env = Env::new();
    let bank = env.fast_bank();
    let repository = env.path().join("classroom");
    env.pygrade_on(&bank)
        .arg("init")
        .arg(&repository)
        .assert()
        .success();
    // The learner's attempt: the reference, with words counted case-sensitively.
    let reference = bank.join(WORD_COUNT).join("reference/word_count.py");
    let solution = repository.join(WORD_COUNT).join("word_count.py");
    let wrong = std::fs::read_to_string(&reference)
        .unwrap()
        .replace(".lower()", "");
    assert_ne!(wrong, std::fs::read_to_string(&reference).unwrap());
    std::fs::write(&solution, wrong).unwrap();
    let bank = bank.to_str().unwrap();

    let failed = grade_step(&env, &repository, &[("bank", bank)]);
    assert_eq!(failed.code, 1, "{}", failed.log);
    assert!(
        failed.summary.starts_with("## pygrade: ")
            && failed
                .summary
                .contains("| ❌ fail | 01-foundations/01-word-count |"),
        "{}",
        failed.summary
    );
    assert!(
        failed
            .log
            .contains("::error file=01-foundations/01-word-count/tests/test_word_count.py,line="),
        "no annotation on the failing test's line:\n{}",
        failed.log
    );
    assert!(
        failed
            .log
            .contains("::error title=pygrade::some work did not pass"),
        "{}",
        failed.log
    );
    assert_eq!(failed.outputs["passed"], "false");
    assert_eq!(failed.outputs["max-score"], "10");
    let score: f64 = failed.outputs["score"].parse().unwrap();
    assert!(score < 10.0, "{score}");
    let reports = PathBuf::from(&failed.outputs["reports"]);
    assert_eq!(reports, repository.join("pygrade-reports"));
    for report in ["junit.xml", "report.json", "summary.md"] {
        assert!(
            reports.join(report).is_file(),
            "no {report} in {}",
            reports.display()
        );
    }

    // The same work with `fail-on: error`: the summary says what failed, and the job goes on.
    let tolerated = grade_step(&env, &repository, &[("bank", bank), ("fail-on", "error")]);
    assert_eq!(tolerated.code, 0, "{}", tolerated.log);
    assert_eq!(tolerated.outputs["passed"], "false");

    // Solved: the step passes, with full marks.
    std::fs::copy(&reference, &solution).unwrap();
    let passed = grade_step(&env, &repository, &[("bank", bank)]);
    assert_eq!(passed.code, 0, "{}", passed.log);
    assert_eq!(passed.outputs["passed"], "true");
    assert_eq!(passed.outputs["score"], "10");
    assert!(
        passed.summary.starts_with("## pygrade: 10 of 10 points"),
        "{}",
        passed.summary
    );
}

#[test]
fn the_grading_step_says_what_is_wrong_with_an_input_and_exits_2() {
    let env = Env::new();
    let repository = env.path().join("classroom");
    std::fs::create_dir_all(&repository).unwrap();
    let typo = grade_step(&env, &repository, &[("fail-on", "failures")]);
    assert_eq!(typo.code, 2, "{}", typo.log);
    assert!(
        typo.log
            .contains("fail-on is 'failures': it must be failure or error"),
        "{}",
        typo.log
    );
    // Not a workspace: pygrade's own message, and exit 2 whatever fail-on says.
    let nowhere = grade_step(&env, &repository, &[("fail-on", "error")]);
    assert_eq!(nowhere.code, 2, "{}", nowhere.log);
    assert!(
        nowhere.log.contains("pygrade could not grade (exit 2)"),
        "{}",
        nowhere.log
    );
}

#[test]
fn the_grading_step_grades_a_cohort_into_a_gradebook() {
    let env = Env::new();
    let repository = env.path().join("classroom");
    copy_tree(
        &repo().join("fixtures/cohort/bank"),
        &repository.join("bank"),
    );
    copy_tree(
        &repo().join("fixtures/cohort/learners"),
        &repository.join("submissions"),
    );
    let step = grade_step(
        &env,
        &repository,
        &[
            ("bank", "bank"),
            ("cohort", "submissions"),
            ("reports", "graded"),
        ],
    );
    assert_eq!(step.code, 1, "{}", step.log);
    let reports = repository.join("graded");
    assert_eq!(PathBuf::from(&step.outputs["reports"]), reports);
    for report in [
        "gradebook.csv",
        "summary.md",
        "report.html",
        "learners/ada.junit.xml",
    ] {
        assert!(
            reports.join(report).is_file(),
            "no {report} in {}",
            reports.display()
        );
    }
    assert_eq!(
        step.summary,
        std::fs::read_to_string(reports.join("summary.md")).unwrap()
    );
    // ada solved both exercises (9 points): the cohort's score is at least hers.
    let score: f64 = step.outputs["score"].parse().unwrap();
    let max: f64 = step.outputs["max-score"].parse().unwrap();
    assert!(score >= 9.0 && max > score, "{score} of {max}");
}

/// Every input a step's script reads is handed to it by `action.yml`, from an input it
/// declares, and every script a step runs exists.
#[test]
fn action_yml_hands_each_script_the_inputs_it_reads() {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let mut scripts = 0;
    for line in action.lines() {
        if let Some(script) = line.trim().strip_prefix("run: bash \"$GITHUB_ACTION_PATH/") {
            let script = script.trim_end_matches('"');
            let text = std::fs::read_to_string(repo().join(script))
                .unwrap_or_else(|e| panic!("action.yml runs {script}: {e}"));
            for (at, _) in text.match_indices("PYGRADE_ACTION_") {
                let name: String = text[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                let input = name["PYGRADE_ACTION_".len()..]
                    .to_lowercase()
                    .replace('_', "-");
                assert!(
                    action.contains(&format!("{name}: ${{{{ inputs.{input} }}}}")),
                    "{script} reads {name}, which action.yml does not hand it"
                );
                assert!(
                    action.contains(&format!("\n  {input}:\n")),
                    "action.yml declares no input {input}"
                );
            }
            scripts += 1;
        }
    }
    assert_eq!(scripts, 2, "action.yml should run install.sh and grade.sh");
}
