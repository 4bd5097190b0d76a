//! The Python side is held to the Rust side's bar: the graders package's own tests pass and
//! it is mypy-clean, every exercise's reference and tests (its hidden tests too) pass
//! `mypy --strict` together, laid out as a check lays them out, the benchmarks lay fixtures
//! out as the tests do, and a learner's program forked from a warm worker ends as `python`
//! ends it.
//! All with the pinned tools from `pygrade setup`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, Fixture, Grade, WORD_COUNT, check, copy_tree, exercise as exercise_of, repo};

fn run(python: &Path, dir: &Path, args: &[&str]) {
    let out = Command::new(python)
        .args(args)
        .current_dir(dir)
        .env("TMPDIR", std::env::temp_dir())
        // As pygrade's checks do: tests import `pygrade_graders`, which mypy reads as an
        // installed, typed package.
        .env("PYTHONPATH", repo().join("graders"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} in {} failed:\n{}{}",
        python.display(),
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_graders_package_passes_its_tests() {
    let env = Env::new();
    run(
        &env.python(),
        &repo().join("graders"),
        &["-B", "-m", "pytest", "-q"],
    );
}

#[test]
fn the_graders_package_is_mypy_clean() {
    let env = Env::new();
    let cache = env.path().join("mypy-cache");
    run(
        &env.python(),
        &repo().join("graders"),
        &["-m", "mypy", "--cache-dir", cache.to_str().unwrap()],
    );
}

#[test]
fn the_files_init_writes_for_plain_pytest_are_mypy_strict_clean() {
    let env = Env::new();
    let ws = env.workspace();
    let cache = env.path().join("mypy-cache");
    run(
        &env.python(),
        &ws.dir,
        &[
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            cache.to_str().unwrap(),
            "conftest.py",
            ".pygrade/python/pygrade_graders",
        ],
    );
}

#[test]
fn every_reference_and_its_tests_are_mypy_strict_clean() {
    let env = Env::new();
    let python = env.python();
    let cache = env.path().join("mypy-cache");
    let mut checked = 0;
    // Module folders; the bank's own files (its demo.toml) sit beside them.
    for module in std::fs::read_dir(repo().join("exercises"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().is_dir())
    {
        for exercise in std::fs::read_dir(module.path()).unwrap().flatten() {
            let dir = env.path().join(format!(
                "{}-{}",
                module.file_name().to_string_lossy(),
                exercise.file_name().to_string_lossy()
            ));
            // An exercise without tests (answers checked by `predict`) has no Python to type.
            if !exercise.path().join("tests").is_dir() {
                continue;
            }
            copy_tree(&exercise.path().join("reference"), &dir);
            copy_tree(&exercise.path().join("tests"), &dir.join("tests"));
            // The exercise's own modules (the code a learner's tests test, the timing
            // inputs) sit beside the learner's files when graded, and are typed with them.
            for file in std::fs::read_dir(exercise.path()).unwrap().flatten() {
                if file.path().extension().is_some_and(|ext| ext == "py") {
                    std::fs::copy(file.path(), dir.join(file.file_name())).unwrap();
                }
            }
            // Hidden tests run from tests/hidden/, beside the visible ones.
            let hidden = exercise.path().join("hidden");
            if hidden.is_dir() {
                copy_tree(&hidden, &dir.join("tests/hidden"));
            }
            run(
                &python,
                &dir,
                &[
                    "-m",
                    "mypy",
                    "--strict",
                    "--cache-dir",
                    cache.to_str().unwrap(),
                    ".",
                ],
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} exercises found");
}

#[test]
fn the_benchmarks_lay_out_every_fixture_as_the_tests_do() {
    let env = Env::new();
    let python = env.python();
    let cache = env.path().join("mypy-cache");
    let benches = repo().join("benches");
    let strict = [
        "-m",
        "mypy",
        "--strict",
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    run(&python, &benches, &[&strict[..], &["fixtures.py"]].concat());

    let mut fixtures: Vec<(String, Fixture)> = Vec::new();
    for kind in ["submissions", "hostile"] {
        for entry in std::fs::read_dir(repo().join("fixtures").join(kind)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                fixtures.push((format!("{kind}-{name}"), Fixture::named(&name)));
            }
        }
    }
    let (by_tests, by_benches) = (env.path().join("tests"), env.path().join("benches"));
    let mut script = String::from("from pathlib import Path\nfrom fixtures import lay\n");
    for (name, fixture) in &fixtures {
        fixture.lay(&by_tests.join(name), None);
        script.push_str(&format!(
            "lay(Path({:?}), Path({:?}), {:?})\n",
            fixture.dir,
            by_benches.join(name),
            fixture.exercise
        ));
    }
    run(&python, &benches, &["-c", &script]);
    let files = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let path = e.path().strip_prefix(root).unwrap().to_path_buf();
                (path, std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let (ours, theirs) = (files(&by_tests), files(&by_benches));
    let paths =
        |files: &[(PathBuf, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&ours), paths(&theirs));
    for ((path, ours), (_, theirs)) in ours.iter().zip(&theirs) {
        assert!(ours == theirs, "{} is laid out differently", path.display());
    }
    assert!(fixtures.len() > 50, "only {} fixtures", fixtures.len());
}

/// A learner's program that says goodbye from an object's `__del__` as the interpreter ends.
const GOODBYE: &str = "class Goodbye:\n    def __del__(self) -> None:\n        print(\"goodbye\")\n\n\nkept = Goodbye()\nprint(\"hello\")\n";

#[test]
fn a_program_forked_from_a_warm_worker_ends_as_python_ends_it() {
    // Word count's output check, run as `python -m word_count`, with one case that expects
    // what the program prints last, as its interpreter ends.
    let env = Env::new();
    let bank = env.fast_bank();
    let exercise = bank.join(WORD_COUNT);
    let manifest = std::fs::read_to_string(exercise.join("exercise.toml")).unwrap();
    let as_module = manifest.replace(
        r#"command = ["python", "word_count.py"]"#,
        r#"command = ["python", "-m", "word_count"]"#,
    );
    assert_ne!(as_module, manifest, "word count's output command moved");
    std::fs::write(exercise.join("exercise.toml"), as_module).unwrap();
    std::fs::remove_dir_all(exercise.join("cases")).unwrap();
    std::fs::create_dir(exercise.join("cases")).unwrap();
    std::fs::write(exercise.join("cases/bye.in"), "").unwrap();
    std::fs::write(exercise.join("cases/bye.out"), "hello\ngoodbye\n").unwrap();
    let ws = env.init("ws", Some(&bank));
    std::fs::write(ws.exercise(WORD_COUNT).join("word_count.py"), GOODBYE).unwrap();
    // Forked from a warm worker, and started afresh.
    for warm in ["true", "false"] {
        let graded = env
            .check(&ws)
            .arg(WORD_COUNT)
            .env("PYGRADE_WARM", warm)
            .graded();
        let output = check(exercise_of(&graded.report, WORD_COUNT), "output");
        assert_eq!(output["status"], "pass", "warm {warm}: {output}");
    }
}
