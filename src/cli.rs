//! Args: the command line, as clap derives it. The names here are part of the product.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::checks::Hidden;

/// What `pygrade --version` says: pygrade's version, the built-in bank's (its number of
/// exercises and a digest of its files, from build.rs), and the version of the protocol the
/// graders speak to pygrade.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nbank: built-in, ",
    env!("PYGRADE_BANK_EXERCISES"),
    " exercises, digest ",
    env!("PYGRADE_BANK_DIGEST"),
    "\ngraders protocol: 1"
);

#[derive(Debug, Parser)]
#[command(
    name = "pygrade",
    version = VERSION,
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
    /// How to contain learner code: pygrade's own sandbox where the kernel allows it, else bwrap where that works (auto); builtin or fail; bwrap or fail; or none.
    #[arg(long, global = true, value_enum, env = "PYGRADE_SANDBOX", default_value_t = SandboxChoice::Auto)]
    pub sandbox: SandboxChoice,
    /// Whether tools that never run learner code (mypy) stay started between checks, as warm workers that type-check a learner's exercises together (`--warm false` starts a fresh one for every check).
    #[arg(long, global = true, env = "PYGRADE_WARM", value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub warm: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum SandboxChoice {
    Auto,
    Builtin,
    Bwrap,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A report format, by the name `--format` takes.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    /// For people at a terminal: failures first, with what to do next.
    Terminal,
    /// pygrade's own report, every detail (see the README's JSON schema).
    Json,
    /// GitHub-flavoured Markdown, for a CI job summary ($GITHUB_STEP_SUMMARY) or a comment.
    Markdown,
    /// GitHub Actions workflow commands: annotations on the failing lines.
    Github,
    /// One row per check, for a spreadsheet.
    Csv,
    /// JUnit XML, for CI test reporters: a suite per exercise, a case per test or check.
    Junit,
    /// A Gradescope autograder's `results.json`: a test per check of each exercise.
    Gradescope,
    /// An Exercism test runner's `results.json` (interface version 3), of one exercise.
    Exercism,
}

/// One `--format NAME[=PATH]`: a format, and the file it goes to (standard output, or
/// `--output`, without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormatTo {
    pub format: Format,
    pub path: Option<PathBuf>,
}

