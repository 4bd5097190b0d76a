//! The Python toolchain pygrade grades with: an interpreter with pinned pytest and mypy, and
//! the `pygrade_graders` package that runs inside it.
//!
//! The machine may have nothing but `python3`, so pygrade keeps its own virtual environment
//! under its home folder (`PYGRADE_HOME`, else `$XDG_CACHE_HOME/pygrade`, else
//! `~/.cache/pygrade`), built from the pins in `graders/requirements.txt` and named by their
//! hash, so changing a pin builds a fresh one. `--python`/`PYGRADE_PYTHON` uses an existing
//! interpreter instead. Both the pins and the graders package are compiled into the binary and
//! written out on first use. This module owns building and describing that environment; it
//! never runs learner code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
print(json.dumps(found))
"#;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Versions {
    pub python: String,
    pub pytest: Option<String>,
    pub mypy: Option<String>,
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

/// Builds the managed environment: a venv with exactly the pinned tools.
fn build_env(env: &Path, announce: bool) -> Result<()> {
    let Some(base) = base_python() else {
        return Err(PythonMissing::NoBase.into());
    };
    if announce {
        eprintln!(
            "pygrade: setting up its Python environment in {} (first run only; needs access to PyPI)...",
            env.display()
        );
    }
    // One build at a time: runs started together wait for the first instead of each
    // downloading the tools.
    std::fs::create_dir_all(home()?)?;
    let lock = std::fs::File::create(home()?.join(".build.lock"))?;
    lock.lock()
        .context("could not lock pygrade's home folder")?;
    if env.join("pygrade-versions.json").exists() {
        return Ok(());
    }
    publish_dir(env, |staging| {
        let status = Command::new(&base)
            .args(["-m", "venv"])
            .arg(staging)
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("could not run {}", base.display()))?;
        if !status.success() {
            bail!(
                "{} -m venv failed: install the venv module (on Debian: apt-get install python3-venv)",
                base.display()
            );
        }
        let requirements = staging.join("requirements.txt");
        std::fs::write(&requirements, REQUIREMENTS)?;
        let status = Command::new(managed_python(staging))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
            ])
            .arg(&requirements)
            .stdin(Stdio::null())
            .status()
            .context("could not run pip")?;
        if !status.success() {
            bail!(
                "installing pytest and mypy with pip failed (see pip's message above): check the network access to PyPI and run `pygrade setup` again"
            );
        }
        let versions = probe(&managed_python(staging))?;
        std::fs::write(
            staging.join("pygrade-versions.json"),
            serde_json::to_vec(&versions)?,
        )?;
        Ok(())
    })
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
                if !env.join("pygrade-versions.json").exists() {
                    build_env(&env, announce)?;
                }
                let versions = std::fs::read(env.join("pygrade-versions.json"))
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
