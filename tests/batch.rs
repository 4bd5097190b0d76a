//! `pygrade batch` on the fixture cohort (`fixtures/cohort`): honest, wrong, not-started,
//! hanging and hostile learners, a zipped workspace and an archive that must be refused,
//! graded against a two-exercise bank. Then what a mentor depends on: the numbers of every
//! file, a re-run that grades nothing again, a changed test that regrades only its exercise,
//! one learner's submission never changing another's grade, an interrupted run that
//! continues, and shards that merge into exactly what one run writes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::prelude::*;
use common::{COHORT_GRADEBOOK as GRADEBOOK, Env, copy_tree, repo};
use serde_json::Value;

fn bank() -> PathBuf {
    repo().join("fixtures/cohort/bank")
}

/// `pygrade --bank BANK batch COHORT --out OUT`, with `args`.
fn batch(env: &Env, bank: &Path, cohort: &Path, out: &Path, args: &[&str]) -> Output {
    let output = env
        .pygrade_on(bank)
        .arg("batch")
        .arg(cohort)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `pygrade --bank BANK merge SHARDS... --out OUT`.
fn merge(env: &Env, shards: &[PathBuf], out: &Path) -> Output {
    env.pygrade_on(&bank())
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A learner's report with what varies from run to run taken out: durations, resources used,
/// and the addresses in Python's `<object at 0x...>`.
fn steady(mut report: Value) -> Value {
    for exercise in report["exercises"].as_array_mut().unwrap() {
        for check in exercise["checks"].as_array_mut().unwrap() {
            let check = check.as_object_mut().unwrap();
            check.remove("duration_ms");
            check.remove("usage");
        }
    }
    serde_json::from_str(&unaddressed(&report.to_string())).unwrap()
}

/// `text` with the digits of every `0x...` address taken out.
fn unaddressed(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        kept.push_str(&rest[..at + 2]);
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    kept.push_str(rest);
    kept
}

/// Every file a batch leaves, by path inside `out`, the cache aside.
fn files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".cache")
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(out).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

#[test]
fn a_cohort_is_graded_into_a_gradebook_summaries_and_each_learners_reports() {
    let env = Env::new();
    let cohort = env.cohort();
    let out = env.path().join("out");
    batch(&env, &bank(), &cohort, &out, &[]);

    assert_eq!(read(out.join("gradebook.csv")), GRADEBOOK);

    let ada = json(out.join("learners/ada.json"));
    assert_eq!(ada["learner"], "ada");
    assert_eq!(ada["summary"]["score"], 9.0);
    // Hidden tests ran, and the learner's report says only how many passed.
    let pytest = &ada["exercises"][0]["checks"][0];
    assert_eq!(pytest["hidden"]["total"], 1, "{pytest}");
    assert!(!read(out.join("learners/ada.json")).contains("a name with spaces"));
    let bob = json(out.join("learners/bob.json"));
    assert_eq!(bob["exercises"][1]["status"], "not-started");
    let dee = json(out.join("learners/dee.json"));
    assert_eq!(dee["exercises"][0]["checks"][0]["status"], "timeout");
    let eve = json(out.join("learners/eve.json"));
    assert_eq!(eve["exercises"][0]["checks"][0]["status"], "output-limit");
    let gus = json(out.join("learners/gus.json"));
    assert_eq!(gus["exercises"][0]["status"], "rejected");
    assert!(read(out.join("learners/fay.md")).starts_with("## fay: 6 of 9 points"));
    assert!(!env.path().join("escape.py").exists());

    let summary = json(out.join("summary.json"));
    assert_eq!(summary["learners"], 7);
    assert_eq!(summary["refused"], 1);
    let greet = &summary["exercises"][0];
    // Started by all but cyd: ada and fay passed.
    assert_eq!(
        (&greet["started"], &greet["passed"]),
        (&6.into(), &2.into())
    );
    assert_eq!(greet["pass_rate"], 0.33);
    // bob's, dee's and eve's output and pytest checks, and gus's refused submission.
    assert_eq!(greet["failing_checks"][0]["count"], 3, "{greet}");
    assert_eq!(greet["failing_checks"][2]["check"], "submission", "{greet}");
    let modules = summary["modules"].as_array().unwrap();
    assert_eq!(modules[0]["title"], "Basics");
    // Module 2: 3, 0, 0, 3, 1.5, 0 and 0 over seven learners.
    assert_eq!(modules[1]["mean_score"], 1.07);
    let md = read(out.join("summary.md"));
    assert!(
        md.contains("| 2 Classes | 1 | 1.07 of 3 | 35.67% |"),
        "{md}"
    );
}

#[test]
fn a_batch_run_again_grades_only_what_changed_and_says_why_scores_moved() {
    let env = Env::new();
    let cohort = env.cohort();
    let bank = env.path().join("bank");
    copy_tree(&self::bank(), &bank);
    let out = env.path().join("out");
    batch(&env, &bank, &cohort, &out, &[]);
    let first: Vec<(PathBuf, String)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), read(out.join(&f))))
        .collect();

    // Unchanged: every grade comes from the cache, and every file is the same.
    let again = batch(
        &env,
        &bank,
        &cohort,
        &out,
        &["--diff"]
            .into_iter()
            .chain([out.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    assert!(
        stderr(&again).contains("12 grades kept from an earlier run"),
        "{}",
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("grading 0 checks"),
        "{}",
        stderr(&again)
    );
    assert_eq!(String::from_utf8_lossy(&again.stdout), "no score changed\n");
    for (file, text) in &first {
        assert_eq!(&read(out.join(file)), text, "{}", file.display());
    }

    // The counter is now worth 4 points: only its grades are done again.
    let manifest = bank.join("02-classes/01-counter/exercise.toml");
    std::fs::write(
        &manifest,
        read(&manifest).replace("points = 3", "points = 4"),
    )
    .unwrap();
    let changed = batch(
        &env,
        &bank,
        &cohort,
        &out,
        &["--diff", out.to_str().unwrap()],
    );
    assert!(
        stderr(&changed).contains("6 grades kept from an earlier run"),
        "{}",
        stderr(&changed)
    );
    let diff = String::from_utf8_lossy(&changed.stdout).into_owned();
    assert!(
        diff.contains("ada: 02-classes/01-counter 3 -> 4 (pass -> pass): the exercise changed"),
        "{diff}"
    );
    assert!(
        diff.contains("eve: 02-classes/01-counter 1.5 -> 2"),
        "{diff}"
    );
    assert!(!diff.contains("01-greet"), "{diff}");

    // --no-cache grades everything again.
    let forced = batch(&env, &bank, &cohort, &out, &["--no-cache"]);
    assert!(!stderr(&forced).contains("kept from an earlier run"));
}

#[test]
fn hostile_and_hanging_learners_change_no_one_elses_grade() {
    let env = Env::new();
    let cohort = env.cohort();
    let out = env.path().join("out");
    batch(&env, &bank(), &cohort, &out, &[]);

    let honest = env.path().join("honest");
    for learner in ["ada", "bob"] {
        copy_tree(&cohort.join(learner), &honest.join(learner));
    }
    let alone = env.path().join("alone");
    batch(&env, &bank(), &honest, &alone, &[]);
    for learner in ["ada", "bob"] {
        let file = format!("learners/{learner}.json");
        assert_eq!(
            steady(json(out.join(&file))),
            steady(json(alone.join(&file))),
            "{learner}"
        );
    }
}

#[test]
fn shards_merged_write_exactly_the_files_of_one_run() {
    let env = Env::new();
    let cohort = env.cohort();
    let whole = env.path().join("whole");
    batch(&env, &bank(), &cohort, &whole, &[]);

    let mut shards = Vec::new();
    for k in 1..=3 {
        let out = env.path().join(format!("shard-{k}"));
        batch(
            &env,
            &bank(),
            &cohort,
            &out,
            &["--shard", &format!("{k}/3")],
        );
        shards.push(out);
    }
    // The slices are disjoint and balanced: 7 learners as 3, 2 and 2.
    let counts: Vec<usize> = (shards.iter())
        .map(|s| std::fs::read_dir(s.join("learners")).unwrap().count() / 2)
        .collect();
    assert_eq!(counts, [3, 2, 2]);

    let merged = env.path().join("merged");
    assert!(merge(&env, &shards, &merged).status.success());

    assert_eq!(files(&merged), files(&whole));
    for file in files(&whole) {
        let (a, b) = (whole.join(&file), merged.join(&file));
        if file.starts_with("learners") && file.extension().is_some_and(|e| e == "json") {
            // Two runs measure different durations; what was graded is the same.
            assert_eq!(steady(json(&a)), steady(json(&b)), "{}", file.display());
        } else if file == Path::new("report.html") {
            // The page shows the learners' messages, addresses and all.
            assert_eq!(unaddressed(&read(&a)), unaddressed(&read(&b)));
        } else if !file.starts_with("learners") {
            assert_eq!(read(&a), read(&b), "{}", file.display());
        }
    }

    // Given the same grades (the whole run's cache), a merge is byte for byte one run.
    let seeded: Vec<PathBuf> = (1..=3)
        .map(|k| {
            let out = env.path().join(format!("seeded-{k}"));
            copy_tree(&whole.join(".cache"), &out.join(".cache"));
            batch(
                &env,
                &bank(),
                &cohort,
                &out,
                &["--shard", &format!("{k}/3")],
            );
            out
        })
        .collect();
    let merged = env.path().join("merged-seeded");
    assert!(merge(&env, &seeded, &merged).status.success());
    for file in files(&whole) {
        assert_eq!(
            std::fs::read(whole.join(&file)).unwrap(),
            std::fs::read(merged.join(&file)).unwrap(),
            "{}",
            file.display()
        );
    }

    // A shard left out is named.
    let output = merge(&env, &seeded[..2], &env.path().join("short"));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("shard 3/3 of the cohort is missing"));
}

#[test]
fn an_interrupted_batch_keeps_what_it_graded_and_the_next_run_goes_on() {
    let env = Env::new();
    let cohort = env.cohort();
    let out = env.path().join("out");
    let mut child = std::process::Command::cargo_bin("pygrade")
        .unwrap()
        .env("TMPDIR", env.tmp())
        .arg("--bank")
        .arg(bank())
        .arg("batch")
        .arg(&cohort)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Ctrl-C once the first grade is kept.
    let kept = |out: &Path| {
        walkdir::WalkDir::new(out.join(".cache"))
            .into_iter()
            .flatten()
            .filter(|e| {
                e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json")
            })
            .count()
    };
    while kept(&out) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch ended before any grade"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("run the same command again to go on"),
        "{}",
        stderr(&output)
    );
    let graded = kept(&out);
    assert!(graded > 0 && graded < 12, "{graded} grades kept");

    let resumed = batch(&env, &bank(), &cohort, &out, &[]);
    // Grades are kept by content: ada's and fay's identical greetings share one.
    let reused: usize = (stderr(&resumed).lines())
        .find_map(|line| {
            line.strip_prefix("pygrade: ")?
                .split_once(" grades kept from an earlier run")
        })
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no grade kept: {}", stderr(&resumed)));
    assert!(reused >= graded, "{reused} reused of {graded} kept");
    assert_eq!(read(out.join("gradebook.csv")), GRADEBOOK);
}

