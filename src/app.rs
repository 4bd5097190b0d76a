//! The commands: each one wires the pipeline's stages together for one job of the user's.
//! Nothing here decides a grade or draws a report; it only sequences the stages and says
//! what happened.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use colored::Colorize;

use crate::Outcome;
use crate::bank::{Bank, Exercise, Side};
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, Format, Global};
use crate::grade::{CheckResult, Status};
use crate::plan::{self, Submission};
use crate::report::{Emitter, Graded, Json, Report, Terminal};
use crate::runner::sandbox::Sandbox;
use crate::runner::{self, supervise};
use crate::toolchain::{self, Source, Toolchain};
use crate::workspace::Workspace;

/// The roadmap's module names, for listings.
const MODULES: [&str; 10] = [
    "Python Foundations",
    "Object-Oriented Python",
    "Exception Handling & Code Quality",
    "Testing & Typing",
    "Packaging & Dependency Management",
    "Concurrency & Parallelism",
    "Performance & Memory Management",
    "Advanced Python Concepts",
    "Security, Reliability & DevOps",
    "Capstone (Tech Lead Level)",
];

pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Supervise(args) => {
            supervise::run(args)?;
            Ok(Outcome::Success)
        }
        Command::Init { dir } => init(&global, &dir),
        Command::List { workspace } => list(&global, workspace.as_deref()),
        Command::Check(args) => check(&global, args),
        Command::Hint { exercise } => hint(&global, &exercise),
        Command::Verify { jobs } => verify(&global, jobs),
        Command::Setup { print_python } => setup(&global, print_python),
        Command::Doctor => doctor(&global),
    }
}

fn source(global: &Global) -> Source {
    match &global.python {
        Some(python) => Source::Given(python.clone()),
        None => Source::Managed,
    }
}

/// Colour is decided once: forced by `--color`, else on only for a terminal without NO_COLOR.
fn decide_color(choice: ColorChoice, to_terminal: bool) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
}

fn init(global: &Global, dir: &Path) -> Result<Outcome> {
    let bank = Bank::load(global.bank.as_deref())?;
    let (_, done) = Workspace::init(dir, &bank)?;
    println!(
        "Workspace ready in {}: {} exercises ({} files written, {} existing files kept).",
        dir.display(),
        bank.exercises.len(),
        done.written,
        done.kept
    );
    println!(
        "Next: cd {} && pygrade list, then solve an exercise and run `pygrade check`.",
        dir.display()
    );
    Ok(Outcome::Success)
}

fn list(global: &Global, workspace: Option<&Path>) -> Result<Outcome> {
    decide_color(global.color, std::io::stdout().is_terminal());
    let bank = Bank::load(global.bank.as_deref())?;
    let here = workspace
        .map(Path::to_path_buf)
        .unwrap_or(std::env::current_dir()?);
    // Outside a workspace, list the bank alone.
    let known = Workspace::find(&here)
        .map(|ws| ws.known())
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let mut module = 0;
    for e in &bank.exercises {
        if e.manifest.module != module {
            module = e.manifest.module;
            writeln!(
                out,
                "\nModule {module}: {}",
                MODULES[usize::from(module) - 1].bold()
            )?;
        }
        let status = match known.get(&e.id) {
            Some(k) => format!("{:<12} {}/{}", k.status, k.score, k.max_score),
            None => "not graded".dimmed().to_string(),
        };
        writeln!(out, "  {:<44} {:<28} {status}", e.id, e.manifest.title)?;
    }
    Ok(Outcome::Success)
}

fn hint(global: &Global, name: &str) -> Result<Outcome> {
    let bank = Bank::load(global.bank.as_deref())?;
    let exercise = bank.find(name)?;
    let m = &exercise.manifest;
    println!(
        "{} ({})\ntopics: {}\n\n{}",
        m.title,
        exercise.id,
        m.topics.join(", "),
        m.hint.trim()
    );
    Ok(Outcome::Success)
}

/// Runs every check of every (exercise, submission) pair, showing progress on a terminal,
/// and returns the results grouped by exercise in the order given.
/// Graded exercises, and whether Ctrl-C cut the run short.
fn grade<'a>(
    work: Vec<(&'a Exercise, Submission)>,
    toolchain: &Toolchain,
    sandbox: &Sandbox,
    jobs: usize,
) -> Result<(Vec<Graded<'a>>, bool)> {
    let mut grouped: Vec<Graded<'a>> = work
        .iter()
        .map(|(exercise, submission)| Graded {
            exercise,
            started: !submission.is_starter(exercise),
            checks: Vec::new(),
        })
        .collect();
    let planned = plan::jobs(work);
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(planned.len() as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} grading {bar:30} {pos}/{len} checks {msg}",
        )
        .expect("a valid template"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ran = runtime.block_on(runner::run_all(
        &planned,
        toolchain,
        sandbox,
        jobs,
        |done| {
            bar.inc(1);
            bar.set_message(planned[done.job].exercise.id.clone());
        },
    ))?;
    bar.finish_and_clear();
    // Jobs come in submission order, one per check: deal them back out in that order.
    let mut results = ran.results.into_iter();
    for graded in &mut grouped {
        graded.checks = results
            .by_ref()
            .take(graded.exercise.manifest.checks.len())
            .collect();
    }
    // The runtime is not kept waiting for supervisors that are still cleaning up.
    runtime.shutdown_background();
    Ok((grouped, ran.interrupted))
}

