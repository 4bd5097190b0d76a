//! Checks: one file per kind. A kind is one [`Kind`] implementation: its section of the
//! manifest (serde, validated, with its own default timeout), how it runs (processes through
//! the [`Ctx`]'s launcher) and how it grades them into a [`CheckResult`]. The [`Registry`]
//! knows every kind; registering one is one line in [`Registry::builtin`]. A learner's failure
//! of any sort is a result; `Err` means pygrade itself could not do the check.

mod ctx;
#[cfg(test)]
pub(crate) mod example;
mod harness;
mod memory;
mod mypy;
mod output;
mod pytest;
mod timing;

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;
use serde::de::DeserializeOwned;

use crate::bank::{Check, Kinds, Layout, Section};
use crate::contain::{Clock, Exit, Limits};
use crate::grade::{CheckResult, Status};

pub(crate) use ctx::{Ctx, write_file};

/// One kind of check.
pub(crate) trait Kind: DeserializeOwned + Debug + Send + Sync + 'static {
    /// The `kind = "..."` that names it in a manifest.
    const NAME: &'static str;
    /// Its wall-clock limit per process when the manifest sets none.
    const TIMEOUT: Duration = Duration::from_secs(60);
    /// Whether it runs after every other check, one at a time, so that nothing competes
    /// with it for the machine (the timing checks).
    const RUNS_ALONE: bool = false;

    /// What is wrong with this section in its exercise, each problem a sentence.
    fn problems(&self, _exercise: &Layout<'_>) -> Vec<String> {
        Vec::new()
    }

    /// Folders of the exercise this check keeps to pygrade: never in a job's folder.
    fn private_folders(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Runs the check in `ctx` and grades what happened, out of `ctx.points`.
    fn run(&self, ctx: &Ctx<'_>) -> impl Future<Output = Result<CheckResult>> + Send;
}

impl<K: Kind> Section for K {
    fn kind(&self) -> &'static str {
        K::NAME
    }
    fn default_timeout(&self) -> Duration {
        K::TIMEOUT
    }
    fn runs_alone(&self) -> bool {
        K::RUNS_ALONE
    }
    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        Kind::problems(self, exercise)
    }
    fn private_folders(&self) -> Vec<&str> {
        Kind::private_folders(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

type Running<'a> = Pin<Box<dyn Future<Output = Result<CheckResult>> + Send + 'a>>;

/// A registered kind: how to read its section and how to run it.
struct Entry {
    name: &'static str,
    parse: fn(toml::Table) -> Result<Box<dyn Section>, String>,
    run: for<'a> fn(&'a dyn Section, &'a Ctx<'a>) -> Running<'a>,
}

impl Entry {
    fn of<K: Kind>() -> Entry {
        Entry {
            name: K::NAME,
            parse: |section| {
                section
                    .try_into::<K>()
                    .map(|kind| Box::new(kind) as Box<dyn Section>)
                    .map_err(|e| e.to_string())
            },
            run: |section, ctx| {
                let kind = section
                    .as_any()
                    .downcast_ref::<K>()
                    .expect("a section runs with the kind that read it");
                Box::pin(kind.run(ctx))
            },
        }
    }
}

/// The check kinds pygrade knows.
#[derive(Default)]
pub(crate) struct Registry {
    kinds: Vec<Entry>,
}

impl Registry {
    /// Every kind the bank may use.
    pub(crate) fn builtin() -> Registry {
        Registry::default()
            .with::<pytest::Pytest>()
            .with::<mypy::Mypy>()
            .with::<output::Output>()
            .with::<timing::Timing>()
            .with::<memory::Memory>()
    }

    /// This registry with kind `K` as well.
    pub(crate) fn with<K: Kind>(mut self) -> Registry {
        self.kinds.push(Entry::of::<K>());
        self
    }

    /// Runs `check` in `ctx`.
    pub(crate) async fn run(&self, check: &Check, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let entry = self
            .kinds
            .iter()
            .find(|entry| entry.name == check.kind())
            .expect("a check's kind was registered when its manifest was read");
        (entry.run)(check.section.as_ref(), ctx).await
    }
}

impl Kinds for Registry {
    fn parse(&self, kind: &str, section: toml::Table) -> Option<Result<Box<dyn Section>, String>> {
        let entry = self.kinds.iter().find(|entry| entry.name == kind)?;
        Some((entry.parse)(section))
    }

    fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|entry| entry.name).collect()
    }
}

/// The status of a process that did not end by itself; `None` when it exited with a code.
pub(crate) fn abnormal_status(exit: Exit) -> Option<Status> {
    match exit {
        Exit::Code(_) => None,
        Exit::Timeout(_) => Some(Status::Timeout),
        Exit::OutputLimit => Some(Status::OutputLimit),
        Exit::MemoryLimit => Some(Status::MemoryLimit),
        Exit::DiskLimit => Some(Status::DiskLimit),
        Exit::ProcessLimit => Some(Status::ProcessLimit),
        Exit::Signal(_) => Some(Status::Error),
    }
}

/// How a process ended, in words for the learner, naming the limit it ran into.
pub(crate) fn describe_exit(exit: Exit, limits: &Limits) -> String {
    let size = |bytes: Option<u64>| match bytes {
        Some(bytes) => bytesize::ByteSize(bytes).display().iec().to_string(),
        None => "its limit".into(),
    };
    let time = |limit: Option<Duration>| match limit {
        Some(limit) => humantime::format_duration(limit).to_string(),
        None => "its limit".into(),
    };
    match exit {
        Exit::Timeout(Clock::Wall) => format!(
            "timed out: ran past its wall-clock limit of {}",
            time(limits.timeout)
        ),
        Exit::Timeout(Clock::Cpu) => format!(
            "timed out: used up its CPU time limit of {}",
            time(limits.cpu_time)
        ),
        Exit::OutputLimit => format!("stopped: printed more than {}", size(limits.output)),
        Exit::DiskLimit => format!(
            "stopped: wrote more than its disk limit of {}",
            size(limits.disk)
        ),
        Exit::ProcessLimit => format!(
            "stopped: tried to run more than {} processes or threads at once",
            limits
                .processes
                .map_or("its limit of".into(), |n| n.to_string())
        ),
        Exit::Signal(signal) => format!("crashed with {}", signal_name(signal)),
        Exit::MemoryLimit => format!(
            "ran out of memory under its limit of {}",
            size(limits.memory)
        ),
        Exit::Code(code) => format!("exited with status {code}"),
    }
}

/// A signal number as a learner can look it up.
pub(crate) fn signal_name(signal: i32) -> String {
    let what = match signal {
        11 => " (segmentation fault)",
        6 => " (aborted)",
        9 => " (killed)",
        8 => " (floating-point exception)",
        7 => " (bus error)",
        _ => "",
    };
    match nix::sys::signal::Signal::try_from(signal) {
        Ok(sig) => format!("{}{what}", sig.as_str()),
        Err(_) => format!("signal {signal}{what}"),
    }
}
