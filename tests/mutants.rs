//! `pygrade verify --mutants`: mutants of a reference, each graded like a submission, and the
//! exercises whose tests let too many survive named with their survivors. On the word-count
//! exercise alone (the fast bank): its own tests kill every mutant; a weak test lets them
//! survive, and marks of equivalence count, or are named when stale.

mod common;

use assert_cmd::prelude::*;
use common::{Env, WORD_COUNT};
use predicates::prelude::*;

/// A mutant of word count's reference that a test checking only the result's type lets
/// through: `n < 0` became `n <= 0` in `top_words`.
const FLIPPED: &str = "word_count.py:33:7:compare";

#[test]
fn the_bank_tests_kill_every_mutant_of_word_count() {
    let env = Env::new();
    let bank = env.fast_bank();
    env.pygrade_on(&bank)
        .args(["verify", "--mutants", "word-count"])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"✓ 01-foundations/01-word-count\s+18 mutants: 18 killed \(100%\)",
            )
            .unwrap(),
        );
}

/// The fast bank with word count's tests reduced to one that checks only the type of one
/// result, and no output check; returns the bank and the manifest's text.
fn weak_bank(env: &Env) -> (std::path::PathBuf, String) {
    let bank = env.fast_bank();
    let exercise = bank.join(WORD_COUNT);
    std::fs::write(
        exercise.join("tests/test_word_count.py"),
        "from word_count import count_words\n\n\ndef test_counts_are_a_dict() -> None:\n    assert isinstance(count_words(\"a b\"), dict)\n",
    )
    .unwrap();
    let manifest = exercise.join("exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let header = &text[..text.find("[[check]]").unwrap()];
    let pytest_only = format!("{header}[[check]]\nkind = \"pytest\"\npoints = 6\n");
    std::fs::write(&manifest, &pytest_only).unwrap();
    (bank, pytest_only)
}

#[test]
fn a_weak_test_lets_mutants_survive_and_marks_of_equivalence_are_counted_or_named_when_stale() {
    let env = Env::new();
    let (bank, pytest_only) = weak_bank(&env);
    let survived = format!("    survived: word_count.py:33: `<` became `<=`  [{FLIPPED}]");
    let json = env.path().join("mutants.json");
    env.pygrade_on(&bank)
        .args(["verify", "--mutants", "word-count", "--json"])
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(survived.as_str()))
        .stdout(predicate::str::contains("✗ 01-foundations/01-word-count"))
        .stdout(predicate::str::contains(
            "1 exercises, 1 whose tests let more than 10% of their mutants survive.",
        ));
    // The JSON report lists the same survivors, by name, file and line.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        (report["mode"].clone(), report["passed"].clone()),
        ("mutants".into(), false.into())
    );
    let mutants = &report["exercises"][0]["mutants"];
    assert!(mutants["kill_rate"].as_f64().unwrap() < 0.9, "{report}");
    let flipped = (mutants["survivors"].as_array().unwrap().iter())
        .find(|s| s["id"] == FLIPPED)
        .unwrap_or_else(|| panic!("{FLIPPED} is not among the survivors: {report}"));
    assert_eq!(
        (flipped["file"].as_str(), flipped["line"].as_u64()),
        (Some("word_count.py"), Some(33))
    );
    // Marked equivalent, it is counted apart and no longer listed; a mark naming no mutant
    // is named, to be removed.
    let marks = format!(
        "[equivalent-mutants]\n\"{FLIPPED}\" = \"only the tests are weak\"\n\"word_count.py:1:0:constant\" = \"gone\"\n"
    );
    let marked = pytest_only.replace("[[check]]", &format!("{marks}\n[[check]]"));
    let manifest = bank.join(WORD_COUNT).join("exercise.toml");
    std::fs::write(&manifest, marked).unwrap();
    env.pygrade_on(&bank)
        .args(["verify", "--mutants", "word-count"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(survived.as_str()).not())
        .stdout(predicate::str::contains("1 marked equivalent"))
        .stdout(predicate::str::contains(
            "`equivalent-mutants` names word_count.py:1:0:constant, which is no mutant of the reference now: remove it",
        ));
}

#[test]
fn a_sample_grades_the_same_few_mutants_every_run() {
    let env = Env::new();
    let (bank, _) = weak_bank(&env);
    let run = || {
        let out = env
            .pygrade_on(&bank)
            .args(["verify", "--mutants", "--sample", "6", "word-count"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let (first, second) = (run(), run());
    assert!(
        first.contains("Grading 6 mutants of 1 exercises (at most 6 of each)."),
        "{first}"
    );
    assert!(first.contains("6 mutants: "), "{first}");
    let survivors = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains("survived:"))
            .map(String::from)
            .collect()
    };
    assert!(!survivors(&first).is_empty(), "{first}");
    assert_eq!(survivors(&first), survivors(&second));
}
