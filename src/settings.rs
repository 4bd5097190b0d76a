//! Settings: the global options resolved once into one value that every command is handed.
//!
//! The bank, the Python, the sandbox and colour are each decided here, from the command line
//! and the environment, and nothing below the commands reads either. What grading needs (the
//! toolchain, the sandbox in force, the tools a report names) is resolved once per run into a
//! [`Grader`].

use std::path::PathBuf;

use anyhow::Result;

use crate::bank::Bank;
use crate::checks::{Hidden, Registry};
use crate::cli::{ColorChoice, Global, SandboxChoice};
use crate::contain::Sandbox;
use crate::contain::sandbox::Choice;
use crate::engine::{Engine, Workers};
use crate::report::Tools;
use crate::toolchain::{Source, Toolchain};

pub(crate) struct Settings {
    /// `--bank`, or the built-in bank.
    pub bank: Option<PathBuf>,
    pub python: Source,
    pub sandbox: Choice,
    color: ColorChoice,
    /// Whether warm workers serve the checks that can use them.
    pub warm: bool,
    /// The check kinds a bank may use.
    pub registry: Registry,
}

impl Settings {
    pub(crate) fn new(global: &Global) -> Settings {
        Settings {
            bank: global.bank.clone(),
            python: match &global.python {
                Some(python) => Source::Given(python.clone()),
                None => Source::Managed,
            },
            sandbox: match global.sandbox {
                SandboxChoice::Auto => Choice::Auto,
                SandboxChoice::Builtin => Choice::Builtin,
                SandboxChoice::Bwrap => Choice::Bwrap,
                SandboxChoice::None => Choice::None,
            },
            color: global.color,
            warm: global.warm,
            registry: Registry::builtin(),
        }
    }

    /// The exercise bank, read and validated.
    pub(crate) fn bank(&self) -> Result<Bank> {
        Bank::load(self.bank.as_deref(), &self.registry)
    }

    /// Decides colour once for a command's output: forced by `--color`, else on only for a
    /// terminal without NO_COLOR.
    pub(crate) fn decide_color(&self, to_terminal: bool) {
        let on = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        colored::control::set_override(on);
    }

    /// What a grading run needs, with `jobs` checks at once and the exercises' hidden tests
    /// as `hidden` says: builds pygrade's Python environment on first use and tries the
    /// sandbox.
    pub(crate) fn grader(&self, jobs: usize, hidden: Hidden) -> Result<Grader> {
        let toolchain = Toolchain::ensure(&self.python, true)?;
        let sandbox = Sandbox::detect(self.sandbox)?;
        let tools = Tools::new(&toolchain.versions, sandbox.describe());
        Ok(Grader {
            toolchain,
            sandbox,
            tools,
            jobs,
            hidden,
            warm: self.warm,
            workers: Workers::new(crate::bank::embedded_contents())?,
        })
    }
}

/// Everything a grading run is handed, resolved once.
pub(crate) struct Grader {
    pub toolchain: Toolchain,
    pub sandbox: Sandbox,
    /// The tools the run's report names.
    pub tools: Tools,
    pub jobs: usize,
    /// Whether the hidden tests run, and whether reports show them.
    pub hidden: Hidden,
    /// Whether warm workers serve the checks that can use them.
    pub warm: bool,
    /// The warm workers and their runtime, kept from one run to the next (`pygrade watch`
    /// grades again and again) until the grader is dropped.
    pub workers: Workers,
}

impl Grader {
    pub(crate) fn engine<'a>(&'a self, registry: &'a Registry) -> Engine<'a> {
        Engine {
            registry,
            toolchain: &self.toolchain,
            sandbox: &self.sandbox,
            jobs: self.jobs,
            hidden: self.hidden,
            warm: self.warm,
            workers: &self.workers,
        }
    }
}