fn format_to(text: &str) -> Result<FormatTo, String> {
    let (name, path) = match text.split_once('=') {
        Some((_, "")) => return Err(format!("{text:?} names no file after `=`")),
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| Some(f.to_possible_value()?.get_name().to_string()))
            .collect();
        format!("unknown format `{name}`: give one of {}", names.join(", "))
    })?;
    Ok(FormatTo { format, path })
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
    /// Grade a cohort: each learner's workspace (a folder, .zip or .tar.gz per learner in
    /// COHORT) against the bank, hidden tests included, into a gradebook and reports.
    Batch(BatchArgs),
    /// Combine the outputs of a batch's shards (`batch --shard K/N`) into the files one run
    /// over the whole cohort writes.
    Merge {
        /// The shards' output folders.
        #[arg(required = true, value_name = "SHARD_OUT")]
        shards: Vec<PathBuf>,
        /// The folder to write the combined files to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Show an exercise's next hint ("hint 2 of 3"); the workspace remembers how far you read.
    Hint {
        /// An exercise id, id prefix or name, e.g. 01-foundations/01-word-count or word-count.
        exercise: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
        /// The workspace that remembers the hints shown (default: the one around the current folder).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Watch the workspace and grade the exercise you edit on every save, with your progress and keys for hints and the next exercise.
    Watch {
        /// The workspace (default: the one around the current folder).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Look for changes every 0.3 s instead of waiting for the system's file events (for network file systems, some containers and WSL).
        #[arg(long)]
        poll: bool,
    },
    /// Name the next exercise to solve (the first without full marks) and where it is.
    Next {
        /// Print only the exercise's folder, for `cd "$(pygrade next --path)"`.
        #[arg(long)]
        path: bool,
        /// The workspace (default: the one around the current folder).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Put an exercise's starter files back, keeping yours in the workspace's .pygrade/backups/.
    Reset {
        /// An exercise id, id prefix or name, e.g. 01-foundations/01-word-count or word-count.
        exercise: String,
        /// The workspace (default: the one around the current folder).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Show an exercise's reference solution, once your own has got full marks.
    Solution {
        /// An exercise id, id prefix or name, e.g. 01-foundations/01-word-count or word-count.
        exercise: String,
        /// The workspace (default: the one around the current folder).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
    },
    /// Check the exercise bank itself: valid manifests, references pass, starters fail.
    Verify {
        /// Verify only these exercises: ids, id prefixes (e.g. 01-foundations) or names (e.g. word-count).
        exercises: Vec<String>,
        /// Checks run at once (default: the number of cores); a check whose code only waits gives its place to the next.
        #[arg(long, short, value_name = "N", default_value_t = default_jobs(), value_parser = jobs)]
        jobs: usize,
        /// Grade mutants of each reference (one small mistake each) and require the tests to kill at least 90% of those not marked equivalent.
        #[arg(long)]
        mutants: bool,
        /// With --mutants, grade at most N mutants of each exercise: the same ones every run.
        #[arg(long, value_name = "N", requires = "mutants")]
        sample: Option<usize>,
        /// Also write the findings as JSON to FILE: each exercise's problems, points and
        /// mutants, for dashboards and authoring tools.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Create pygrade's Python environment (pinned pytest and mypy) now.
    Setup {
        /// Print only the interpreter's path (for scripts that run the pinned tools).
        #[arg(long)]
        print_python: bool,
    },
    /// Show the bank, Python, pytest, mypy and sandbox in use, and what is missing (then exit 2); then grade one reference solution end to end.
    Doctor,
    /// Print the completion script of a shell for pygrade, e.g. `pygrade completions bash > ~/.local/share/bash-completion/completions/pygrade`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write pygrade's manual pages (pygrade.1 and one per command, such as pygrade-check.1) into DIR, e.g. `pygrade man ~/.local/share/man/man1`; without DIR, print pygrade.1.
    Man {
        /// The folder to write the pages into (it is created if missing).
        dir: Option<PathBuf>,
    },
    /// Run an Exercism exercise's tests as Exercism's Python test runner does, writing
    /// OUTPUT_DIR/results.json (interface version 3). Exits 0 whenever it ran.
    #[command(name = "exercism-run")]
    ExercismRun {
        /// The exercise's slug, e.g. two-fer: its tests are two_fer_test.py unless
        /// .meta/config.json lists others.
        slug: String,
        /// The exercise folder: the solution and its tests (only read).
        input: PathBuf,
        /// The folder results.json goes to (created if missing).
        output: PathBuf,
        /// The longest the tests may run (Exercism's limit is 20 s).
        #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = humantime::parse_duration)]
        timeout: std::time::Duration,
    },
    /// Internal: run one command in pygrade's own sandbox, as the descriptor 4 says (used by
    /// pygrade itself).
    #[command(name = "__sandbox", hide = true)]
    Sandbox,
    /// Internal: a warm Python worker that forks each check's process (used by pygrade
    /// itself).
    #[command(name = "__zygote", hide = true)]
    Zygote {
        python: PathBuf,
        modules: Vec<String>,
    },
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
pub(crate) struct BatchArgs {
    /// A folder with one entry per learner: a workspace folder, or a .zip or .tar.gz of one.
    /// The entry's name is the learner's.
    pub cohort: PathBuf,
    /// Where to write the gradebook, the summaries, report.html and each learner's reports.
    #[arg(long, value_name = "DIR", default_value = "pygrade-batch")]
    pub out: PathBuf,
    /// Checks run at once, across learners and exercises (default: the number of cores); a check whose code only waits gives its place to the next.
    #[arg(long, short, value_name = "N", default_value_t = default_jobs(), value_parser = jobs)]
    pub jobs: usize,
    /// Grade everything again, ignoring the grades kept from earlier runs (they are
    /// replaced).
    #[arg(long)]
    pub no_cache: bool,
    /// Show the hidden tests in the learners' reports with their names and messages (by
    /// default the reports say only how many passed, so they can be handed to learners).
    #[arg(long)]
    pub reveal: bool,
    /// Grade only slice K of N of the cohort (K from 1), or `auto` to read it from GitLab,
    /// Slurm or Kubernetes (`auto/N` gives the count Kubernetes does not); `pygrade merge`
    /// combines the slices' outputs.
    #[arg(long, value_name = "K/N|auto", value_parser = crate::cohort::shard::parse)]
    pub shard: Option<crate::cohort::shard::ShardArg>,
    /// Also write each learner's report in this format, as `learners/<name>.<ext>` (json and
    /// markdown are always written); repeat for several: terminal (.txt), junit (.junit.xml),
    /// github (.github.txt), csv (.csv), gradescope (.gradescope.json).
    #[arg(long = "format", value_name = "NAME", value_enum)]
    pub formats: Vec<Format>,
    /// Say whose scores changed since the batch that wrote PREVIOUS_OUT, and why.
    #[arg(long, value_name = "PREVIOUS_OUT")]
    pub diff: Option<PathBuf>,
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
    /// A report format, and the file it goes to (standard output without one); repeat it for
    /// several reports of one run: `--format terminal --format json=report.json`. Formats:
    /// terminal (the default), json, junit, markdown, github, csv, gradescope, exercism.
    #[arg(long = "format", value_name = "NAME[=PATH]", value_parser = format_to)]
    pub formats: Vec<FormatTo>,
    /// Write the one report that names no file of its own to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Checks run at once (default: the number of cores); a check whose code only waits gives its place to the next.
    #[arg(long, short, value_name = "N", default_value_t = default_jobs(), value_parser = jobs)]
    pub jobs: usize,
}

impl Format {
    /// How the name of a file in this format ends, after the learner's name in a batch.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Github => "github.txt",
            Format::Csv => "csv",
            Format::Junit => "junit.xml",
            Format::Gradescope => "gradescope.json",
            Format::Exercism => "exercism.json",
        }
    }

    /// The name `--format` takes.
    pub(crate) fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

impl RunArgs {
    /// Each report to write, and where: every `--format` with its own file, and at most one
    /// without, which goes to `--output` or else standard output. Without any `--format`, the
    /// terminal report.
    pub(crate) fn reports(&self) -> Result<Vec<FormatTo>, String> {
        let mut reports = self.formats.clone();
        if reports.is_empty() {
            reports.push(FormatTo {
                format: Format::Terminal,
                path: None,
            });
        }
        let unplaced = reports.iter().filter(|r| r.path.is_none()).count();
        match (unplaced, &self.output) {
            (0, Some(output)) => {
                return Err(format!(
                    "every --format names its own file, so --output {} would get no report: drop it, or give one format without `=PATH`",
                    output.display()
                ));
            }
            (n, _) if n > 1 => {
                return Err(
                    "only one --format may go to standard output (or --output): give the others a file, as in `--format json=report.json`"
                        .into(),
                );
            }
            _ => {}
        }
        for report in reports.iter_mut().filter(|r| r.path.is_none()) {
            report.path = self.output.clone();
        }
        Ok(reports)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(args: &[&str]) -> Result<RunArgs, clap::Error> {
        #[derive(Parser)]
        struct Probe {
            #[command(flatten)]
            run: RunArgs,
        }
        let argv = std::iter::once("pygrade").chain(args.iter().copied());
        Probe::try_parse_from(argv).map(|p| p.run)
    }

    fn to(format: Format, path: Option<&str>) -> FormatTo {
        FormatTo {
            format,
            path: path.map(PathBuf::from),
        }
    }

    #[test]
    fn without_a_format_the_terminal_report_goes_to_standard_output() {
        let reports = run_args(&[]).unwrap().reports().unwrap();
        assert_eq!(reports, [to(Format::Terminal, None)]);
        let reports = run_args(&["-o", "r.txt"]).unwrap().reports().unwrap();
        assert_eq!(reports, [to(Format::Terminal, Some("r.txt"))]);
    }

    #[test]
    fn each_format_goes_to_its_own_file_and_one_may_go_to_the_output() {
        let args = run_args(&["--format", "terminal", "--format", "json=out/r.json"]).unwrap();
        assert_eq!(
            args.reports().unwrap(),
            [
                to(Format::Terminal, None),
                to(Format::Json, Some("out/r.json"))
            ]
        );
        let args = run_args(&["--format", "json", "--output", "r.json"]).unwrap();
        assert_eq!(args.reports().unwrap(), [to(Format::Json, Some("r.json"))]);
    }

    #[test]
    fn formats_that_cannot_all_be_written_are_refused_with_the_fix() {
        let two = run_args(&["--format", "terminal", "--format", "json"]).unwrap();
        assert!(two.reports().unwrap_err().contains("only one --format"));
        let idle = run_args(&["--format", "json=r.json", "-o", "x"]).unwrap();
        assert!(
            idle.reports()
                .unwrap_err()
                .contains("--output x would get no report")
        );
        let unknown = run_args(&["--format", "xml"]).unwrap_err().to_string();
        assert!(
            unknown.contains("unknown format `xml`: give one of terminal, json"),
            "{unknown}"
        );
        let empty = run_args(&["--format", "json="]).unwrap_err().to_string();
        assert!(empty.contains("names no file"), "{empty}");
    }

    #[test]
    fn the_version_names_the_protocol_the_graders_speak() {
        let graders = include_str!("../graders/pygrade_graders/__init__.py");
        let version = crate::protocol::VERSION;
        assert!(
            VERSION.ends_with(&format!("\ngraders protocol: {version}")),
            "{VERSION}"
        );
        assert!(graders.contains(&format!("PROTOCOL_VERSION = {version}")));
    }
}
