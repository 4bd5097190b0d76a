//! `pygrade exercism-run SLUG INPUT_DIR OUTPUT_DIR`: pygrade as an Exercism test runner.
//!
//! The exercise folder (the solution, `<slug>_test.py` or the test files its
//! `.meta/config.json` lists) is copied into a job folder and its tests run there, contained
//! like any check, under Exercism's limit of 20 seconds. pytest runs with the
//! `pygrade_graders.exercism` plugin, which names the tests, reads their code and task numbers
//! and words their messages as Exercism's Python runner does, and sends the results on the
//! results channel. `results.json` goes into the output folder; the input folder is only read.
//!
//! A learner's failure, a timeout or a crash included, is a `results.json` and exit code 0.
//! Only pygrade's own trouble (no Python, an input folder it cannot read, an output folder it
//! cannot write) is an error, exit code 2.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::checks::{describe_exit, learner_env};
use crate::contain::{
    CHANNEL_FD, Claim, Exit, Finished, Launcher, Limits, Sandbox, Spawn, TOKEN_FD,
};
use crate::exit::Outcome;
use crate::protocol;
use crate::report::exercism::{Results, Test, cut_output, to_json};
use crate::settings::Settings;
use crate::toolchain::Toolchain;

/// Folders of the input that are a tool's leftovers, not the exercise's.
const LEFTOVERS: [&str; 3] = [".pytest_cache", "__pycache__", ".git"];
/// pygrade's pytest configuration for the run; nothing from the exercise folder is read.
const PYTEST_INI: &str = "[pytest]\naddopts =\n";

/// What the plugin says on the results channel.
#[derive(Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum Event {
    Hello { protocol: u32 },
    Start { id: String },
    ExercismResults { results: Results },
}

/// The part of `.meta/config.json` the runner reads.
#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    files: Files,
}

#[derive(Deserialize, Default)]
struct Files {
    #[serde(default)]
    test: Vec<String>,
}

pub(super) fn run(
    settings: &Settings,
    slug: &str,
    input: &Path,
    output: &Path,
    timeout: Duration,
) -> Result<Outcome> {
    if !is_slug(slug) {
        bail!(
            "{slug:?} is not an exercise slug: give lowercase words joined by `-`, such as `two-fer`"
        );
    }
    if !input.is_dir() {
        bail!(
            "the input folder {} does not exist or is not a folder: give the exercise's folder",
            input.display()
        );
    }
    std::fs::create_dir_all(output)
        .with_context(|| format!("could not create the output folder {}", output.display()))?;
    let tests = test_files(slug, input)?;
    let results = match tests.iter().find(|t| !input.join(t).is_file()) {
        Some(missing) => Results::error(format!(
            "the test file {missing} is missing from the exercise folder"
        )),
        None => grade(settings, input, &tests, timeout)?,
    };
    let path = output.join("results.json");
    let mut bytes = to_json(&results)?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
    Ok(Outcome::Success)
}

/// Whether `slug` is an exercise's slug as Exercism writes them (`two-fer`, `list-ops-2`).
fn is_slug(slug: &str) -> bool {
    let mut words = slug.split('-');
    let first_is_word = words
        .next()
        .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
    first_is_word
        && words.all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The test files: those `.meta/config.json` lists, or else `<slug>_test.py`.
fn test_files(slug: &str, input: &Path) -> Result<Vec<String>> {
    let config = input.join(".meta").join("config.json");
    let listed = if config.is_file() {
        let text = std::fs::read_to_string(&config)
            .with_context(|| format!("could not read {}", config.display()))?;
        let config: Config = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not an exercise's config: fix its JSON or remove it",
                config.display()
            )
        })?;
        config.files.test
    } else {
        Vec::new()
    };
    if listed.is_empty() {
        return Ok(vec![format!("{}_test.py", slug.replace('-', "_"))]);
    }
    for name in &listed {
        let path = Path::new(name);
        if path.is_absolute() || path.components().any(|c| c.as_os_str() == "..") {
            bail!(
                "{name:?} in {} is not a file of the exercise folder",
                config.display()
            );
        }
    }
    Ok(listed)
}