#[test]
fn a_cohort_folder_that_is_missing_or_empty_is_an_error_that_says_what_to_give() {
    let env = Env::new();
    let missing = env
        .pygrade_on(&bank())
        .arg("batch")
        .arg(env.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read the cohort folder"));
    let empty = env.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = env
        .pygrade_on(&bank())
        .arg("batch")
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds no learner"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn each_learners_report_is_also_written_in_the_formats_asked_for() {
    let env = Env::new();
    let all = env.cohort();
    let cohort = env.path().join("just-ada");
    copy_tree(&all.join("ada"), &cohort.join("ada"));
    let out = env.path().join("out");
    batch(
        &env,
        &bank(),
        &cohort,
        &out,
        &[
            "--format",
            "junit",
            "--format",
            "gradescope",
            "--format",
            "terminal",
        ],
    );
    let names: Vec<String> = files(&out.join("learners"))
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "ada.gradescope.json",
            "ada.json",
            "ada.junit.xml",
            "ada.md",
            "ada.txt"
        ]
    );
    assert!(read(out.join("learners/ada.junit.xml")).contains("<testsuites"));
    assert_eq!(json(out.join("learners/ada.gradescope.json"))["score"], 9.0);
    assert!(
        !read(out.join("learners/ada.txt")).contains('\u{1b}'),
        "no colour in a file"
    );

    // A merge writes the same formats; a run without them leaves none behind.
    let merged = env.path().join("merged");
    assert!(
        merge(&env, std::slice::from_ref(&out), &merged)
            .status
            .success()
    );
    assert_eq!(
        files(&merged.join("learners")),
        files(&out.join("learners"))
    );
    batch(&env, &bank(), &cohort, &out, &[]);
    assert_eq!(files(&out.join("learners")).len(), 2);
}