fn check(global: &Global, args: CheckArgs) -> Result<Outcome> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    decide_color(global.color, to_terminal && args.format == Format::Terminal);
    let bank = Bank::load(global.bank.as_deref())?;
    let here = args
        .workspace
        .clone()
        .map(Ok)
        .unwrap_or_else(std::env::current_dir)?;
    let workspace = Workspace::find(&here)?;
    let exercises = bank.select(&args.exercises)?;
    let toolchain = Toolchain::ensure(&source(global), true)?;
    let work = exercises
        .iter()
        .map(|e| {
            Ok((
                *e,
                Submission::from_workspace(e, &workspace.exercise_dir(&e.id))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let sandbox = Sandbox::detect(global.sandbox)?;
    let (graded, interrupted) = grade(work, &toolchain, &sandbox, args.jobs)?;
    let report = Report::new(&toolchain.versions, &sandbox, graded);
    workspace.remember(&report)?;

    let emitter: &dyn Emitter = match args.format {
        Format::Terminal => &Terminal,
        Format::Json => &Json,
    };
    match &args.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("could not create {}", path.display()))?,
            );
            emitter.emit(&report, &mut file)?;
            file.flush()?;
            eprintln!(
                "pygrade: {} of {} points; report written to {}",
                report.summary.score,
                report.summary.max_score,
                path.display()
            );
        }
        None => emitter.emit(&report, &mut std::io::stdout().lock())?,
    }
    if interrupted {
        bail!(
            "grading was interrupted: the report above marks the checks that did not run as skipped"
        );
    }
    Ok(if report.all_passed() || args.exit_zero {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn verify(global: &Global, jobs: usize) -> Result<Outcome> {
    decide_color(global.color, std::io::stdout().is_terminal());
    let bank = Bank::load(global.bank.as_deref())?;
    let toolchain = Toolchain::ensure(&source(global), true)?;
    let work: Vec<_> = bank
        .exercises
        .iter()
        .flat_map(|e| {
            [Side::Reference, Side::Starter].map(|side| (e, Submission::from_side(e, side)))
        })
        .collect();
    let sandbox = Sandbox::detect(global.sandbox)?;
    let (graded, interrupted) = grade(work, &toolchain, &sandbox, jobs)?;
    if interrupted {
        bail!("verification was interrupted");
    }
    let mut problems = 0;
    for pair in graded.chunks(2) {
        let [reference, starter] = pair else {
            unreachable!("graded in pairs")
        };
        let (exercise, reference, starter) =
            (reference.exercise, &reference.checks, &starter.checks);
        let mut found = Vec::new();
        for check in reference
            .iter()
            .filter(|c| c.status != Status::Pass || c.score < c.max_score)
        {
            found.push(format!(
                "reference/ does not pass the {} check: {} {}/{}: {}",
                check.kind,
                check.status.as_str(),
                check.score,
                check.max_score,
                describe_failure(check)
            ));
        }
        if starter.iter().all(|c| c.status == Status::Pass) {
            found.push(
                "starter/ passes every check: a learner would get full marks for nothing".into(),
            );
        }
        if found.is_empty() {
            let earned: f64 = starter.iter().map(|c| c.score).sum();
            let max: f64 = starter.iter().map(|c| c.max_score).sum();
            println!(
                "{} {:<44} reference full marks, starter {earned}/{max}",
                "✓".green(),
                exercise.id
            );
        } else {
            problems += 1;
            println!("{} {}", "✗".red(), exercise.id.bold());
            for problem in found {
                println!("    {problem}");
            }
        }
    }
    println!(
        "\n{} exercises verified, {problems} with problems ({}).",
        bank.exercises.len(),
        bank.origin
    );
    Ok(if problems == 0 {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

fn describe_failure(check: &CheckResult) -> String {
    let mut parts = vec![check.message.clone().unwrap_or_default()];
    for test in check
        .tests
        .iter()
        .filter(|t| t.status != Status::Pass)
        .take(3)
    {
        parts.push(format!(
            "{}: {}",
            test.name,
            test.message.as_deref().unwrap_or("")
        ));
    }
    for d in check.diagnostics.iter().take(3) {
        parts.push(format!("{}:{}: {}", d.file, d.line, d.message));
    }
    parts.join("; ")
}

fn setup(global: &Global, print_python: bool) -> Result<Outcome> {
    let toolchain = Toolchain::ensure(&source(global), true)?;
    if print_python {
        println!("{}", toolchain.python.display());
        return Ok(Outcome::Success);
    }
    let v = &toolchain.versions;
    println!(
        "Ready: Python {} at {}, pytest {}, mypy {}.",
        v.python,
        toolchain.python.display(),
        v.pytest.as_deref().unwrap_or("?"),
        v.mypy.as_deref().unwrap_or("?")
    );
    Ok(Outcome::Success)
}

fn doctor(global: &Global) -> Result<Outcome> {
    println!("pygrade {}", env!("CARGO_PKG_VERSION"));
    match Bank::load(global.bank.as_deref()) {
        Ok(bank) => println!(
            "bank:    {} ({} exercises)",
            bank.origin,
            bank.exercises.len()
        ),
        Err(e) => println!("bank:    PROBLEM: {e:#}"),
    }
    let (python, origin): (Option<PathBuf>, String) = match source(global) {
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
    match Sandbox::detect(global.sandbox) {
        Ok(sandbox) if sandbox.is_active() => println!(
            "sandbox: bwrap: learner code runs with no network, in its own namespaces, seeing only its job's folder"
        ),
        Ok(sandbox) => println!(
            "sandbox: {}\n         learner code is contained by process groups, limits and a cleared environment only",
            sandbox.describe()
        ),
        Err(e) => println!("sandbox: PROBLEM: {e:#}"),
    }
    println!(
        "limits:  processes: {}",
        supervise::PidsCgroup::describe_here()
    );
    if fine {
        Ok(Outcome::Success)
    } else {
        anyhow::bail!("the Python toolchain is incomplete (see above)")
    }
}
