//! Args: the command line, as clap derives it. The names here are part of the product.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::checks::Hidden;

#[derive(Debug, Parser)]
#[command(
    name = "pygrade",
    version,
    about = "Grade Python exercises: pytest, mypy and output checks, run contained.",
    after_help = crate::exit::HELP
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Use the exercise bank in DIR instead of the built-in one.
    #[arg(long, global = true, env = "PYGRADE_BANK", value_name = "DIR")]
    pub bank: Option<PathBuf>,
    /// Grade with this Python interpreter (it must have pytest and mypy) instead of pygrade's own environment.
    #[arg(long, global = true, env = "PYGRADE_PYTHON", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// How to contain learner code: bwrap when it works here (auto), bwrap or fail, or none.
    #[arg(long, global = true, value_enum, env = "PYGRADE_SANDBOX", default_value_t = SandboxChoice::Auto)]
    pub sandbox: SandboxChoice,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum SandboxChoice {
    Auto,
    Bwrap,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Terminal,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a learner workspace: each exercise's README, starter files and tests.
    Init {
        /// The folder to create (existing files in it are kept).
        dir: PathBuf,
    },
    /// List the exercises by module, with their last known status.
    List {
        /// List only these exercises: ids, id prefixes (e.g. 01-foundations) or names
        /// (e.g. word-count).
        exercises: Vec<String>,
        /// The workspace whose grades to show (default: the one the current folder is in).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Grade a workspace against the trusted exercise bank.
    Check(CheckArgs),
    /// Grade a demo learner's workspace, built from the bank's references with instructive
    /// mistakes, to see what pygrade reports.
    Demo(DemoArgs),
    /// Show the hint of an exercise.
    Hint {
        /// An exercise id, id prefix or name, e.g. 01-foundations/01-word-count or word-count.
        exercise: String,
    },
    /// Check the exercise bank itself: valid manifests, references pass, starters fail.
    Verify {
        /// Checks run at once (default: the number of cores).
        #[arg(long, short, value_name = "N", default_value_t = default_jobs(), value_parser = jobs)]
        jobs: usize,
    },
    /// Create pygrade's Python environment (pinned pytest and mypy) now.
    Setup {
        /// Print only the interpreter's path (for scripts that run the pinned tools).
        #[arg(long)]
        print_python: bool,
    },
    /// Show the bank, Python, pytest, mypy and sandbox in use, and what is missing (then exit 2).
    Doctor,
    /// Internal: run one contained process (used by pygrade itself).
    #[command(name = "__supervise", hide = true)]
    Supervise {
        /// What to enforce, as JSON.
        spec: String,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Grade only these exercises: ids, id prefixes (e.g. 01-foundations) or names (e.g.
    /// word-count). Without any: the exercise or module folder you are in (or --workspace
    /// names), else the whole workspace.
    pub exercises: Vec<String>,
    /// The workspace to grade (default: the one the current folder is in).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Exit 0 even when some learner work did not pass (pygrade's own errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Also run the exercises' hidden tests, which `init` never hands out, and grade them with
    /// the visible ones; the report says only how many of them passed.
    #[arg(long)]
    pub hidden: bool,
    /// Run the hidden tests and show them like the visible ones, with their names and
    /// messages (implies --hidden).
    #[arg(long)]
    pub reveal: bool,
}

impl CheckArgs {
    /// What becomes of the hidden tests: `--reveal` runs and shows them, `--hidden` runs them.
    pub(crate) fn hidden_tests(&self) -> Hidden {
        match (self.hidden, self.reveal) {
            (_, true) => Hidden::Reveal,
            (true, false) => Hidden::Run,
            (false, false) => Hidden::Skip,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Build the demo workspace in DIR and keep it (default: a temporary folder, removed
    /// afterwards). Files already in DIR are kept.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// How a grading run goes and where its report goes.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Checks run at once (default: the number of cores).
    #[arg(long, short, value_name = "N", default_value_t = default_jobs(), value_parser = jobs)]
    pub jobs: usize,
}

pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// `--jobs`: a count of checks run at once, so at least one.
fn jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("with 0 checks at once nothing would run: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
