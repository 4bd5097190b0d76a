//! The Python toolchain pygrade grades with: an interpreter with pinned pytest and mypy, and
//! the `pygrade_graders` package that runs inside it.
//!
//! The machine may have nothing but `python3`, so pygrade keeps its own virtual environment
//! under its home folder (`PYGRADE_HOME`, else `$XDG_CACHE_HOME/pygrade`, else
//! `~/.cache/pygrade`), built from the pins in `graders/requirements.txt` and named by their
//! hash, so changing a pin builds a fresh one. `--python`/`PYGRADE_PYTHON` uses an existing
//! interpreter instead. Both the pins and the graders package are compiled into the binary and
//! written out on first use. The environment is built with uv, which pygrade installs with
//! the base Python's pip, or with pip when uv cannot be had; each step says on stderr what it
//! does and how long it took. This module owns building and describing that environment; it
//! never runs learner code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

static GRADERS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/graders/pygrade_graders");
pub(crate) const REQUIREMENTS: &str = include_str!("../graders/requirements.txt");

/// Prints the versions of the interpreter and of the tools, `null` for a missing tool.
const PROBE: &str = r#"
import json, platform
found = {"python": platform.python_version()}
try:
    import pytest
    found["pytest"] = pytest.__version__
except ImportError:
    found["pytest"] = None
try:
    import mypy.version
    found["mypy"] = mypy.version.__version__
except ImportError:
    found["mypy"] = None
from importlib import metadata
for tool in ("ruff", "coverage"):
    try:
        found[tool] = metadata.version(tool)
    except metadata.PackageNotFoundError:
        found[tool] = None
print(json.dumps(found))
"#;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Versions {
    pub python: String,
    pub pytest: Option<String>,
    pub mypy: Option<String>,
    /// The linter the `lint` check runs; an interpreter given with `--python` may lack it,
    /// and then only that check fails.
    #[serde(default)]
    pub ruff: Option<String>,
    /// What measures the branch coverage of a learner's tests; may be missing, as `ruff`.
    #[serde(default)]
    pub coverage: Option<String>,
}

impl Versions {
    /// The version of `tool` (one of [`TOOLS`]) in this interpreter, if it has it.
    pub(crate) fn of(&self, tool: &str) -> Option<&str> {
        match tool {
            "pytest" => self.pytest.as_deref(),
            "mypy" => self.mypy.as_deref(),
            "ruff" => self.ruff.as_deref(),
            "coverage" => self.coverage.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Toolchain {
    /// The interpreter every check runs.
    pub python: PathBuf,
    /// The folder to put on `PYTHONPATH` so `pygrade_graders` imports.
    pub graders: PathBuf,
    /// Where mypy keeps its caches, one sub-folder per concurrent job.
    pub mypy_cache: PathBuf,
    pub versions: Versions,
}

/// There is no Python that pygrade can grade with, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PythonMissing {
    #[error(
        "no python3 on PATH: install Python 3.10 or newer, or point --python (PYGRADE_PYTHON) at an interpreter that has pytest and mypy"
    )]
    NoBase,
    #[error(
        "the Python at {} lacks {}: install the pins with `{} -m pip install -r graders/requirements.txt`, or drop --python/PYGRADE_PYTHON to let pygrade manage its own",
        python.display(),
        tools.join(" and "),
        python.display()
    )]
    LacksTools {
        python: PathBuf,
        tools: Vec<&'static str>,
    },
}

/// Where the interpreter comes from.
pub(crate) enum Source {
    /// `--python` or `PYGRADE_PYTHON`.
    Given(PathBuf),
    /// pygrade's own environment, built from `python3` on `PATH` when missing.
    Managed,
}

pub(crate) fn home() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PYGRADE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("pygrade"));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("pygrade")),
        None => bail!("cannot tell where to keep pygrade's Python environment: set PYGRADE_HOME"),
    }
}

pub(crate) fn short_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The managed environment's folder: named by the pins, so a new pin means a new environment.
pub(crate) fn managed_env_dir() -> Result<PathBuf> {
    Ok(home()?.join(format!("python-{}", short_hash(&[REQUIREMENTS.as_bytes()]))))
}