/// Runs the tests on a copy of `input` and returns what the plugin reported, or why there is
/// nothing to report.
fn grade(
    settings: &Settings,
    input: &Path,
    tests: &[String],
    timeout: Duration,
) -> Result<Results> {
    let toolchain = Toolchain::ensure(&settings.python, true)?;
    let sandbox = Sandbox::detect(settings.sandbox)?;
    let job = tempfile::Builder::new()
        .prefix("pygrade-exercism-")
        .tempdir()
        .context("could not create a scratch folder (is TMPDIR writable?)")?;
    let work = job.path().join("work");
    copy_folder(input, &work)?;
    let tmp = job.path().join("tmp");
    std::fs::create_dir_all(&tmp)?;
    let ini = job.path().join("pytest.ini");
    std::fs::write(&ini, PYTEST_INI)?;

    let mut args: Vec<OsString> = [
        "-B",
        "-m",
        "pytest",
        "-q",
        "--tb=no",
        "--color=no",
        "--no-header",
        // Each variation's output is read from pytest's capture of `sys.stdout` as it ends;
        // pytest's own progress, written to the real stdout, stays out of it.
        "--capture=sys",
        "-p",
        "no:cacheprovider",
        "-p",
        "pygrade_graders.exercism",
    ]
    .iter()
    .map(Into::into)
    .collect();
    args.extend([
        "--exercism-results-fd".into(),
        CHANNEL_FD.to_string().into(),
        "--exercism-token-fd".into(),
        TOKEN_FD.to_string().into(),
        "-c".into(),
        ini.into_os_string(),
        "--rootdir".into(),
        work.clone().into_os_string(),
    ]);
    args.extend(tests.iter().map(OsString::from));
    let limits = Limits::default().resolve(timeout);
    let spawn = Spawn {
        program: toolchain.python.clone(),
        args,
        cwd: work.clone(),
        env: learner_env(&toolchain, &tmp),
        writable: vec![job.path().to_path_buf()],
        protected: Vec::new(),
        scratch: Some(tmp),
        sandboxed: true,
        warm: false,
        stdin: None,
        limits,
        channel: true,
        quiet: None,
        claim: Claim::default(),
    };
    let launcher = Launcher::new(sandbox, toolchain.readable())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let finished = runtime.block_on(launcher.run(spawn));
    // The runtime is not kept waiting for a supervisor that is still cleaning up.
    runtime.shutdown_background();
    results_of(&finished?, &limits, &work)
}

/// What the run's results channel and its ending say, as the results to write.
fn results_of(finished: &Finished, limits: &Limits, work: &Path) -> Result<Results> {
    let (events, garbled) =
        protocol::parse::<Event>(&finished.channel.lines, finished.channel.forged);
    let mut in_flight = None;
    let mut results = None;
    for event in events {
        match event {
            Event::Hello { protocol } if protocol != protocol::VERSION => {
                return Err(protocol::Mismatch {
                    speaker: "Exercism plugin",
                    found: protocol,
                    fix: "run `pygrade setup` to refresh it",
                }
                .into());
            }
            Event::Hello { .. } => {}
            Event::Start { id } => in_flight = Some(id),
            Event::ExercismResults { results: r } => results = Some(r),
        }
    }
    let ended_by_itself = matches!(finished.exit, Exit::Code(_));
    match results {
        Some(results) if garbled.is_none() && ended_by_itself => Ok(with_outputs_cut(results)),
        _ => Ok(Results::error(did_not_finish(
            finished,
            limits,
            in_flight.as_deref(),
            garbled.is_some(),
            work,
        ))),
    }
}

/// Each test's output cut to Exercism's 500 characters, with its notice.
fn with_outputs_cut(mut results: Results) -> Results {
    for test in results.tests.iter_mut().flatten() {
        let Test { output, .. } = test;
        *output = output.as_deref().and_then(|o| cut_output(o, false));
    }
    results
}

/// Why a run has no results: a limit, a crash, or something that wrote to the channel, with
/// the test that was running and the last of what the process printed.
fn did_not_finish(
    finished: &Finished,
    limits: &Limits,
    in_flight: Option<&str>,
    forged: bool,
    work: &Path,
) -> String {
    let how = if forged {
        "the tests' results channel was written to by something other than pygrade".into()
    } else if let Exit::Code(_) = finished.exit {
        format!(
            "the tests {} before reporting",
            describe_exit(finished.exit, limits)
        )
    } else {
        format!("the tests {}", describe_exit(finished.exit, limits))
    };
    let mut message = match in_flight {
        Some(id) => format!("{how}, while running {id}"),
        None => format!("{how}, before any test ran"),
    };
    let printed = format!("{}{}", finished.stdout.text(), finished.stderr.text());
    let printed = printed.trim();
    if !printed.is_empty() {
        let tail: Vec<&str> = printed.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        message.push_str(":\n");
        message.push_str(&tail.join("\n"));
    }
    message.replace(&format!("{}/", work.display()), "")
}

/// Copies the exercise folder `from` into `to`: its folders and regular files, leaving out
/// symbolic links and tools' leftovers. Nothing is written into `from`.
fn copy_folder(from: &Path, to: &Path) -> Result<()> {
    let walk = walkdir::WalkDir::new(from)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !LEFTOVERS.iter().any(|l| e.file_name() == *l));
    for entry in walk {
        let entry =
            entry.with_context(|| format!("could not read the input folder {}", from.display()))?;
        let relative = entry.path().strip_prefix(from)?;
        let target: PathBuf = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("could not read {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        for good in ["two-fer", "hello-world", "list-ops-2", "bob"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in [
            "", "Two-fer", "two_fer", "-bob", "bob-", "2-fer", "a--b", "../x",
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn the_test_file_is_named_for_the_slug_unless_the_config_lists_some() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            test_files("two-fer", dir.path()).unwrap(),
            ["two_fer_test.py"]
        );
        std::fs::create_dir(dir.path().join(".meta")).unwrap();
        let config = dir.path().join(".meta/config.json");
        std::fs::write(
            &config,
            r#"{"files": {"test": ["a_test.py", "b_test.py"]}}"#,
        )
        .unwrap();
        assert_eq!(
            test_files("two-fer", dir.path()).unwrap(),
            ["a_test.py", "b_test.py"]
        );
        std::fs::write(&config, r#"{"files": {"test": ["../outside_test.py"]}}"#).unwrap();
        assert!(test_files("two-fer", dir.path()).is_err());
    }
}
