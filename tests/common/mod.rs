//! The context every integration test starts from: a private temporary folder that is also
//! the `TMPDIR` of the pygrade it runs (so every scratch folder, and every process started in
//! one, can be traced back to the test), the built binary, and helpers to make workspaces.
#![allow(dead_code)] // each test file uses its own share of the helpers

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const WORD_COUNT: &str = "01-foundations/01-word-count";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Env {
    dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::Builder::new()
            .prefix("pygrade-test-")
            .tempdir()
            .unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Env { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The folder pygrade's scratch folders go in.
    pub fn tmp(&self) -> PathBuf {
        self.path().join("tmp")
    }

    pub fn pygrade(&self) -> Command {
        let mut cmd = Command::cargo_bin("pygrade").unwrap();
        cmd.env("TMPDIR", self.tmp())
            .env_remove("PYGRADE_BANK")
            .env_remove("PYGRADE_PYTHON");
        cmd
    }

    /// A bank holding only the word-count exercise, with its limits shortened so that the
    /// fixtures that hang cost seconds, not minutes.
    pub fn fast_bank(&self) -> PathBuf {
        let bank = self.path().join("bank");
        let target = bank.join(WORD_COUNT);
        copy_tree(&repo().join("exercises").join(WORD_COUNT), &target);
        let manifest = target.join("exercise.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let text = text
            .replace("timeout = \"10s\"", "timeout = \"3s\"")
            .replace("timeout = \"5s\"", "timeout = \"2s\"");
        assert!(
            text.contains("\"3s\"") && text.contains("\"2s\""),
            "the word-count limits moved: update fast_bank"
        );
        std::fs::write(manifest, text).unwrap();
        bank
    }

    /// A fresh workspace of the built-in bank: `pygrade init` into `<tmp>/ws`.
    pub fn workspace(&self) -> PathBuf {
        let ws = self.path().join("ws");
        self.pygrade().arg("init").arg(&ws).assert().success();
        ws
    }

    /// `pygrade [--bank BANK] check ARGS... --workspace WS --format json`: the exit code and
    /// the report.
    pub fn check_json(&self, bank: Option<&Path>, ws: &Path, args: &[&str]) -> (i32, Value) {
        let mut cmd = self.pygrade();
        if let Some(bank) = bank {
            cmd.arg("--bank").arg(bank);
        }
        let out = cmd
            .arg("check")
            .args(args)
            .arg("--workspace")
            .arg(ws)
            .args(["--format", "json"])
            .output()
            .unwrap();
        parse_report(&out)
    }

    /// A workspace of the fast bank with a fixture's files laid over it: a submission of
    /// `fixtures/submissions`, or a word-count case of `fixtures/hostile`.
    pub fn fixture_workspace(&self, fixture: &str) -> (PathBuf, PathBuf) {
        let bank = self.fast_bank();
        let ws = self.path().join("ws");
        self.pygrade()
            .arg("--bank")
            .arg(&bank)
            .arg("init")
            .arg(&ws)
            .assert()
            .success();
        let fixture = Fixture::named(fixture);
        fixture.lay(&ws.join(&fixture.exercise), None);
        (bank, ws)
    }

    /// Grades a fixture and returns pygrade's exit code and JSON report.
    pub fn grade_fixture(&self, fixture: &str) -> (i32, Value) {
        let (bank, ws) = self.fixture_workspace(fixture);
        self.check_json(Some(&bank), &ws, &[])
    }

    /// Grades a fixture as a learner's submission: a word-count fixture in the fast bank, any
    /// other in a workspace of the built-in bank, where only its exercise is checked.
    pub fn grade_submission(&self, fixture: &str) -> (i32, Value) {
        let found = Fixture::named(fixture);
        if found.exercise == WORD_COUNT {
            return self.grade_fixture(fixture);
        }
        let ws = self.workspace();
        found.lay(&ws.join(&found.exercise), None);
        self.check_json(None, &ws, &[&found.exercise])
    }

    /// Processes still alive that were started for this test's pygrade runs: their working
    /// folder or their environment points into this test's temporary folder.
    pub fn survivors(&self) -> Vec<String> {
        let marker = self.path().to_string_lossy().into_owned();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.parse::<u32>().is_err() {
                continue;
            }
            let cwd = std::fs::read_link(entry.path().join("cwd"))
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if cwd.contains(&marker) || String::from_utf8_lossy(&environ).contains(&marker) {
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                found.push(format!(
                    "{name}: {}",
                    String::from_utf8_lossy(&cmdline).replace('\0', " ")
                ));
            }
        }
        found
    }
}

/// The line of a fixture's learner file that stands for the same file of its exercise's
/// reference solution, so that a fixture holds only what it does differently.
pub const REFERENCE: &str = "# {{REFERENCE}}";

/// A fixture: learner files for one exercise, as a submission of `fixtures/submissions` holds
/// them (`<name>/<module>/<exercise>/...`) or a case of `fixtures/hostile` (beside its
/// `case.toml`).
pub struct Fixture {
    /// The folder of the learner files.
    pub dir: PathBuf,
    /// The exercise they are for, e.g. `01-foundations/01-word-count`.
    pub exercise: String,
}

impl Fixture {
    /// The submission of that name, or else the hostile case, which is for word count.
    pub fn named(name: &str) -> Fixture {
        let submission = repo().join("fixtures/submissions").join(name);
        if !submission.exists() {
            return Fixture::hostile(name, WORD_COUNT);
        }
        let ids: Vec<String> = walkdir::WalkDir::new(&submission)
            .min_depth(2)
            .max_depth(2)
            .into_iter()
            .map(|entry| {
                let path = entry.unwrap().into_path();
                let id = path.strip_prefix(&submission).unwrap();
                id.to_string_lossy().into_owned()
            })
            .collect();
        let [exercise] = ids.as_slice() else {
            panic!("{name} holds {ids:?}: a submission is for one exercise");
        };
        Fixture {
            dir: submission.join(exercise),
            exercise: exercise.clone(),
        }
    }

    /// A case of the hostile corpus, for `exercise`.
    pub fn hostile(name: &str, exercise: &str) -> Fixture {
        Fixture {
            dir: repo().join("fixtures/hostile").join(name),
            exercise: exercise.to_string(),
        }
    }

    /// Lays the fixture's files into `target`, an exercise's folder of a workspace, as a
    /// learner's would be, all but a case's `case.toml`. In each text file a `# {{REFERENCE}}`
    /// line becomes the reference solution's file of the same name, and `{{LOOPBACK_PORT}}`
    /// becomes `port`, the port of a listener the test holds.
    pub fn lay(&self, target: &Path, port: Option<u16>) {
        copy_tree(&self.dir, target);
        let _ = std::fs::remove_file(target.join("case.toml"));
        let reference = repo()
            .join("exercises")
            .join(&self.exercise)
            .join("reference");
        for entry in walkdir::WalkDir::new(target).into_iter().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let mut laid = text.clone();
            if text.lines().any(|line| line == REFERENCE) {
                let file = reference.join(entry.path().strip_prefix(target).unwrap());
                let solution = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                laid = with_reference(&text, &solution);
            }
            if let Some(port) = port {
                laid = laid.replace("{{LOOPBACK_PORT}}", &port.to_string());
            }
            if laid != text {
                std::fs::write(entry.path(), laid).unwrap();
            }
        }
    }
}

