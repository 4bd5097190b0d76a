//! `pygrade doctor`: the bank, Python, tools and containment in use, and what is missing.
//! Each problem is a `PROBLEM` (or `MISSING`) line where it is found, and the command ends
//! with what to fix, exiting 2, so that a script can tell a machine that cannot grade. When
//! nothing is missing, it grades one reference solution end to end, as a last proof.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::bank::Side;
use crate::checks::Hidden;
use crate::contain::{Layers, Sandbox, TreeCgroup, memory};
use crate::engine::{Submission, Work};
use crate::exit::Outcome;
use crate::report::Collector;
use crate::settings::Settings;
use crate::toolchain::{self, Source};

/// `println!` that returns the error instead of panicking, so that `pygrade doctor | head`
/// closing the pipe ends the command quietly.
macro_rules! say {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

pub(super) fn run(settings: &Settings) -> Result<Outcome> {
    say!("pygrade {}", env!("CARGO_PKG_VERSION"));
    // What to fix, one entry per problem, for the last line.
    let mut fix = Vec::new();
    match settings.bank() {
        Ok(bank) => say!(
            "bank:    {} ({:?}: {} modules, {} exercises)",
            bank.origin,
            bank.outline.title,
            bank.outline.modules.len(),
            bank.exercises.len()
        ),
        Err(e) => {
            say!("bank:    PROBLEM: {e:#}");
            fix.push(
                "the exercise bank: fix what the `bank:` line says, or drop --bank (PYGRADE_BANK) to use the built-in bank"
                    .to_string(),
            );
        }
    }
    fix.extend(python(settings)?);
    say!("home:    {}", toolchain::home()?.display());
    match Sandbox::detect(settings.sandbox) {
        Ok(Sandbox::Builtin { layers }) => {
            say!(
                "sandbox: builtin: learner code runs with no network, in its own namespaces, seeing only its job's folder"
            );
            say!("         namespaces: {}", layers.namespaces.join(", "));
            match layers.seccomp {
                true => say!(
                    "         seccomp:    on: {} calls refused (ptrace, keyrings, mount and new namespaces, kernel modules, kexec, bpf, perf_event_open, userfaultfd, io_uring, the clock, swap, reboot) and TIOCSTI",
                    Layers::refused_calls().len()
                ),
                false => say!(
                    "         seccomp:    off (pygrade has no filter for {})",
                    std::env::consts::ARCH
                ),
            }
            match layers.landlock {
                Some(abi) => say!(
                    "         landlock:   on (ABI {abi}): files written only in the job's folder and its scratch folder"
                ),
                None => say!("         landlock:   off (this kernel has no Landlock)"),
            }
        }
        Ok(sandbox @ Sandbox::Bwrap { .. }) => {
            say!(
                "sandbox: bwrap: learner code runs with no network, in its own namespaces, seeing only its job's folder"
            );
            if let Sandbox::Bwrap {
                instead_of_builtin: Some(why),
                ..
            } = sandbox
            {
                say!("         not the built-in sandbox: {why}");
            }
        }
        Ok(sandbox) => say!(
            "sandbox: {}\n         learner code is contained by process groups, limits and a cleared environment only",
            sandbox.describe()
        ),
        Err(e) => {
            say!("sandbox: PROBLEM: {e:#}");
            fix.push(
                "the sandbox: fix what the `sandbox:` line says, or choose --sandbox auto or none"
                    .to_string(),
            );
        }
    }
    say!(
        "limits:  processes: {}",
        TreeCgroup::describe_processes_here()
    );
    say!("         memory: {}", memory::describe_here());
    if fix.is_empty() {
        fix.extend(end_to_end(settings)?);
    } else {
        say!("grading: not tried until the problems above are fixed");
    }
    match fix.len() {
        0 => Ok(Outcome::Success),
        1 => bail!("1 problem to fix: {}", fix[0]),
        n => bail!("{n} problems to fix: {}", fix.join("; ")),
    }
}

/// What to fix when the end-to-end grading fails.
const GRADING_FAILED: &str = "grading: a reference solution should get full marks here; `pygrade check` would fail alike (see the `grading:` line)";

/// Grades the first exercise's reference solution, hidden tests included, as `pygrade check`
/// grades a learner's, and says whether it got full marks: the proof that this installed
/// copy grades end to end. Returns what to fix, if anything.
fn end_to_end(settings: &Settings) -> Result<Option<String>> {
    if matches!(settings.python, Source::Managed)
        && !toolchain::is_built(&toolchain::managed_env_dir()?)
    {
        say!("grading: not tried until pygrade's own environment is built (`pygrade setup`)");
        return Ok(None);
    }
    let bank = settings.bank()?;
    let Some(exercise) = bank.exercises.first() else {
        say!("grading: not tried: the bank has no exercise");
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let grader = settings.grader(2, Hidden::Run)?;
    let work = vec![Work {
        submission: Side::Reference.dir(),
        exercise,
        files: Submission::from_side(exercise, Side::Reference),
        grade_untouched: true,
        behaviour_only: false,
    }];
    let mut collector = Collector::default();
    if let Err(e) = grader
        .engine(&settings.registry)
        .grade(work, &mut [&mut collector])
    {
        say!("grading: PROBLEM: {e:#}");
        return Ok(Some(GRADING_FAILED.to_string()));
    }
    let report = collector.into_report(grader.tools.clone());
    let seconds = started.elapsed().as_secs_f64();
    match grader.workers.warm.pythons_state() {
        Some(Ok(())) => {
            say!("warm:    pytest checks fork from a warm Python worker, started once per command")
        }
        Some(Err(why)) => say!(
            "warm:    off: every pytest check starts Python afresh (the verdicts are the same): {why}"
        ),
        None if !grader.warm => say!("warm:    off (--warm false)"),
        None => {
            say!("warm:    not used with this sandbox: every pytest check starts Python afresh")
        }
    }
    let failed: Vec<String> = report
        .exercises
        .iter()
        .flat_map(|e| &e.checks)
        .filter(|check| check.score < check.max_score)
        .map(|check| match &check.message {
            Some(message) => format!("{} {}: {message}", check.kind, check.status.as_str()),
            None => format!("{} {}", check.kind, check.status.as_str()),
        })
        .collect();
    let (score, max_score) = (report.summary.score, report.summary.max_score);
    if failed.is_empty() && max_score > 0.0 {
        say!(
            "grading: {}'s reference solution got {score}/{max_score} points, every check passed ({seconds:.1} s)",
            exercise.id
        );
        return Ok(None);
    }
    say!(
        "grading: PROBLEM: {}'s reference solution got {score}/{max_score} points ({seconds:.1} s)",
        exercise.id
    );
    for failure in &failed {
        say!("         {failure}");
    }
    Ok(Some(GRADING_FAILED.to_string()))
}

/// Prints the Python and the tools in use, and returns what to fix about them, if anything.
fn python(settings: &Settings) -> Result<Option<String>> {
    // What else fixes a problem, and, for pygrade's own environment (which has no pip when uv
    // built it), the one fix for a missing tool.
    let (python, origin, otherwise, rebuild): (PathBuf, String, String, Option<String>) =
        match &settings.python {
            Source::Given(python) => (
                python.clone(),
                format!("given by --python/PYGRADE_PYTHON ({})", python.display()),
                "or drop --python (PYGRADE_PYTHON)".into(),
                None,
            ),
            Source::Managed => {
                let env = toolchain::managed_env_dir()?;
                let python = env.join("bin").join("python");
                if !toolchain::is_built(&env) {
                    say!(
                        "python:  pygrade's own environment {} is not built yet",
                        env.display()
                    );
                    let Some(base) = toolchain::base_python() else {
                        say!(
                            "         PROBLEM: no python3 on PATH to build it from: install Python 3.10 or newer, or pass --python"
                        );
                        return Ok(Some(
                            "Python: install Python 3.10 or newer, or pass --python".into(),
                        ));
                    };
                    say!(
                        "         it will be built from {} on first use; `pygrade setup` builds it now",
                        base.display()
                    );
                    return Ok(None);
                }
                let rebuild = format!(
                    "delete {} and run `pygrade setup` to build it again",
                    env.display()
                );
                (
                    python,
                    format!("pygrade's own environment {}", env.display()),
                    format!("or {rebuild}"),
                    Some(rebuild),
                )
            }
        };
    let install = |what: &str| match &rebuild {
        Some(rebuild) => rebuild.clone(),
        None => format!(
            "run `{} -m pip install {what}`, {otherwise}",
            python.display()
        ),
    };
    say!("python:  {origin}");
    let versions = match toolchain::probe(&python) {
        Ok(versions) => versions,
        Err(e) => {
            say!("         PROBLEM: {e:#}");
            return Ok(Some(format!(
                "Python: make {} run, {otherwise}",
                python.display()
            )));
        }
    };
    say!("         Python {}", versions.python);
    let mut missing = Vec::new();
    for tool in toolchain::TOOLS {
        let found = versions.of(tool);
        let pin = toolchain::pinned(tool).unwrap_or("?");
        match found {
            Some(v) if v == pin => say!("{:<8} {v}", format!("{tool}:")),
            Some(v) => say!(
                "{:<8} {v} (pygrade pins {pin}; grades may differ from CI's)",
                format!("{tool}:")
            ),
            None => {
                say!(
                    "{:<8} MISSING: {}",
                    format!("{tool}:"),
                    install(&format!("{tool}=={pin}"))
                );
                missing.push(format!("{tool}=={pin}"));
            }
        }
    }
    Ok((!missing.is_empty()).then(|| format!("the tools: {}", install(&missing.join(" ")))))
}
