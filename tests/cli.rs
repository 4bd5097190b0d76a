//! The command line as learners, CI and authors use it: init, list, hint, check over the
//! whole built-in bank or the folder it is typed in, verify, doctor, and the errors that must
//! say what to do (exit 2).

mod common;

use std::os::unix::fs::FileTypeExt;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::assert::Assert;
use assert_cmd::prelude::*;
use common::{Env, Grade, WORD_COUNT, Workspace, copy_tree, exercise, message, repo};
use predicates::prelude::*;

/// Every exercise folder of the built-in bank, e.g. `01-foundations/01-word-count`.
fn bank_ids() -> Vec<String> {
    let mut ids = Vec::new();
    // Module folders; the bank's own files (its demo.toml) sit beside them.
    for module in std::fs::read_dir(repo().join("exercises"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().is_dir())
    {
        for ex in std::fs::read_dir(module.path()).unwrap().flatten() {
            if ex.path().join("exercise.toml").exists() {
                ids.push(format!(
                    "{}/{}",
                    module.file_name().to_string_lossy(),
                    ex.file_name().to_string_lossy()
                ));
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn a_workspace_solved_with_the_references_passes_everything() {
    let env = Env::new();
    let ws = env.workspace();
    for id in bank_ids() {
        copy_tree(
            &repo().join("exercises").join(&id).join("reference"),
            &ws.exercise(&id),
        );
    }
    let graded = env.check(&ws).graded();
    let report = &graded.report;
    assert_eq!(report["schema"], "pygrade-report");
    assert_eq!(report["schema_version"], 1);
    assert!(report["tools"]["pytest"].is_string() && report["tools"]["mypy"].is_string());
    let exercises = report["exercises"].as_array().unwrap();
    assert_eq!(exercises.len(), bank_ids().len());
    assert!(exercises.len() >= 10);
    for e in exercises {
        assert_eq!(e["status"], "pass", "{}", e["id"]);
        assert_eq!(e["score"], e["max_score"], "{}", e["id"]);
        assert_eq!(e["started"], true, "{}", e["id"]);
    }
    assert_eq!(report["summary"]["score"], report["summary"]["max_score"]);
    assert_eq!(graded.code, 0);
}

#[test]
fn an_untouched_workspace_is_not_started_and_scores_nothing() {
    let env = Env::new();
    let ws = env.workspace();
    let graded = env.check(&ws).graded();
    assert_eq!(graded.code, 1);
    let summary = &graded.report["summary"];
    let exercises = graded.report["exercises"].as_array().unwrap();
    assert_eq!(
        summary["score"], 0.0,
        "untouched work earns nothing: {summary}"
    );
    assert_eq!(summary["not_started"], exercises.len(), "{summary}");
    assert_eq!(
        summary["failed"], 0,
        "not started is not a failure: {summary}"
    );
    for e in exercises {
        assert_eq!(e["status"], "not-started", "{}", e["id"]);
        assert_eq!(e["started"], false, "{} is still the starter", e["id"]);
        assert_eq!(e["score"], 0.0, "{}", e["id"]);
    }
    // Remembered as such, for `pygrade list`.
    let listed = env
        .pygrade()
        .arg("list")
        .arg("--workspace")
        .arg(&ws.dir)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("not-started"), "{listed}");
    // The terminal report keeps an untouched exercise to one line of what to do.
    env.check(&ws)
        .arg(WORD_COUNT)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "not started: solve it, then run `pygrade check 01-foundations/01-word-count`",
        ))
        .stdout(predicate::str::contains("NotImplementedError").not());
}

#[test]
fn init_hands_out_statement_starter_and_tests_but_no_solution() {
    let env = Env::new();
    let ws = env.path().join("ws");
    env.pygrade()
        .arg("init")
        .arg(&ws)
        .assert()
        .success()
        .stdout(predicate::str::contains("Workspace ready"));
    let dir = ws.join(WORD_COUNT);
    assert!(dir.join("README.md").is_file());
    assert!(dir.join("tests/test_word_count.py").is_file());
    let starter = std::fs::read_to_string(dir.join("word_count.py")).unwrap();
    assert!(starter.contains("NotImplementedError"));
    assert!(!dir.join("reference").exists() && !dir.join("exercise.toml").exists());
    // The marker folder survives a git checkout and keeps remembered grades and the backups
    // of reset exercises out of it.
    assert_eq!(
        std::fs::read_to_string(ws.join(".pygrade/.gitignore")).unwrap(),
        "state.json\nbackups/\n"
    );
}

#[test]
fn init_again_keeps_the_learners_work() {
    let env = Env::new();
    let ws = env.workspace();
    let file = ws.exercise(WORD_COUNT).join("word_count.py");
    std::fs::write(&file, "# my work\n").unwrap();
    std::fs::remove_file(ws.exercise(WORD_COUNT).join("README.md")).unwrap();
    env.pygrade()
        .arg("init")
        .arg(&ws.dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("1 files written"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# my work\n");
    assert!(ws.exercise(WORD_COUNT).join("README.md").is_file());
}

/// `python ARGS` typed in `dir`, as a learner types it: without the `PYTHONPATH` pygrade's
/// checks use, so `pygrade_graders` is importable only from where the workspace puts it.
fn by_hand(python: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(python)
        .args(args)
        .current_dir(dir)
        .env_remove("PYTHONPATH")
        .output()
        .unwrap()
}

#[test]
fn the_handed_out_tests_run_with_plain_pytest_in_a_workspace() {
    let env = Env::new();
    let ws = env.workspace();
    let exercise = ws.exercise(WORD_COUNT);
    copy_tree(
        &repo().join("exercises").join(WORD_COUNT).join("reference"),
        &exercise,
    );
    // pygrade's Python has pytest but not the graders package: pygrade's checks put that on
    // the path themselves. So a test that imports the helpers finds them in the workspace.
    let python = env.python();
    let plain = by_hand(&python, env.path(), &["-c", "import pygrade_graders"]);
    assert!(!plain.status.success(), "pygrade_graders is installed");
    // `python -m pytest` puts the folder it is typed in on the path; `-I` leaves it (and the
    // environment's settings) out, as the `pytest` command does.
    for (dir, args) in [
        (&exercise, &["-m", "pytest"][..]),
        (&exercise, &["-I", "-m", "pytest"]),
        (&exercise.join("tests"), &["-I", "-m", "pytest"]),
        (&ws.dir, &["-I", "-m", "pytest", WORD_COUNT]),
    ] {
        // Every unknown mark would be a warning: the tests' `weight` is registered.
        let out = by_hand(
            &python,
            dir,
            &[args, &["-W", "error", "-p", "no:cacheprovider"]].concat(),
        );
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && printed.contains(" passed") && !printed.contains("warning"),
            "python {args:?} in {}:\n{printed}{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What running the tests by hand leaves behind is no learner file of the exercise.
    let graded = env.check(&ws).arg(WORD_COUNT).graded();
    let word_count = graded.exercise(WORD_COUNT);
    assert_eq!(word_count["status"], "pass", "{word_count}");
    assert!(word_count.get("not_graded").is_none(), "{word_count}");
}

#[test]
fn pygrade_refreshes_its_own_workspace_files_and_keeps_the_learners() {
    let env = Env::new();
    let ws = env.workspace();
    let helpers = ws.dir.join(".pygrade/python/pygrade_graders/compare.py");
    let fresh = std::fs::read_to_string(&helpers).unwrap();
    assert!(fresh.contains(
        &std::fs::read_to_string(repo().join("graders/pygrade_graders/compare.py")).unwrap()
    ));
    // As an older pygrade left them: its helpers, its conftest.py; and the learner's own
    // pytest.ini in place of pygrade's.
    std::fs::write(&helpers, "# Written by pygrade, long ago\n").unwrap();
    std::fs::write(
        ws.dir.join("conftest.py"),
        "# Written by pygrade, long ago\n",
    )
    .unwrap();
    std::fs::write(ws.dir.join("pytest.ini"), "[pytest]\naddopts = -x\n").unwrap();
    env.check(&ws).arg(WORD_COUNT).assert().code(1);
    assert_eq!(std::fs::read_to_string(&helpers).unwrap(), fresh);
    assert!(
        std::fs::read_to_string(ws.dir.join("conftest.py"))
            .unwrap()
            .contains("def pytest_collectstart")
    );
    assert_eq!(
        std::fs::read_to_string(ws.dir.join("pytest.ini")).unwrap(),
        "[pytest]\naddopts = -x\n"
    );
    env.pygrade()
        .arg("init")
        .arg(&ws.dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "pytest.ini, which pygrade did not write",
        ));
}

#[test]
fn check_from_inside_an_exercise_folder_filters_and_remembers() {
    let env = Env::new();
    let ws = env.workspace();
    copy_tree(
        &repo().join("exercises").join(WORD_COUNT).join("reference"),
        &ws.exercise(WORD_COUNT),
    );
    env.pygrade()
        .current_dir(ws.exercise(WORD_COUNT))
        .args(["check", WORD_COUNT, "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("✓ 01-foundations/01-word-count"))
        .stdout(predicate::str::contains("\x1b[").not());
    env.pygrade()
        .args(["list", "--workspace"])
        .arg(&ws.dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("Module 1: Python Foundations"))
        .stdout(
            predicate::str::is_match(r"01-foundations/01-word-count\s+Word count\s+pass\s+10/10")
                .unwrap(),
        );
}

#[test]
fn check_grades_the_exercise_or_module_folder_it_is_typed_in() {
    let env = Env::new();
    let ws = env.workspace();
    const CSV_SUMMARY: &str = "01-foundations/02-csv-summary";
    // Any folder below an exercise's stands for that exercise.
    let inside = env
        .check_in(&ws, &ws.exercise(WORD_COUNT).join("tests"))
        .graded();
    assert_eq!(inside.ids(), [WORD_COUNT]);
    let module = env.check_in(&ws, &ws.dir.join("01-foundations")).graded();
    let module_1: Vec<String> = (bank_ids().into_iter())
        .filter(|id| id.starts_with("01-foundations/"))
        .collect();
    assert!(module_1.len() >= 3 && module_1[..2] == [WORD_COUNT, CSV_SUMMARY]);
    assert_eq!(module.ids(), module_1);
    // Exercises named on the command line win over the folder.
    let named = env
        .check_in(&ws, &ws.exercise(WORD_COUNT))
        .arg(CSV_SUMMARY)
        .graded();
    assert_eq!(named.ids(), [CSV_SUMMARY]);
}

#[test]
fn check_and_list_take_an_exercises_short_name() {
    let env = Env::new();
    let ws = env.workspace();
    assert_eq!(
        env.check(&ws).arg("word-count").graded().ids(),
        [WORD_COUNT]
    );
    env.pygrade()
        .args(["list", "01-word-count", "--workspace"])
        .arg(&ws.dir)
        .assert()
        .success()
        .stdout(predicate::str::contains(WORD_COUNT).and(predicate::str::contains("csv").not()));
}

#[test]
fn a_short_name_of_several_exercises_is_an_error_naming_them() {
    let env = Env::new();
    let bank = env.fast_bank();
    copy_tree(
        &bank.join(WORD_COUNT),
        &bank.join("01-foundations/02-word-count"),
    );
    env.pygrade_on(&bank)
        .args(["list", "word-count"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "01-foundations/01-word-count, 01-foundations/02-word-count",
        ));
    // An id prefix stands for every exercise it begins.
    env.pygrade_on(&bank)
        .args(["list", "01-foundations"])
        .assert()
        .success()
        .stdout(predicate::str::contains("01-foundations/02-word-count"));
}

#[test]
fn list_outside_a_workspace_says_so_and_lists_the_bank() {
    let env = Env::new();
    outside_a_workspace(&env, &["list"]).success().stdout(
        predicate::str::starts_with("Not in a pygrade workspace, so no grades are shown")
            .and(predicate::str::contains(WORD_COUNT)),
    );
    // A folder given as the workspace must be one.
    outside_a_workspace(&env, &["list", "--workspace", "."])
        .code(2)
        .stderr(predicate::str::contains("pygrade init"));
}

#[test]
fn the_terminal_report_shows_a_syntax_error_once() {
    let env = Env::new();
    let ws = env.fixture_workspace("syntax-error");
    let pointer = |kind: &str, status: &str| {
        predicate::str::is_match(format!(
            r"(?m)^    {kind}\s+{status}\s+0/2  same syntax error as above$"
        ))
        .unwrap()
    };
    env.check(&ws)
        .args([WORD_COUNT, "--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("SyntaxError: expected ':'").count(1))
        .stdout(pointer("mypy", "error"))
        .stdout(pointer("output", "error"));
}

#[test]
fn a_report_can_go_to_a_file() {
    let env = Env::new();
    let ws = env.workspace();
    let file = env.path().join("report.json");
    env.check(&ws)
        .arg(WORD_COUNT)
        .args(["--format", "json", "--output"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(exercise(&report, WORD_COUNT)["status"], "not-started");
}

#[test]
fn a_report_to_a_pipe_or_device_is_written_into_it_not_over_it() {
    let env = Env::new();
    let ws = env.workspace();
    // As `--format json=/dev/stdout` or bash's `>(jq .)` would give: a path that is a pipe.
    let fifo = env.path().join("report.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    env.check(&ws)
        .arg(WORD_COUNT)
        .arg(format!("--format=json={}", fifo.display()))
        .assert()
        .code(1);
    let report: serde_json::Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(exercise(&report, WORD_COUNT)["status"], "not-started");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn one_run_writes_a_report_per_format() {
    let env = Env::new();
    let ws = env.workspace();
    let file = env.path().join("reports/run.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let format = format!("json={}", file.display());
    env.check(&ws)
        .arg(WORD_COUNT)
        .args([
            "--color", "never", "--format", "terminal", "--format", &format,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Score: 0 of 10 points"))
        .stderr(predicate::str::contains("json report written to"));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(exercise(&report, WORD_COUNT)["status"], "not-started");
}

#[test]
fn two_reports_for_standard_output_are_refused_before_grading() {
    let env = Env::new();
    let ws = env.workspace();
    env.check(&ws)
        .args(["--format", "terminal", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "only one --format may go to standard output",
        ));
}

#[test]
fn one_run_writes_exercism_and_gradescope_results() {
    let env = Env::new();
    let ws = env.fixture_workspace("partial");
    let exercism = env.path().join("exercism/results.json");
    let gradescope = env.path().join("gradescope/results.json");
    for file in [&exercism, &gradescope] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    }
    env.check(&ws)
        .arg(WORD_COUNT)
        .arg(format!("--format=exercism={}", exercism.display()))
        .arg(format!("--format=gradescope={}", gradescope.display()))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("exercism report written to"))
        .stderr(predicate::str::contains("gradescope report written to"));
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    };

    let results = read(&exercism);
    assert_eq!(results["version"], 3);
    assert_eq!(results["status"], "fail");
    assert!(results.get("message").is_none());
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests[0]["name"], "counts each word");
    assert_eq!(tests[0]["status"], "pass");
    let tie = tests
        .iter()
        .find(|t| t["name"] == "top words breaks ties alphabetically")
        .unwrap();
    assert_eq!(tie["status"], "fail");
    assert!(
        tie["message"]
            .as_str()
            .unwrap()
            .starts_with("AssertionError")
    );
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names[names.len() - 2..],
        ["type checking (mypy)", "program output (output)"]
    );
    let output = tests.last().unwrap();
    assert_eq!(output["status"], "fail");
    assert!(output["message"].as_str().unwrap().contains("--- expected"));

    let results = read(&gradescope);
    let tests = results["tests"].as_array().unwrap();
    let numbers: Vec<&str> = tests
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1.1", "1.2", "1.3"]);
    assert_eq!(tests[0]["name"], "Word count: pytest");
    assert_eq!(tests[0]["status"], "failed");
    assert_eq!(tests[0]["max_score"], 6.0);
    assert!(
        tests[0]["output"]
            .as_str()
            .unwrap()
            .contains("top words breaks ties alphabetically (fail)")
    );
    let earned: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    assert!(earned > 0.0 && earned < 10.0, "partial credit: {earned}");
    assert!((results["score"].as_f64().unwrap() - earned).abs() < 1e-9);
    assert_eq!(results["stdout_visibility"], "hidden");
    assert!(results["execution_time"].as_f64().unwrap() > 0.0);
}

#[test]
fn exit_zero_keeps_learner_failures_out_of_the_exit_code() {
    let env = Env::new();
    let ws = env.workspace();
    env.check(&ws)
        .arg(WORD_COUNT)
        .arg("--exit-zero")
        .assert()
        .success();
}

#[test]
fn ci_reports_annotate_the_failing_test_lines_and_summarise_the_run() {
    let env = Env::new();
    let ws = env.fixture_workspace("wrong-answer");
    let summary = env.path().join("summary.md");
    let grades = env.path().join("grades.csv");
    let assert = env
        .check(&ws)
        .arg(WORD_COUNT)
        .args(["--format", "github"])
        .arg("--format")
        .arg(format!("markdown={}", summary.display()))
        .arg("--format")
        .arg(format!("csv={}", grades.display()))
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(
                r"(?m)^::error file=01-foundations/01-word-count/tests/test_word_count\.py,line=\d+,title=01-foundations/01-word-count%3A counts are case insensitive::AssertionError",
            )
            .unwrap(),
        );
    let annotations = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        annotations.lines().all(|l| l.starts_with("::")),
        "{annotations}"
    );
    let summary = std::fs::read_to_string(summary).unwrap();
    assert!(summary.starts_with("## pygrade: "), "{summary}");
    assert!(
        summary.contains("| ❌ fail | 01-foundations/01-word-count | Word count |"),
        "{summary}"
    );
    assert!(
        summary.contains("<summary>❌ 01-foundations/01-word-count"),
        "{summary}"
    );
    let grades = std::fs::read_to_string(grades).unwrap();
    assert!(
        grades.starts_with("learner,exercise,module,title,"),
        "{grades}"
    );
    assert!(
        grades.contains(",01-foundations/01-word-count,1,Word count,fail,pytest,fail,"),
        "{grades}"
    );
}

#[test]
fn hint_finds_an_exercise_by_its_short_name() {
    Env::new()
        .pygrade()
        .args(["hint", "word-count"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Word count").and(predicate::str::contains("re.findall")));
}

#[test]
fn hints_come_one_at_a_time_in_a_workspace_and_all_at_once_on_request() {
    let env = Env::new();
    let ws = env.workspace();
    let hint = |extra: &[&str]| {
        let out = env
            .pygrade()
            .current_dir(&ws.dir)
            .args(["hint", "word-count"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let total = word_count_hints().len();
    assert!(total >= 2, "word count has {total} hints");
    let first = hint(&[]);
    assert!(first.contains(&format!("hint 1 of {total}:")), "{first}");
    assert!(!first.contains(&format!("hint 2 of {total}:")), "{first}");
    assert!(first.contains("again shows the next hint"), "{first}");
    let second = hint(&[]);
    assert!(second.contains(&format!("hint 2 of {total}:")), "{second}");
    assert!(second.contains(word_count_hints()[1].as_str()), "{second}");
    // Past the last, the last again; --all shows every one, and moves nothing on.
    for _ in 2..total {
        hint(&[]);
    }
    let last = hint(&[]);
    assert!(
        last.contains(&format!("hint {total} of {total}:")),
        "{last}"
    );
    assert!(last.contains("That was the last hint"), "{last}");
    let all = hint(&["--all"]);
    for i in 1..=total {
        assert!(all.contains(&format!("hint {i} of {total}:")), "{all}");
    }
}

/// Word count's hints, as its manifest gives them.
fn word_count_hints() -> Vec<String> {
    let manifest: toml::Table = std::fs::read_to_string(
        common::repo()
            .join("exercises")
            .join(WORD_COUNT)
            .join("exercise.toml"),
    )
    .unwrap()
    .parse()
    .unwrap();
    (manifest["hints"].as_array().unwrap().iter())
        .map(|h| h.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_misplaced_manifest_key_says_where_it_belongs() {
    let env = Env::new();
    let bank = env.fast_bank();
    let manifest = bank.join(WORD_COUNT).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // A limit at the top, and a lint key in the mypy check.
    let moved = text
        .replacen("module = 1\n", "module = 1\ntimeout = \"5s\"\n", 1)
        .replacen(
            "kind = \"mypy\"\n",
            "kind = \"mypy\"\nselect = [\"E\"]\n",
            1,
        );
    std::fs::write(&manifest, &moved).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(2).stderr(
        predicate::str::contains("line 4")
            .and(predicate::str::contains("`timeout` belongs in `[limits]`")),
    );
    let moved = text.replacen(
        "kind = \"mypy\"\n",
        "kind = \"mypy\"\nselect = [\"E\"]\n",
        1,
    );
    std::fs::write(&manifest, &moved).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(2).stderr(
        predicate::str::is_match(r"check 2 \(line \d+\): unknown field `select`")
            .unwrap()
            .and(predicate::str::contains(
                "`select` belongs in a `[[check]]` with `kind = \"lint\"`",
            )),
    );
}

#[test]
fn part_of_a_name_suggests_the_exercises_it_may_mean() {
    Env::new()
        .pygrade()
        .args(["hint", "word-c"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no exercise matches \"word-c\": did you mean 01-foundations/01-word-count?",
        ));
}

#[test]
fn an_unknown_exercise_is_an_error_that_points_to_list() {
    Env::new()
        .pygrade()
        .args(["hint", "no-such-thing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pygrade list"));
}

#[test]
fn a_misspelt_manifest_key_stops_everything_with_file_and_key() {
    let env = Env::new();
    let bank = env.fast_bank();
    let manifest = bank.join(WORD_COUNT).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replacen("points = 2", "pionts = 2", 1);
    std::fs::write(&manifest, text).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(2).stderr(
        predicate::str::contains("01-foundations/01-word-count/exercise.toml")
            .and(predicate::str::contains("pionts")),
    );
}

#[test]
fn a_manifest_naming_a_missing_file_is_rejected() {
    let env = Env::new();
    let bank = env.fast_bank();
    std::fs::remove_file(bank.join(WORD_COUNT).join("reference/word_count.py")).unwrap();
    env.pygrade_on(&bank)
        .args(["hint", "word-count"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "reference/word_count.py does not exist",
        ));
}

#[test]
fn verify_catches_a_starter_that_already_passes() {
    let env = Env::new();
    let bank = env.fast_bank();
    let dir = bank.join(WORD_COUNT);
    std::fs::copy(
        dir.join("reference/word_count.py"),
        dir.join("starter/word_count.py"),
    )
    .unwrap();
    let json = env.path().join("verify.json");
    env.pygrade_on(&bank)
        .arg("verify")
        .arg("--json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("starter/ passes every check"));
    // The JSON report says the same, exercise by exercise.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["mode"], "sides");
    assert_eq!(report["passed"], false);
    let word_count = (report["exercises"].as_array().unwrap().iter())
        .find(|e| e["id"] == WORD_COUNT)
        .unwrap();
    assert_eq!(word_count["passed"], false);
    assert_eq!(
        word_count["starter"]["score"],
        word_count["starter"]["max_score"]
    );
    assert!(
        word_count["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("starter/ passes every check"),
        "{report}"
    );
}

#[test]
fn verify_requires_a_starter_that_scores_to_say_why() {
    // A starter that works but is no program: its tests pass, its output does not, and its
    // typing earns as much of its points as the other checks earned of theirs (6 of 8).
    let env = Env::new();
    let bank = env.fast_bank();
    let dir = bank.join(WORD_COUNT);
    let reference = std::fs::read_to_string(dir.join("reference/word_count.py")).unwrap();
    let (module, _) = reference
        .split_once("if __name__ == \"__main__\":")
        .unwrap();
    std::fs::write(dir.join("starter/word_count.py"), module).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(1).stdout(
        predicate::str::contains("starter/ earns points untouched (7.5 of 10 points")
            .and(predicate::str::contains("pytest 6 of 6"))
            .and(predicate::str::contains("mypy 1.5 of 2"))
            .and(predicate::str::contains("starter-scores = ")),
    );
    let manifest = dir.join("exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen(
        "\n[[check]]",
        "starter-scores = \"The starter's functions work; writing the program is the exercise.\"\n\n[[check]]",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    env.pygrade_on(&bank)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("starter 7.5/10"));
}

#[test]
fn a_missing_python_is_a_clear_error() {
    let env = Env::new();
    let ws = env.workspace();
    env.check(&ws)
        .env("PYGRADE_PYTHON", "/nonexistent/python3")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/python3"));
}

#[test]
fn checking_outside_a_workspace_says_how_to_make_one() {
    outside_a_workspace(&Env::new(), &["check"])
        .code(2)
        .stderr(predicate::str::contains("pygrade init"));
}

/// `pygrade ARGS` typed in a folder of no workspace.
fn outside_a_workspace(env: &Env, args: &[&str]) -> Assert {
    env.pygrade().current_dir(env.path()).args(args).assert()
}

#[test]
fn a_deleted_learner_file_is_reported_not_crashed_on() {
    let env = Env::new();
    let ws = env.workspace();
    std::fs::remove_file(ws.exercise(WORD_COUNT).join("word_count.py")).unwrap();
    let graded = env.check(&ws).arg(WORD_COUNT).graded();
    let e = graded.exercise(WORD_COUNT);
    assert_eq!(
        (graded.code, &e["status"]),
        (1, &serde_json::json!("error"))
    );
    assert!(
        message(&e["checks"][0]).contains("word_count.py is missing"),
        "{e}"
    );
}

#[test]
fn doctor_names_the_tools_in_use() {
    let env = Env::new();
    env.pygrade().arg("setup").assert().success();
    env.pygrade().arg("doctor").assert().success().stdout(
        predicate::str::contains("pytest:  9.2.0")
            .and(predicate::str::contains("mypy:    2.4.1"))
            .and(predicate::str::contains(
                "grading: 01-foundations/01-word-count's reference solution got 10/10 points, every check passed",
            )),
    );
}

#[test]
fn doctor_grades_a_reference_end_to_end_and_says_when_it_fails() {
    let env = Env::new();
    let bank = env.fast_bank();
    let reference = bank.join(WORD_COUNT).join("reference/word_count.py");
    let broken = std::fs::read_to_string(&reference)
        .unwrap()
        .replace("def count_words(", "def count_words_renamed(");
    std::fs::write(&reference, broken).unwrap();
    env.pygrade_on(&bank)
        .arg("doctor")
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "grading: PROBLEM: 01-foundations/01-word-count: the pytest check could not run",
        ))
        .stderr(predicate::str::contains(
            "grading: a reference solution should get full marks here",
        ));
}

#[test]
fn doctor_says_how_the_memory_of_a_process_tree_is_limited() {
    let env = Env::new();
    let said = |cgroups: Option<&str>| {
        let mut doctor = env.pygrade();
        if let Some(cgroups) = cgroups {
            doctor.env("PYGRADE_CGROUPS", cgroups);
        }
        let out = doctor.arg("doctor").output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let here = said(None);
    assert!(
        here.contains("memory: a memory cgroup (v") || here.contains("memory: measured"),
        "{here}"
    );
    let measured = said(Some("pids"));
    assert!(
        measured.contains("memory: measured (PYGRADE_CGROUPS leaves out memory)"),
        "{measured}"
    );
}

/// `pygrade setup` in a home of its own, so that it builds an environment from scratch
/// (the downloads may come from the installers' caches): what it printed, once it succeeded.
fn first_setup(env: &Env, path: Option<&Path>) -> String {
    let mut setup = env.pygrade();
    setup
        .env("PYGRADE_HOME", env.path().join("home"))
        .arg("setup");
    if let Some(path) = path {
        setup.env("PATH", path);
    }
    let out = setup.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    said
}

/// The environment `first_setup` built.
fn built_env(env: &Env) -> PathBuf {
    std::fs::read_dir(env.path().join("home"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("python-")
        })
        .expect("an environment")
}

#[test]
fn the_first_run_builds_the_environment_with_uv_step_by_step() {
    let env = Env::new();
    let said = first_setup(&env, None);
    for step in [
        "pygrade: [1/4] installing uv ",
        "pygrade: [2/4] creating the environment ... done in ",
        "pygrade: [3/4] installing pytest 9.2.0, mypy 2.4.1, ruff 0.17.6, coverage 7.18.0 and 11 dependencies with uv ... done in ",
        "pygrade: [4/4] checking the versions ... done in ",
    ] {
        assert!(said.contains(step), "no {step:?} in:\n{said}");
    }
    // Built where it stays, so its own scripts run.
    Command::new(built_env(&env).join("bin/pytest"))
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("9.2.0"));
}

#[test]
fn without_uv_the_environment_is_built_with_pip() {
    let env = Env::new();
    // A python3 without pip, which cannot install uv.
    let base = env.path().join("base");
    Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&base)
        .assert()
        .success();
    let path = std::env::join_paths(std::iter::once(base.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let said = first_setup(&env, Some(Path::new(&path)));
    for step in [
        "pygrade: [1/4] installing uv ",
        "failed after ",
        "pip installs the tools instead, which is slower",
        "pygrade: [2/4] creating the environment, with pip ... done in ",
        "pygrade: [3/4] installing pytest 9.2.0, mypy 2.4.1, ruff 0.17.6, coverage 7.18.0 and 11 dependencies with pip ... done in ",
        "pygrade: [4/4] checking the versions ... done in ",
    ] {
        assert!(said.contains(step), "no {step:?} in:\n{said}");
    }
    assert!(built_env(&env).join("bin/python").exists());
}

#[test]
fn doctor_exits_2_when_it_reports_a_problem() {
    let env = Env::new();
    let no_exercises = env.path().join("no-exercises");
    std::fs::create_dir(&no_exercises).unwrap();
    env.pygrade_on(&no_exercises)
        .arg("doctor")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("bank:    PROBLEM: "))
        .stderr(predicate::str::ends_with(
            "1 problem to fix: the exercise bank: fix what the `bank:` line says, or drop --bank (PYGRADE_BANK) to use the built-in bank\n",
        ));
}

#[test]
fn jobs_must_be_at_least_one() {
    for command in ["check", "verify", "demo"] {
        Env::new()
            .pygrade()
            .args([command, "--jobs", "0"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "invalid value '0' for '--jobs <N>': with 0 checks at once nothing would run: give 1 or more",
            ));
    }
}

#[test]
fn the_demo_grades_as_the_readme_describes() {
    // The quick start runs `pygrade demo`: a workspace built from the references and the
    // bank's demo.toml, graded, with its failures not counted against the exit code.
    let env = Env::new();
    let demo = Workspace {
        dir: env.path().join("demo"),
        bank: None,
    };
    let graded = env
        .pygrade()
        .arg("demo")
        .arg("--workspace")
        .arg(&demo.dir)
        .graded();
    assert_eq!(graded.code, 0);
    let report = graded.report;
    // The workspace stays for the learner to explore, and grades the same way.
    let again = env.check(&demo).graded();
    assert_eq!(again.code, 1, "a learner's own check counts the failures");
    assert_eq!(again.report["summary"], report["summary"]);
    let statuses: Vec<(&str, bool)> = report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap(),
                e["started"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("pass", true)),
        "some exercises are solved: {statuses:?}"
    );
    assert!(
        statuses.iter().any(|(s, started)| *s != "pass" && *started),
        "some are wrong: {statuses:?}"
    );
    assert!(
        statuses.iter().any(|(_, started)| !started),
        "some are untouched: {statuses:?}"
    );
}

/// `pygrade doctor | head` and `pygrade list | head`: a reader that closes the pipe early
/// ends the command quietly, never with a panic.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let env = Env::new();
    for args in [&["doctor"][..], &["list", "--workspace"][..]] {
        let mut cmd = env.pygrade();
        cmd.args(args);
        if args.len() == 2 {
            cmd.arg(env.workspace().dir);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the pipe before the command has written anything, as `head -0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            out.status.code().is_some_and(|c| c != 101),
            "{args:?}: {:?}",
            out.status
        );
    }
}