/// Gives word count in `bank` one check only, as `check` (its TOML keys) says.
fn only_check(bank: &Path, check: &str) {
    let manifest = bank.join(common::WORD_COUNT).join("exercise.toml");
    let text = read(&manifest);
    let header = &text[..text.find("[[check]]").unwrap()];
    std::fs::write(&manifest, format!("{header}[[check]]\n{check}\n")).unwrap();
}

/// Learners whose files differ only in one type, of the same size and laid out within the
/// same second: mypy keeps a cache, and each must still get the verdict of its own file, from
/// warm workers and from a fresh mypy for every check alike. (mypy trusts a cached result for
/// a file whose path, size and modification second match the cache's.)
#[test]
fn learners_whose_files_differ_only_in_a_type_each_get_their_own_type_verdict() {
    let env = Env::new();
    let bank = env.fast_bank();
    // Only the type check, so that the learners' checks follow each other closely.
    only_check(&bank, "kind = \"mypy\"\npoints = 2");
    let solution = read(
        repo()
            .join("exercises")
            .join(common::WORD_COUNT)
            .join("reference/word_count.py"),
    );
    let returns = "-> dict[str, int]:";
    assert!(solution.contains(returns), "the reference has changed");
    let mistyped = solution.replacen(returns, "-> dict[str, str]:", 1);
    assert_eq!(mistyped.len(), solution.len());
    let cohort = env.path().join("cohort");
    let learners: Vec<String> = (0..8).map(|i| format!("learner-{i}")).collect();
    for (i, learner) in learners.iter().enumerate() {
        let ws = env.init(&format!("cohort/{learner}"), Some(&bank));
        let text = if i % 2 == 0 { &solution } else { &mistyped };
        std::fs::write(ws.exercise(common::WORD_COUNT).join("word_count.py"), text).unwrap();
    }
    for warm in ["true", "false"] {
        let out = env.path().join(format!("out-{warm}"));
        let args = ["--jobs", "1", "--no-cache", "--warm", warm];
        batch(&env, &bank, &cohort, &out, &args);
        for (i, learner) in learners.iter().enumerate() {
            let report = json(out.join(format!("learners/{learner}.json")));
            let exercise = common::exercise(&report, common::WORD_COUNT);
            let expected = if i % 2 == 0 { "pass" } else { "fail" };
            let status = &common::check(exercise, "mypy")["status"];
            assert_eq!(status, expected, "{learner}, with --warm {warm}");
        }
    }
}