fn graders_dir() -> Result<PathBuf> {
    // How the folder is laid out counts too, so a folder an older pygrade wrote differently
    // is never taken for a current one.
    let mut parts: Vec<&[u8]> = vec![b"modules and py.typed"];
    for file in GRADERS.files() {
        parts.push(file.path().as_os_str().as_encoded_bytes());
        parts.push(file.contents());
    }
    Ok(home()?.join(format!("graders-{}", short_hash(&parts))))
}

/// Writes `dir` by filling a temporary sibling and renaming it into place, so that concurrent
/// pygrade runs never see a half-written folder. Losing the race is fine: the winner's copy
/// is identical.
fn publish_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let parent = dir.parent().expect("a published folder has a parent");
    std::fs::create_dir_all(parent).with_context(|| {
        format!(
            "could not create {}: set PYGRADE_HOME to a writable folder",
            parent.display()
        )
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(parent)?;
    fill(staging.path())?;
    let staged = staging.keep();
    if std::fs::rename(&staged, dir).is_err() {
        // Another run published it first.
        let _ = std::fs::remove_dir_all(&staged);
        if !dir.exists() {
            bail!("could not create {}", dir.display());
        }
    }
    Ok(())
}

fn write_graders(dir: &Path) -> Result<()> {
    publish_dir(dir, |staging| {
        let package = staging.join("pygrade_graders");
        std::fs::create_dir_all(&package)?;
        for file in GRADERS.files() {
            // The modules, and `py.typed`, so that mypy reads the package's types when an
            // exercise's tests import its comparison helpers.
            let wanted = file.path().extension().is_some_and(|e| e == "py")
                || file.path() == Path::new("py.typed");
            if wanted {
                std::fs::write(package.join(file.path()), file.contents())?;
            }
        }
        Ok(())
    })
}

pub(crate) fn probe(python: &Path) -> Result<Versions> {
    let out = Command::new(python)
        .args(["-I", "-c", PROBE])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not run the Python interpreter {}", python.display()))?;
    if !out.status.success() {
        bail!(
            "{} did not run a version probe ({}): {}",
            python.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "{} answered the version probe with something unexpected",
            python.display()
        )
    })
}

fn managed_python(env: &Path) -> PathBuf {
    env.join("bin").join("python")
}

/// Finds `python3` (or `python`) on `PATH` to build the managed environment from.
pub(crate) fn base_python() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["python3", "python"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The file that marks a managed environment complete, holding its tools' versions. It is
/// written last, so an environment without it is an unfinished build.
const VERSIONS_FILE: &str = "pygrade-versions.json";

/// Whether the managed environment in `env` is complete.
pub(crate) fn is_built(env: &Path) -> bool {
    env.join(VERSIONS_FILE).exists()
}

/// The version of uv that pygrade installs the tools with when it can. A first build takes
/// about half of pip's time with it, installing uv included, and uv stays in pygrade's
/// home for later builds.
const UV: &str = "0.13.9";

/// Says what each step of a build does and how long it took, on stderr: a first run takes
/// seconds, and whoever waits should see it move.
struct Steps {
    announce: bool,
    total: usize,
    done: usize,
}

impl Steps {
    fn run<T>(&mut self, what: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
        self.done += 1;
        if self.announce {
            eprint!("pygrade: [{}/{}] {what} ... ", self.done, self.total);
        }
        let started = Instant::now();
        let result = step();
        if self.announce {
            let took = started.elapsed().as_secs_f64();
            match &result {
                Ok(_) => eprintln!("done in {took:.1} s"),
                Err(_) => eprintln!("failed after {took:.1} s"),
            }
        }
        result
    }

    fn note(&self, text: &str) {
        if self.announce {
            eprintln!("pygrade: {text}");
        }
    }
}

/// Runs one command of a build. Its output is kept for the error, so that the steps' lines
/// stay whole; `failed` says what went wrong and what to do.
fn run_tool(command: &mut Command, failed: &str) -> Result<()> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not run {}", command.get_program().display()))?;
    if out.status.success() {
        return Ok(());
    }
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(12)..].join("\n  ");
    bail!("{failed} ({}):\n  {tail}", out.status)
}

