//! The Python side is held to the Rust side's bar: the graders package's own tests pass and
//! it is mypy-clean, and every exercise's reference and tests pass `mypy --strict` together,
//! laid out as a check lays them out. All with the pinned tools from `pygrade setup`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, copy_tree, repo};

fn pinned_python(env: &Env) -> PathBuf {
    let out = env
        .pygrade()
        .args(["setup", "--print-python"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

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
        &pinned_python(&env),
        &repo().join("graders"),
        &["-B", "-m", "pytest", "-q"],
    );
}

#[test]
fn the_graders_package_is_mypy_clean() {
    let env = Env::new();
    let cache = env.path().join("mypy-cache");
    run(
        &pinned_python(&env),
        &repo().join("graders"),
        &["-m", "mypy", "--cache-dir", cache.to_str().unwrap()],
    );
}

#[test]
fn every_reference_and_its_tests_are_mypy_strict_clean() {
    let env = Env::new();
    let python = pinned_python(&env);
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
            copy_tree(&exercise.path().join("reference"), &dir);
            copy_tree(&exercise.path().join("tests"), &dir.join("tests"));
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
