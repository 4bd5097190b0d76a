//! `pygrade doctor`: the bank, Python, tools and containment in use, and what is missing.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::contain::{PidsCgroup, Sandbox};
use crate::exit::Outcome;
use crate::settings::Settings;
use crate::toolchain::{self, Source};

pub(super) fn run(settings: &Settings) -> Result<Outcome> {
    println!("pygrade {}", env!("CARGO_PKG_VERSION"));
    match settings.bank() {
        Ok(bank) => println!(
            "bank:    {} ({} exercises)",
            bank.origin,
            bank.exercises.len()
        ),
        Err(e) => println!("bank:    PROBLEM: {e:#}"),
    }
    let (python, origin): (Option<PathBuf>, String) = match &settings.python {
        Source::Given(python) => (
            Some(python.clone()),
            format!("given by --python/PYGRADE_PYTHON ({})", python.display()),
        ),
        Source::Managed => {
            let env = toolchain::managed_env_dir()?;
            let python = env.join("bin").join("python");
            if python.exists() {
                (
                    Some(python),
                    format!("pygrade's own environment {}", env.display()),
                )
            } else {
                println!(
                    "python:  pygrade's own environment {} is not built yet",
                    env.display()
                );
                match toolchain::base_python() {
                    Some(base) => println!(
                        "         it will be built from {} on first use; `pygrade setup` builds it now",
                        base.display()
                    ),
                    None => println!(
                        "         PROBLEM: no python3 on PATH to build it from: install Python 3.10 or newer, or pass --python"
                    ),
                }
                return Ok(Outcome::Success);
            }
        }
    };
    let python = python.expect("set above");
    println!("python:  {origin}");
    let versions = toolchain::probe(&python)?;
    println!("         Python {}", versions.python);
    let mut fine = true;
    for (tool, found) in [("pytest", &versions.pytest), ("mypy", &versions.mypy)] {
        let pin = toolchain::pinned(tool).unwrap_or("?");
        match found {
            Some(v) if v == pin => println!("{:<8} {v}", format!("{tool}:")),
            Some(v) => println!(
                "{:<8} {v} (pygrade pins {pin}; grades may differ from CI's)",
                format!("{tool}:")
            ),
            None => {
                fine = false;
                println!(
                    "{:<8} MISSING: run `{} -m pip install {tool}=={pin}` or drop --python",
                    format!("{tool}:"),
                    python.display()
                );
            }
        }
    }
    println!("home:    {}", toolchain::home()?.display());
    match Sandbox::detect(settings.sandbox) {
        Ok(sandbox) if sandbox.is_active() => println!(
            "sandbox: bwrap: learner code runs with no network, in its own namespaces, seeing only its job's folder"
        ),
        Ok(sandbox) => println!(
            "sandbox: {}\n         learner code is contained by process groups, limits and a cleared environment only",
            sandbox.describe()
        ),
        Err(e) => println!("sandbox: PROBLEM: {e:#}"),
    }
    println!("limits:  processes: {}", PidsCgroup::describe_here());
    if fine {
        Ok(Outcome::Success)
    } else {
        bail!("the Python toolchain is incomplete (see above)")
    }
}