/// "pytest 9.2.0, mypy 2.4.1, ruff 0.17.6, coverage 7.18.0 and 11 dependencies", from the pins.
fn tools_described() -> String {
    let pins = REQUIREMENTS.lines().filter(|l| l.contains("==")).count();
    let tools: Vec<String> = TOOLS
        .iter()
        .map(|tool| format!("{tool} {}", pinned(tool).unwrap_or("?")))
        .collect();
    format!(
        "{} and {} dependencies",
        tools.join(", "),
        pins.saturating_sub(TOOLS.len())
    )
}

/// The tools pygrade grades with, as `graders/requirements.txt` pins them.
pub(crate) const TOOLS: [&str; 4] = ["pytest", "mypy", "ruff", "coverage"];

/// Installs uv into `dir` with the base Python's own pip. `--target` needs no environment
/// of its own, and pip's refusal to install into a system Python does not apply to it.
fn install_uv(base: &Path, dir: &Path) -> Result<PathBuf> {
    publish_dir(dir, |staging| {
        run_tool(
            Command::new(base)
                .args(["-m", "pip", "install", "--quiet", "--no-input"])
                .args(["--disable-pip-version-check", "--target"])
                .arg(staging)
                .arg(format!("uv=={UV}"))
                // `--user` from a pip configuration would clash with `--target`.
                .env("PIP_USER", "0"),
            &format!("{} -m pip could not install uv", base.display()),
        )
    })?;
    let uv = dir.join("bin").join("uv");
    if !uv.is_file() {
        bail!("{} holds no bin/uv", dir.display());
    }
    Ok(uv)
}

/// `base -m venv env`, with pip in it or not.
fn create_venv(base: &Path, env: &Path, with_pip: bool) -> Result<()> {
    let mut venv = Command::new(base);
    venv.args(["-m", "venv"]);
    if !with_pip {
        venv.arg("--without-pip");
    }
    run_tool(
        venv.arg(env),
        &format!(
            "{} -m venv failed: install the venv module (on Debian: apt-get install python3-venv)",
            base.display()
        ),
    )?;
    std::fs::write(env.join("requirements.txt"), REQUIREMENTS)?;
    Ok(())
}

/// The environment and its tools, installed by uv: no pip in the environment (installing
/// pip is most of what `venv` costs), bytecode compiled as pip would (the checks run Python
/// with `-B`, so it is never written later).
fn build_with_uv(steps: &mut Steps, base: &Path, uv: &Path, env: &Path) -> Result<()> {
    steps.run("creating the environment", || create_venv(base, env, false))?;
    steps.run(&format!("installing {} with uv", tools_described()), || {
        run_tool(
            Command::new(uv)
                .args([
                    "pip",
                    "install",
                    "--quiet",
                    "--compile-bytecode",
                    "--python",
                ])
                .arg(managed_python(env))
                .arg("-r")
                .arg(env.join("requirements.txt")),
            "uv could not install the tools",
        )
    })
}

fn build_with_pip(steps: &mut Steps, base: &Path, env: &Path) -> Result<()> {
    steps.run("creating the environment, with pip", || {
        create_venv(base, env, true)
    })?;
    steps.run(&format!("installing {} with pip", tools_described()), || {
        run_tool(
            Command::new(managed_python(env))
                .args(["-m", "pip", "install", "--quiet", "--no-input"])
                .args(["--disable-pip-version-check", "-r"])
                .arg(env.join("requirements.txt")),
            "installing pytest and mypy with pip failed: check the network access to PyPI and run `pygrade setup` again",
        )
    })
}