/// A bank of five of the built-in bank's exercises, each with its mypy check only (two of
/// them type-check their tests as well).
/// The learner's file of each exercise of `type_check_bank`, in its order.
const TYPE_CHECKED_FILES: [&str; 5] = [
    "word_count.py",
    "batch_runner.py",
    "doctor.py",
    "unit_sizes.py",
    "inventory_diff.py",
];

fn type_check_bank(env: &Env) -> (PathBuf, [&'static str; 5]) {
    let ids = [
        common::WORD_COUNT,
        "01-foundations/05-batch-runner",
        "01-foundations/06-env-doctor",
        "01-foundations/07-unit-sizes",
        "01-foundations/08-inventory-diff",
    ];
    let bank = env.path().join("bank");
    for id in ids {
        let target = bank.join(id);
        copy_tree(&repo().join("exercises").join(id), &target);
        let text = read(target.join("exercise.toml"));
        let header = &text[..text.find("[[check]]").unwrap()];
        let start = text.find("kind = \"mypy\"").unwrap();
        let section = &text[start..];
        let section = &section[..section.find("[[check]]").unwrap_or(section.len())];
        std::fs::write(
            target.join("exercise.toml"),
            format!("{header}[[check]]\n{section}"),
        )
        .unwrap();
    }
    common::copy_outline(&bank);
    (bank, ids)
}

/// A check held to a tighter limit than the submission's other mypy checks is not type-checked
/// with them: a shared check runs under the limits of the check that runs it, where a slow
/// file could pass that its own check's limit stops. One exercise's mypy check may use 300 ms
/// of CPU and its file takes mypy about a second (a table of 20,000 entries); it runs out of
/// its time warm as it does with a fresh mypy, and the other exercises, which share a build,
/// pass both ways.
#[test]
fn a_check_held_to_other_limits_is_not_type_checked_with_the_others() {
    let env = Env::new();
    let (bank, ids) = type_check_bank(&env);
    let slow = "01-foundations/08-inventory-diff";
    let manifest = bank.join(slow).join("exercise.toml");
    let text = read(&manifest).replacen(
        "kind = \"mypy\"\n",
        "kind = \"mypy\"\nlimits = { cpu-time = \"300ms\" }\n",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let files = TYPE_CHECKED_FILES;
    let cohort = env.path().join("cohort");
    let ws = env.init("cohort/ada", Some(&bank));
    for (id, file) in ids.iter().zip(files) {
        let mut text = read(bank.join(id).join("reference").join(file));
        if *id == slow {
            text.push_str("\nTABLE = {\n");
            for i in 0..20_000 {
                text.push_str(&format!("    \"k{i}\": ({i}, \"v{i}\", [{i}.5, None]),\n"));
            }
            text.push_str("}\n");
        }
        std::fs::write(ws.exercise(id).join(file), text).unwrap();
    }
    let mut found = Vec::new();
    for warm in ["true", "false"] {
        let out = env.path().join(format!("out-{warm}"));
        batch(&env, &bank, &cohort, &out, &["--no-cache", "--warm", warm]);
        let report = json(out.join("learners/ada.json"));
        let statuses: Vec<(&str, String)> = (ids.iter())
            .map(|id| {
                let mypy = common::check(common::exercise(&report, id), "mypy");
                (*id, mypy["status"].as_str().unwrap().to_string())
            })
            .collect();
        found.push(statuses);
    }
    assert_eq!(found[0], found[1], "warm against fresh mypy runs");
    for (id, status) in &found[0] {
        let expected = if *id == slow { "timeout" } else { "pass" };
        assert_eq!(status, expected, "{id}");
    }
}

/// A learner's exercises are type-checked together by the warm type checker, in one pass that
/// gives each exercise the findings a mypy run of its own gives. Two learners, one whose
/// exercises have a type error, a syntax error, a failed import and a note (`reveal_type`),
/// and one whose are well typed: each check's verdict and findings are those of a fresh mypy
/// for that check alone (`--warm false`), and one learner's findings never reach the other's.
#[test]
fn exercises_type_checked_together_get_the_findings_of_a_run_of_their_own() {
    let env = Env::new();
    let (bank, ids) = type_check_bank(&env);
    let reference = |id: &str, file: &str| read(bank.join(id).join("reference").join(file));
    let files = TYPE_CHECKED_FILES;
    let cohort = env.path().join("cohort");
    for learner in ["ada", "bob"] {
        let ws = env.init(&format!("cohort/{learner}"), Some(&bank));
        for (id, file) in ids.iter().zip(files) {
            let mut text = reference(id, file);
            if learner == "ada" {
                match *id {
                    common::WORD_COUNT => {
                        text = text.replacen("-> dict[str, int]:", "-> dict[str, str]:", 1)
                    }
                    "01-foundations/06-env-doctor" => text.push_str("\ndef broken(:\n"),
                    "01-foundations/07-unit-sizes" => text.push_str("\nreveal_type(1)\n"),
                    "01-foundations/08-inventory-diff" => {
                        text.push_str("\nimport not_a_module_anywhere\n")
                    }
                    _ => {}
                }
            } else {
                text.push_str("\n# bob's\n");
            }
            std::fs::write(ws.exercise(id).join(file), text).unwrap();
        }
    }
    let mut found = Vec::new();
    for warm in ["true", "false"] {
        let out = env.path().join(format!("out-{warm}"));
        batch(&env, &bank, &cohort, &out, &["--no-cache", "--warm", warm]);
        let mut checks = Vec::new();
        for learner in ["ada", "bob"] {
            let report = json(out.join(format!("learners/{learner}.json")));
            for id in ids {
                let mypy = common::check(common::exercise(&report, id), "mypy");
                checks.push((
                    learner,
                    id,
                    mypy["status"].clone(),
                    mypy["diagnostics"].clone(),
                ));
            }
        }
        found.push(checks);
    }
    assert_eq!(
        found[0], found[1],
        "warm (together) against a run of its own"
    );
    let status = |learner: &str, id: &str| {
        let (.., status, diagnostics) = (found[0].iter())
            .find(|(l, i, ..)| *l == learner && *i == id)
            .unwrap();
        (status.as_str().unwrap().to_string(), diagnostics.clone())
    };
    assert_eq!(status("ada", common::WORD_COUNT).0, "fail");
    assert_eq!(status("ada", "01-foundations/06-env-doctor").0, "error");
    let (noted, notes) = status("ada", "01-foundations/07-unit-sizes");
    assert_eq!(noted, "pass");
    assert_eq!(notes[0]["severity"], "note", "{notes}");
    let (failed, import) = status("ada", "01-foundations/08-inventory-diff");
    assert_eq!(failed, "fail");
    assert_eq!(import[0]["code"], "import-not-found", "{import}");
    assert!(import[0]["hint"].is_string(), "the import's hint: {import}");
    for id in ids {
        assert_eq!(
            status("bob", id),
            ("pass".to_string(), Value::Null),
            "bob's {id}"
        );
    }
}

/// What one learner's code leaves in its test process at import (a new builtin, state in a
/// standard module, a monkeypatch, an environment variable, an entry in `sys.modules`, a file
/// in its temporary folder), and what it found there from earlier checks.
const LEAVES_THINGS_BEHIND: &str = r#"

import builtins as _builtins
import os as _os
import string as _string
import sys as _sys
import tempfile as _tempfile
import textwrap as _textwrap

_LEFT = _os.path.join(_tempfile.gettempdir(), "left-behind")


def _left_behind() -> list[str]:
    found = []
    if hasattr(_builtins, "left_behind"):
        found.append("a builtin")
    if getattr(_string, "imports", 0):
        found.append("module state")
    if _textwrap.dedent(" a") != "a":
        found.append("a monkeypatch")
    if "LEFT_BEHIND" in _os.environ:
        found.append("an environment variable")
    if "left_behind" in _sys.modules:
        found.append("a module")
    if _os.path.exists(_LEFT):
        found.append("a file")
    return found


FOUND_AT_IMPORT = _left_behind()
_builtins.left_behind = True  # type: ignore[attr-defined]
_string.imports = getattr(_string, "imports", 0) + 1  # type: ignore[attr-defined]
_textwrap.dedent = lambda text: "patched"
_os.environ["LEFT_BEHIND"] = "1"
_sys.modules["left_behind"] = _string
open(_LEFT, "w").close()
"#;

/// Learners graded one after another in one run, each by a fork of the same warm worker (and,
/// for comparison, each by a fresh Python): nothing one learner's code did to its test process
/// or its files reaches the next learner's check.
#[test]
fn nothing_a_learners_code_leaves_behind_reaches_the_next_learners_check() {
    let env = Env::new();
    let bank = env.fast_bank();
    let exercise = bank.join(common::WORD_COUNT);
    only_check(&bank, "kind = \"pytest\"\npoints = 6");
    std::fs::write(
        exercise.join("tests/test_left_behind.py"),
        "import word_count\n\n\ndef test_an_earlier_check_left_nothing_behind() -> None:\n    assert getattr(word_count, \"FOUND_AT_IMPORT\", []) == []\n",
    )
    .unwrap();
    let solution = read(exercise.join("reference/word_count.py"));
    let cohort = env.path().join("cohort");
    let learners: Vec<String> = (0..4).map(|i| format!("learner-{i}")).collect();
    for learner in &learners {
        let ws = env.init(&format!("cohort/{learner}"), Some(&bank));
        // Signed, so that no two submissions are the same bytes (graded once if they were).
        let text = format!("{solution}{LEAVES_THINGS_BEHIND}# {learner}\n");
        std::fs::write(ws.exercise(common::WORD_COUNT).join("word_count.py"), text).unwrap();
    }
    for warm in ["true", "false"] {
        let out = env.path().join(format!("out-{warm}"));
        let args = ["--jobs", "1", "--no-cache", "--warm", warm];
        batch(&env, &bank, &cohort, &out, &args);
        for learner in &learners {
            let report = json(out.join(format!("learners/{learner}.json")));
            let exercise = common::exercise(&report, common::WORD_COUNT);
            let pytest = common::check(exercise, "pytest");
            assert_eq!(
                pytest["status"], "pass",
                "{learner}, with --warm {warm}: {pytest}"
            );
        }
    }
}