/// `text` with its `# {{REFERENCE}}` line replaced by `solution`. The solution's closing
/// `if __name__ == "__main__":` block, if any, goes after the fixture's own lines instead:
/// what they change is then in place when the file runs as a program.
/// (`benches/fixtures.py` does the same for the benchmarks.)
pub fn with_reference(text: &str, solution: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines
        .iter()
        .position(|line| line.trim_end() == REFERENCE)
        .expect("a # {{REFERENCE}} line");
    let (before, after) = (lines[..at].concat(), lines[at + 1..].concat());
    let (body, main) = match solution.find("\nif __name__ == \"__main__\":") {
        Some(i) => solution.split_at(i + 1),
        None => (solution, ""),
    };
    if after.trim().is_empty() || main.is_empty() {
        format!("{before}{body}{main}{after}")
    } else {
        format!("{before}{}\n{after}\n\n{main}", body.trim_end())
    }
}

/// The settings a report is snapshotted with. What varies between runs or machines is
/// redacted, once it is seen to have the type it should: the tools' versions and the sandbox,
/// times, the resources a check used, the figures a timing or memory check measured. Filters
/// do the same inside text: the measured figures in messages, and where a crash's trace shows
/// the interpreter (its address and its own files).
pub fn report_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    for tool in ["pygrade", "python", "pytest", "mypy", "sandbox"] {
        settings.add_redaction(&format!(".report.tools.{tool}"), text("[tool]"));
    }
    let checks = ".report.exercises[].checks[]";
    settings.add_redaction(&format!("{checks}.duration_ms"), number("[ms]"));
    settings.add_redaction(&format!("{checks}.usage.cpu_ms"), number("[ms]"));
    settings.add_redaction(&format!("{checks}.usage.peak_rss_kib"), number("[KiB]"));
    for figure in [
        "exponent",
        "reference_exponent",
        "spread",
        "ratio",
        "rounds",
        "peak_bytes",
        "reference_peak_bytes",
    ] {
        settings.add_redaction(
            &format!("{checks}.measurement.{figure}"),
            number("[measured]"),
        );
    }
    // What a timing or memory check measured, in its message; sizes and budgets stay.
    for (pattern, replacement) in [
        (r"like n\^\d+\.\d+", "like n^[measured]"),
        (
            r"the reference's n\^\d+\.\d+",
            "the reference's n^[measured]",
        ),
        (r"\d+\.\d+x the reference's", "[measured]x the reference's"),
        (r"±\d+\.\d+", "±[measured]"),
        (
            r"(peak|reference's:) \d+(\.\d+)? (B|KiB|MiB|GiB)",
            "$1 [measured]",
        ),
        // A crash's trace: the thread's address, the interpreter's files and their lines.
        (r"thread 0x[0-9a-f]+", "thread 0x[address]"),
        (
            r#"\\"/[^"\\]+/lib/python3\.\d+/([^"\\]+)\\", line \d+"#,
            r#"\"[python]/${1}\", line [line]"#,
        ),
    ] {
        settings.add_filter(pattern, replacement);
    }
    settings
}

/// A redaction that checks the value is a number before it hides it.
fn number(placeholder: &'static str) -> insta::internals::Redaction {
    insta::dynamic_redaction(move |value, path| {
        let number = value.as_f64().is_some() || value.as_i64().is_some();
        assert!(number, "{path} is not a number: {value:?}");
        placeholder
    })
}

/// A redaction that checks the value is a text before it hides it.
fn text(placeholder: &'static str) -> insta::internals::Redaction {
    insta::dynamic_redaction(move |value, path| {
        assert!(value.as_str().is_some(), "{path} is not a text: {value:?}");
        placeholder
    })
}

pub fn parse_report(out: &Output) -> (i32, Value) {
    let code = out.status.code().expect("pygrade exited by itself");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); exit {code}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The report's entry for one exercise.
pub fn exercise<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the report"))
}

/// The check of a kind within an exercise's entry.
pub fn check<'a>(exercise: &'a Value, kind: &str) -> &'a Value {
    exercise["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} check"))
}

pub fn tests_with_status(check: &Value, status: &str) -> usize {
    check["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == status)
        .count()
}