/// Builds the managed environment: a venv with exactly the pinned tools, installed by uv
/// when uv can be installed, else by pip. It is built in place, under the lock: its scripts
/// (`bin/pytest`) then name its real path, and the versions file, written last, marks it
/// complete.
fn build_env(env: &Path, announce: bool) -> Result<()> {
    let Some(base) = base_python() else {
        return Err(PythonMissing::NoBase.into());
    };
    if announce {
        eprintln!(
            "pygrade: setting up its Python environment in {} (first run only; needs access to PyPI)",
            env.display()
        );
    }
    // One build at a time: runs started together wait for the first instead of each
    // downloading the tools.
    std::fs::create_dir_all(home()?)?;
    let lock = std::fs::File::create(home()?.join(".build.lock"))?;
    lock.lock()
        .context("could not lock pygrade's home folder")?;
    if is_built(env) {
        return Ok(());
    }
    let remove_unfinished = |env: &Path| -> Result<()> {
        if env.exists() {
            std::fs::remove_dir_all(env).with_context(|| {
                format!(
                    "could not remove the unfinished environment {}",
                    env.display()
                )
            })?;
        }
        Ok(())
    };
    remove_unfinished(env)?;
    let uv_dir = home()?.join(format!("uv-{UV}"));
    let have_uv = uv_dir.join("bin").join("uv");
    let mut steps = Steps {
        announce,
        total: if have_uv.is_file() { 3 } else { 4 },
        done: 0,
    };
    let uv = if have_uv.is_file() {
        Some(have_uv)
    } else {
        steps
            .run(&format!("installing uv {UV}, the fast installer"), || {
                install_uv(&base, &uv_dir)
            })
            .inspect_err(|e| {
                steps.note(&format!(
                    "{e:#}\n  pip installs the tools instead, which is slower"
                ))
            })
            .ok()
    };
    let first = steps.done;
    let with_uv = uv.map(|uv| {
        build_with_uv(&mut steps, &base, &uv, env)
            .inspect_err(|e| steps.note(&format!("{e:#}\n  pip tries instead, which is slower")))
    });
    if !matches!(with_uv, Some(Ok(()))) {
        remove_unfinished(env)?;
        steps.done = first;
        build_with_pip(&mut steps, &base, env)?;
    }
    let versions = steps.run("checking the versions", || probe(&managed_python(env)))?;
    let written = env.join(format!("{VERSIONS_FILE}.partial"));
    std::fs::write(&written, serde_json::to_vec(&versions)?)?;
    std::fs::rename(&written, env.join(VERSIONS_FILE))?;
    Ok(())
}

impl Toolchain {
    /// The toolchain to grade with, building pygrade's own environment on first use.
    pub(crate) fn ensure(source: &Source, announce: bool) -> Result<Toolchain> {
        let graders = graders_dir()?;
        write_graders(&graders)?;
        let mypy_cache = home()?.join("mypy-cache");
        let (python, versions) = match source {
            Source::Given(python) => {
                let versions = probe(python)?;
                if versions.pytest.is_none() || versions.mypy.is_none() {
                    return Err(PythonMissing::LacksTools {
                        python: python.clone(),
                        tools: missing(&versions),
                    }
                    .into());
                }
                (python.clone(), versions)
            }
            Source::Managed => {
                let env = managed_env_dir()?;
                if !is_built(&env) {
                    build_env(&env, announce)?;
                }
                let versions = std::fs::read(env.join(VERSIONS_FILE))
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .with_context(|| format!("pygrade's Python environment {} is damaged: delete it and run `pygrade setup`", env.display()))?;
                (managed_python(&env), versions)
            }
        };
        Ok(Toolchain {
            python,
            graders,
            mypy_cache,
            versions,
        })
    }
}

impl Toolchain {
    /// What learner processes must be able to read: the environment, the installation it
    /// was made from (a venv's interpreter is a link into it), and the graders package.
    pub(crate) fn readable(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.graders.clone()];
        if let Some(env) = self.python.parent().and_then(Path::parent) {
            paths.push(env.to_path_buf());
        }
        if let Some(installation) = std::fs::canonicalize(&self.python)
            .ok()
            .and_then(|real| real.parent()?.parent().map(Path::to_path_buf))
        {
            paths.push(installation);
        }
        paths
    }
}

pub(crate) fn missing(versions: &Versions) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if versions.pytest.is_none() {
        missing.push("pytest");
    }
    if versions.mypy.is_none() {
        missing.push("mypy");
    }
    missing
}

/// The pinned version of a tool, as `graders/requirements.txt` says.
pub(crate) fn pinned(tool: &str) -> Option<&'static str> {
    REQUIREMENTS
        .lines()
        .filter_map(|line| line.split_once("=="))
        .find(|(name, _)| name.trim() == tool)
        .map(|(_, version)| version.trim())
}
