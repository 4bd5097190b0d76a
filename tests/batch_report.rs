//! A batch's `report.html` as a mentor's browser shows it. `pygrade batch` grades the fixture
//! cohort (with two more learners: one whose name is markup, one whose archive cannot be
//! read), and `tests/browser/check_report.py` opens the page in Debian's headless chromium
//! through chromedriver: no console error, for every learner the numbers of the
//! `gradebook.csv` the same run wrote, rows that sort on a click of a heading, and each
//! learner's details, checked against the learner's own JSON report, with the markup name
//! shown as text.
//!
//! Selenium is pinned in `tests/browser/requirements.txt` and installed into the target
//! folder, apart from pygrade's environment (see [`common::python_packages`]). Chromium and
//! chromedriver come from the system (`.ci/run` installs them): without them the test fails
//! and says how to install them, unless `PYGRADE_SKIP_BROWSER=1`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Env, copy_tree, python_packages, repo};

/// The learner whose name a page that let learner text become markup would run.
const MARKUP_NAME: &str = "<img src=x onerror=alert(1)>";

/// Chromium and chromedriver, where the check script looks for them.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let path = |var: &str, default: &str| {
        PathBuf::from(std::env::var_os(var).unwrap_or_else(|| default.into()))
    };
    let chromium = path("PYGRADE_CHROMIUM", "/usr/bin/chromium");
    let driver = path("PYGRADE_CHROMEDRIVER", "/usr/bin/chromedriver");
    if chromium.is_file() && driver.is_file() {
        return Some((chromium, driver));
    }
    let missing = format!(
        "{} or {} is missing: install them with `apt-get install -y chromium chromium-driver` \
         (or point PYGRADE_CHROMIUM and PYGRADE_CHROMEDRIVER at them)",
        chromium.display(),
        driver.display()
    );
    if std::env::var_os("PYGRADE_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!("skipped, as PYGRADE_SKIP_BROWSER=1 asks: {missing}");
        return None;
    }
    panic!("{missing}; or set PYGRADE_SKIP_BROWSER=1 to skip this test");
}

/// The fixture cohort, with a learner named in markup (eve's work) and an archive that
/// cannot be read.
fn cohort(env: &Env) -> PathBuf {
    let cohort = env.path().join("cohort");
    copy_tree(&repo().join("fixtures/cohort/learners"), &cohort);
    copy_tree(
        &repo().join("fixtures/cohort/learners/eve"),
        &cohort.join(MARKUP_NAME),
    );
    std::fs::write(cohort.join("mal.zip"), "not a zip").unwrap();
    cohort
}

/// `pygrade batch COHORT --out OUT` on the fixture cohort's bank.
fn batch(env: &Env, cohort: &Path, out: &Path) {
    let run = env
        .pygrade_on(&repo().join("fixtures/cohort/bank"))
        .arg("batch")
        .arg(cohort)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    // Learners' failures are grades; only pygrade's own failure is exit code 2.
    assert_ne!(
        run.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_batch_report_shows_the_gradebook_sorts_and_opens_each_learners_details() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let env = Env::new();
    let cohort = cohort(&env);
    let out = env.path().join("out");
    batch(&env, &cohort, &out);
    let page = out.join("report.html");
    let csv = std::fs::read_to_string(out.join("gradebook.csv")).unwrap();
    assert!(csv.contains("\nmal,0,0,0,0,submission refused"), "{csv}");

    let python = env.python();
    let check = Command::new(&python)
        .arg("-B")
        .arg(repo().join("tests/browser/check_report.py"))
        .arg(&page)
        .arg(out.join("gradebook.csv"))
        .arg("--learners")
        .arg(out.join("learners"))
        .args(["--shows", MARKUP_NAME])
        .env(
            "PYTHONPATH",
            python_packages(&python, &repo().join("tests/browser/requirements.txt")),
        )
        .env("PYGRADE_CHROMIUM", chromium)
        .env("PYGRADE_CHROMEDRIVER", driver)
        .env("HOME", env.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the browser check of {} failed:\n{}{}",
        page.display(),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn the_browser_check_is_mypy_strict_clean() {
    let env = Env::new();
    let python = env.python();
    let cache = env.path().join("mypy-cache");
    let out = Command::new(&python)
        .args(["-m", "mypy", "--strict", "--cache-dir"])
        .arg(&cache)
        .arg(repo().join("tests/browser/check_report.py"))
        // mypy reads selenium's types where the check script imports it from.
        .env(
            "PYTHONPATH",
            python_packages(&python, &repo().join("tests/browser/requirements.txt")),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
