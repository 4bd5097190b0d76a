//! Checks: one file per kind. A kind is one `Kind` implementation (`kind.rs`): its section
//! of the manifest (serde, validated, with its own default timeout), how it runs (processes
//! through its `Ctx`'s launcher) and how it grades them into a `CheckResult`. The
//! [`Registry`] knows every kind; registering one is one line in `Registry::builtin`
//! (`registry.rs`). A learner's failure of any sort is a result; `Err` means pygrade itself
//! could not do the check.

mod constraints;
mod ctx;
#[cfg(test)]
pub(crate) mod example;
mod harness;
mod kind;
mod learner_tests;
mod lint;
mod memory;
mod mypy;
mod output;
mod package;
mod predict;
mod pytest;
mod registry;
mod timing;
mod verdict;

#[cfg(test)]
pub(crate) use ctx::write_file;
pub(crate) use ctx::{Ctx, Hidden, LearnerFiles, Member, Members, Together, learner_env};
pub(crate) use pytest::COULD_NOT_LOAD;
pub(crate) use registry::Registry;
pub(crate) use verdict::describe_exit;
