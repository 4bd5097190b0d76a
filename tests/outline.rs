//! A bank of its own shape (`fixtures/banks/own-modules`): its `outline.toml` declares its
//! own modules, which `list`, `check` and `verify` take as they are, and an outline that is
//! missing or that a manifest disagrees with stops the bank with what to fix.

mod common;

use std::path::PathBuf;

use assert_cmd::prelude::*;
use common::{Env, Grade, copy_tree, repo};
use predicates::prelude::*;

const LINE_COUNT: &str = "01-reading/01-line-count";
const TOTALS: &str = "02-reporting/01-totals";

fn own_modules() -> PathBuf {
    repo().join("fixtures/banks/own-modules/bank")
}

/// A copy of the bank, to change.
fn bank_copy(env: &Env) -> PathBuf {
    let bank = env.path().join("bank");
    copy_tree(&own_modules(), &bank);
    bank
}

#[test]
fn list_and_check_title_the_modules_as_the_outline_does() {
    let env = Env::new();
    let ws = env.init("ws", Some(&own_modules()));
    copy_tree(
        &own_modules().join(LINE_COUNT).join("reference"),
        &ws.exercise(LINE_COUNT),
    );
    let module = |n: u8, title: &str| {
        // Titles of plain words: no character of them is special in a pattern.
        // `list` follows the title with the module's progress.
        predicate::str::is_match(format!(r"(?m)^Module {n}: {title}(  \[.*)?$")).unwrap()
    };
    let roadmap = || predicate::str::contains("Python Foundations").not();
    env.check(&ws)
        .assert()
        .code(1)
        .stdout(module(1, "Reading data"))
        .stdout(module(2, "Reporting"))
        .stdout(roadmap());
    let graded = env.check(&ws).graded();
    assert_eq!(graded.exercise(LINE_COUNT)["status"], "pass");
    assert_eq!(graded.exercise(LINE_COUNT)["module_title"], "Reading data");
    assert_eq!(graded.exercise(TOTALS)["module"], 2);
    assert_eq!(graded.exercise(TOTALS)["module_title"], "Reporting");
    env.pygrade_on(&own_modules())
        .args(["list", "--workspace"])
        .arg(&ws.dir)
        .assert()
        .success()
        .stdout(module(1, "Reading data"))
        .stdout(module(2, "Reporting"))
        .stdout(roadmap())
        .stdout(
            predicate::str::is_match(r"01-reading/01-line-count\s+Line count\s+pass\s+2/2")
                .unwrap(),
        )
        // Each module's progress, and under it each topic's, by the exercises that
        // practise it.
        .stdout(predicate::str::contains(
            "Module 1: Reading data  [##########] 1/1",
        ))
        .stdout(predicate::str::contains(
            "Module 2: Reporting  [----------] 0/1",
        ))
        .stdout(predicate::str::contains(
            "✓ [##########] 1/1 text files (01-line-count)",
        ))
        .stdout(predicate::str::contains(
            "· [----------] 0/1 dict (01-totals)",
        ));
}

#[test]
fn verify_accepts_a_bank_of_its_own_modules() {
    Env::new()
        .pygrade_on(&own_modules())
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "3 of 3 topics are practised by an exercise",
        ))
        .stdout(predicate::str::contains(
            "2 exercises verified, 0 with problems",
        ));
}

#[test]
fn verify_names_the_topics_no_exercise_practises_and_fails_when_the_outline_requires_them() {
    let env = Env::new();
    let bank = bank_copy(&env);
    let outline = bank.join("outline.toml");
    let text = std::fs::read_to_string(&outline)
        .unwrap()
        .replace(r#"topics = ["dict"]"#, r#"topics = ["dict", "csv module"]"#);
    std::fs::write(&outline, &text).unwrap();
    let uncovered = "3 of 4 topics are practised by an exercise; these have none, and outline.toml requires one for each:\n    module 2: csv module";
    env.pygrade_on(&bank)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(uncovered))
        .stdout(predicate::str::contains("1 with problems"));
    // A bank that does not require it says so, and passes.
    std::fs::write(&outline, text.replace("require-every-topic = true\n", "")).unwrap();
    env.pygrade_on(&bank)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "3 of 4 topics are practised by an exercise; these have none yet:\n    module 2: csv module",
        ));
}

#[test]
fn an_exercise_practising_a_topic_the_outline_lacks_stops_the_bank_with_the_topic_meant() {
    let env = Env::new();
    let bank = bank_copy(&env);
    let manifest = bank.join(TOTALS).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(r#"practises = ["dict"]"#, r#"practises = ["Dict"]"#);
    std::fs::write(&manifest, text).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(2).stderr(
        predicate::str::contains(
            "02-reporting/01-totals/exercise.toml: `practises` names \"Dict\", which is no topic of outline.toml: did you mean \"dict\"? (topics are named word for word)",
        ),
    );
}

#[test]
fn a_manifest_naming_a_module_the_outline_lacks_stops_the_bank() {
    let env = Env::new();
    let bank = bank_copy(&env);
    let manifest = bank.join(TOTALS).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("module = 2", "module = 7");
    std::fs::write(&manifest, text).unwrap();
    env.pygrade_on(&bank).arg("verify").assert().code(2).stderr(
        predicate::str::contains(
            "02-reporting/01-totals/exercise.toml: `module` is 7, which outline.toml does not declare: name one of its modules, 1 (Reading data), 2 (Reporting), 3 (Pipelines), or add module 7 to outline.toml",
        ),
    );
}

#[test]
fn a_bank_without_an_outline_is_shown_one_to_start_from() {
    let env = Env::new();
    let bank = bank_copy(&env);
    std::fs::remove_file(bank.join("outline.toml")).unwrap();
    env.pygrade_on(&bank).arg("list").assert().code(2).stderr(
        predicate::str::contains("has no outline.toml: write one at its root")
            .and(predicate::str::contains("[[module]]\nnumber = 1\n")),
    );
}

#[test]
fn a_broken_outline_is_named_with_its_problem() {
    let env = Env::new();
    let bank = bank_copy(&env);
    let outline = bank.join("outline.toml");
    let text = std::fs::read_to_string(&outline)
        .unwrap()
        .replace("title = \"Pipelines\"", "title = \"Reporting\"");
    std::fs::write(&outline, text).unwrap();
    env.pygrade_on(&bank)
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "outline.toml: module 3: the title \"Reporting\" is another module's too",
        ));
}
