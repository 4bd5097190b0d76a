//! The context every integration test starts from: a private temporary folder that is also
//! the `TMPDIR` of the pygrade it runs (so every scratch folder, and every process started in
//! one, can be traced back to the test), the built binary, workspaces with fixtures laid in,
//! graded runs and their reports, and the settings report snapshots are taken with.
#![allow(dead_code)] // each test file uses its own share of the helpers

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use assert_cmd::prelude::*;
use serde_json::Value;
use sha2::Digest;
use tempfile::TempDir;

pub const WORD_COUNT: &str = "01-foundations/01-word-count";

/// What the fixture cohort (see [`Env::cohort`]) earns in `gradebook.csv`: a row per learner,
/// the maximum first.
pub const COHORT_GRADEBOOK: &str = "\
learner,01-basics/01-greet,02-classes/01-counter,total,percent,note
(max),6,3,9,100,
ada,6,3,9,100,
bob,0,,0,0,1 not started
cyd,,,0,0,2 not started
dee,0,3,3,33.33,
eve,0,1.5,1.5,16.67,
fay,6,0,6,66.67,
gus,0,0,0,0,submission refused: the archive's member `../../escape.py` would land outside its folder
";

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

    /// `pygrade`, with this test's `TMPDIR` and none of the caller's pygrade settings.
    pub fn pygrade(&self) -> Command {
        let mut cmd = Command::cargo_bin("pygrade").unwrap();
        cmd.env("TMPDIR", self.tmp())
            .env_remove("PYGRADE_BANK")
            .env_remove("PYGRADE_PYTHON")
            .env_remove("PYGRADE_SANDBOX");
        cmd
    }

    /// `pygrade --bank BANK`.
    pub fn pygrade_on(&self, bank: &Path) -> Command {
        let mut cmd = self.pygrade();
        cmd.arg("--bank").arg(bank);
        cmd
    }

    /// A bank holding only the word-count exercise, with short time limits.
    pub fn fast_bank(&self) -> PathBuf {
        let bank = self.path().join("bank");
        let target = bank.join(WORD_COUNT);
        copy_tree(&repo().join("exercises").join(WORD_COUNT), &target);
        copy_outline(&bank);
        let manifest = target.join("exercise.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(manifest, short_timeouts(&text)).unwrap();
        bank
    }

    /// The fixture cohort (`fixtures/cohort/learners`) copied into this test's folder, with
    /// `fay.zip`, a zipped workspace folder, and `gus.zip`, an archive whose member climbs out
    /// of its folder, beside the learners' folders.
    pub fn cohort(&self) -> PathBuf {
        let cohort = self.path().join("cohort");
        copy_tree(&repo().join("fixtures/cohort/learners"), &cohort);
        let fay = repo().join("fixtures/cohort/archives/fay");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(cohort.join("fay.zip")).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for entry in walkdir::WalkDir::new(&fay).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let name = entry.path().strip_prefix(&fay).unwrap();
                zip.start_file(name.to_str().unwrap(), options).unwrap();
                std::io::Write::write_all(&mut zip, &std::fs::read(entry.path()).unwrap()).unwrap();
            }
        }
        zip.finish().unwrap();
        let mut bad = zip::ZipWriter::new(std::fs::File::create(cohort.join("gus.zip")).unwrap());
        bad.start_file("../../escape.py", options).unwrap();
        std::io::Write::write_all(&mut bad, b"print('out')\n").unwrap();
        bad.finish().unwrap();
        cohort
    }

    /// `pygrade init` of a workspace named `name` in this test's folder, from `bank` or else
    /// the built-in bank.
    pub fn init(&self, name: &str, bank: Option<&Path>) -> Workspace {
        let ws = Workspace {
            dir: self.path().join(name),
            bank: bank.map(Path::to_path_buf),
        };
        ws.pygrade(self).arg("init").arg(&ws.dir).assert().success();
        ws
    }

    /// A fresh workspace of the built-in bank.
    pub fn workspace(&self) -> Workspace {
        self.init("ws", None)
    }

    /// A workspace with a fixture's files laid in: a submission of `fixtures/submissions` or a
    /// case of `fixtures/hostile`. One for word count uses the fast bank, so that the fixtures
    /// that hang cost seconds, not minutes; any other, the built-in bank.
    pub fn fixture_workspace(&self, name: &str) -> Workspace {
        let fixture = Fixture::named(name);
        let bank = (fixture.exercise == WORD_COUNT).then(|| self.fast_bank());
        let ws = self.init("ws", bank.as_deref());
        fixture.lay(&ws.exercise(&fixture.exercise), None);
        ws
    }

    /// The learner files in `dir` (a folder of `fixtures/`, laid as a fixture's are) handed in
    /// for `exercise` of the built-in bank, graded.
    pub fn grade_files(&self, dir: &str, exercise: &str) -> Graded {
        let ws = self.workspace();
        let fixture = Fixture {
            dir: repo().join("fixtures").join(dir),
            exercise: exercise.into(),
        };
        fixture.lay(&ws.exercise(exercise), None);
        self.check(&ws).arg(exercise).graded()
    }

    /// The learner files in `dir` (a folder of `fixtures/`) handed in for `exercise` of the
    /// built-in bank, graded with a report in each of `formats` (`junit`, `markdown`, ...):
    /// the exit status, and each report's text in the order asked.
    pub fn reports_of(
        &self,
        dir: &str,
        exercise: &str,
        formats: &[&str],
    ) -> (Option<i32>, Vec<String>) {
        let ws = self.workspace();
        let fixture = Fixture {
            dir: repo().join("fixtures").join(dir),
            exercise: exercise.into(),
        };
        fixture.lay(&ws.exercise(exercise), None);
        let mut cmd = self.check(&ws);
        cmd.arg(exercise);
        let paths: Vec<PathBuf> = (formats.iter())
            .map(|format| self.path().join(format!("report.{format}")))
            .collect();
        for (format, path) in formats.iter().zip(&paths) {
            cmd.arg("--format")
                .arg(format!("{format}={}", path.display()));
        }
        let out = cmd.output().unwrap();
        let texts = (paths.iter())
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect();
        (out.status.code(), texts)
    }

    /// Grades a fixture's exercise in its workspace.
    pub fn grade_fixture(&self, name: &str) -> Graded {
        let ws = self.fixture_workspace(name);
        self.check(&ws).arg(Fixture::named(name).exercise).graded()
    }

    /// `pygrade [--bank BANK] check --workspace WS`, to which a test adds what it is about.
    pub fn check(&self, ws: &Workspace) -> Command {
        let mut cmd = ws.pygrade(self);
        cmd.arg("check").arg("--workspace").arg(&ws.dir);
        cmd
    }

    /// `pygrade [--bank BANK] check` typed in `dir`, a folder of the workspace or any other,
    /// to which a test adds what it is about.
    pub fn check_in(&self, ws: &Workspace, dir: &Path) -> Command {
        let mut cmd = ws.pygrade(self);
        cmd.current_dir(dir).arg("check");
        cmd
    }

    /// The Python of `pygrade setup`, with the pinned pytest and mypy.
    pub fn python(&self) -> PathBuf {
        let out = self
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

/// A folder holding the packages that `requirements` pins, installed with `python`, for a test
/// to put on `PYTHONPATH`: tools of the tests (a schema validator, a browser driver) that stay
/// apart from the environment learner code runs in. It is installed once per set of pins
/// under the target folder: a test process installs into a folder of its own, then renames
/// that into place, so that runs in parallel and a run cut short never leave a half-installed
/// one. The pins list every package, dependencies included (none is resolved).
pub fn python_packages(python: &Path, requirements: &Path) -> PathBuf {
    // The tests of one process install one at a time, into the same staging folder.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _installing = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let text = std::fs::read_to_string(requirements).unwrap();
    let pins: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    // Named by the first pin and a hash of them all: a changed pin installs afresh.
    let hash: String = sha2::Sha256::digest(pins.join("\n").as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{}-{hash}", pins[0].replace("==", "-")));
    if dir.is_dir() {
        return dir;
    }
    let staged = dir.with_extension(format!("part-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staged);
    // pygrade's environment has pip when pip built it, and none when uv did: the machine's
    // `python3` then installs the wheels, which are pure Python, for it.
    let has_pip = |python: &Path| {
        Command::new(python)
            .args(["-m", "pip", "--version"])
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let installer = if has_pip(python) {
        python
    } else {
        Path::new("python3")
    };
    let out = Command::new(installer)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--target",
        ])
        .arg(&staged)
        .arg("-r")
        .arg(requirements)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "installing {} with {} failed (it needs PyPI):\n{}",
        requirements.display(),
        installer.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    if std::fs::rename(&staged, &dir).is_err() {
        // Another process got there first.
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(&staged);
    }
    dir
}

/// A learner's workspace, and the bank it was made from (the built-in one when `None`).
pub struct Workspace {
    pub dir: PathBuf,
    pub bank: Option<PathBuf>,
}

impl Workspace {
    /// The folder of an exercise, e.g. `ws.exercise(WORD_COUNT).join("word_count.py")`.
    pub fn exercise(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    /// `pygrade`, on this workspace's bank.
    fn pygrade(&self, env: &Env) -> Command {
        match &self.bank {
            Some(bank) => env.pygrade_on(bank),
            None => env.pygrade(),
        }
    }
}

/// An exercise manifest with the word-count time limits shortened (pytest 3 s, the output
/// check 2 s a case), so that the fixtures that hang cost seconds, not minutes.
pub fn short_timeouts(manifest: &str) -> String {
    let text = manifest
        .replace("timeout = \"10s\"", "timeout = \"3s\"")
        .replace("timeout = \"5s\"", "timeout = \"2s\"");
    assert!(
        text.contains("\"3s\"") && text.contains("\"2s\""),
        "the word-count limits moved: update short_timeouts"
    );
    text
}

/// A run of pygrade that wrote a JSON report: its exit code, the report and all it printed.
pub struct Graded {
    pub code: i32,
    pub report: Value,
    pub printed: String,
}

impl Graded {
    /// The report's entry for one exercise.
    pub fn exercise(&self, id: &str) -> &Value {
        exercise(&self.report, id)
    }

    /// The ids of the exercises graded, in the report's order.
    pub fn ids(&self) -> Vec<&str> {
        self.report["exercises"]
            .as_array()
            .unwrap_or_else(|| panic!("no exercises: {}", self.report))
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect()
    }
}

/// Running a pygrade command for its JSON report.
pub trait Grade {
    /// Runs the command with `--format json` and reads the report it wrote.
    fn graded(&mut self) -> Graded;
}

impl Grade for Command {
    fn graded(&mut self) -> Graded {
        let out = self.args(["--format", "json"]).output().unwrap();
        let (code, report) = parse_report(&out);
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Graded {
            code,
            report,
            printed,
        }
    }
}

/// Has `command` start with `file` open, for appending, at each of the descriptor numbers
/// `fds`, as a caller's shell redirection (`3>>FILE`) would leave it: open across exec.
pub fn leave_open(command: &mut Command, file: &Path, fds: &'static [i32]) {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .unwrap();
    // SAFETY: dup2 and fcntl are plain system calls, safe between fork and exec; the closure
    // owns the file, so its descriptor stays open until then.
    unsafe {
        command.pre_exec(move || {
            let from = file.as_raw_fd();
            for &fd in fds {
                let done = if fd == from {
                    nix::libc::fcntl(fd, nix::libc::F_SETFD, 0)
                } else {
                    nix::libc::dup2(from, fd)
                };
                if done == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
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
    /// The submission of that name, or else the hostile case, which is for the exercise its
    /// `case.toml` names (word count unless it names one).
    pub fn named(name: &str) -> Fixture {
        let submission = repo().join("fixtures/submissions").join(name);
        if !submission.exists() {
            let case = repo().join("fixtures/hostile").join(name).join("case.toml");
            let text = std::fs::read_to_string(&case).unwrap_or_default();
            let table: toml::Table =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
            let exercise = table.get("exercise").and_then(|e| e.as_str());
            return Fixture::hostile(name, exercise.unwrap_or(WORD_COUNT));
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
/// times, the resources a check used, the figures a timing or memory check measured and the
/// sizes a growth measurement reached. Filters
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
    settings.add_redaction(&format!("{checks}.usage.peak_memory_kib"), number("[KiB]"));
    for figure in [
        "exponent",
        "reference_exponent",
        "uncertainty",
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
    // How far a growth measurement got depends on how fast the machine is: where a call was
    // stopped, and so whether the exponent is a fit or a lower bound.
    for figure in ["stopped_at", "lower_bound"] {
        settings.add_redaction(
            &format!("{checks}.measurement.{figure}"),
            insta::dynamic_redaction(|value, path| {
                assert!(
                    value.as_u64().is_some() || value.as_bool().is_some() || value.is_nil(),
                    "{path} is not a size, a flag or null: {value:?}"
                );
                "[measured]"
            }),
        );
    }
    settings.add_redaction(
        &format!("{checks}.measurement.sizes"),
        insta::dynamic_redaction(|value, path| {
            let sizes = value.as_slice().unwrap_or_default();
            assert!(sizes.len() >= 2, "{path} is not a list of sizes: {value:?}");
            "[sizes]"
        }),
    );
    // What a timing or memory check measured, in its message; sizes and budgets stay, but
    // for those a growth check could reach, which depend on the machine's speed.
    for (pattern, replacement) in [
        (
            r"time grows (at least )?like n\^\d+\.\d+ from n=\d+ to n=\d+ \((±\d+\.\d+; )?a call at n=\d+ was stopped at its CPU allowance",
            "time grows like n^[measured] ([over the sizes reached]",
        ),
        (
            r"time grows like n\^\d+\.\d+ \(±\d+\.\d+",
            "time grows like n^[measured] ([over the sizes reached]",
        ),
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

/// Gives `bank`, a bank of exercises copied from the built-in one, the built-in bank's outline.
pub fn copy_outline(bank: &Path) {
    std::fs::create_dir_all(bank).unwrap();
    let outline = std::fs::read_to_string(repo().join("exercises/outline.toml")).unwrap();
    // A bank of a few exercises practises few topics: it asks for no exercise per topic.
    let outline = outline.replace("require-every-topic = true\n", "");
    std::fs::write(bank.join("outline.toml"), outline).unwrap();
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
    item(&report["exercises"], "id", id)
}

/// The check of a kind within an exercise's entry.
pub fn check<'a>(exercise: &'a Value, kind: &str) -> &'a Value {
    item(&exercise["checks"], "kind", kind)
}

/// The element of a JSON array whose `key` is `value`.
fn item<'a>(array: &'a Value, key: &str, value: &str) -> &'a Value {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value} in {array}"))
}

/// A check's message, which must be there.
pub fn message(check: &Value) -> &str {
    check["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {check}"))
}
